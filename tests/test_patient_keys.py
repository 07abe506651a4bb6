"""A patient's key is the keyed hash of member id and name, whichever path computes it: a key computed in
bulk must equal the key of the same person computed alone, or one patient would split in two across files."""

import hashlib
import hmac

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.intake.patients import PatientHasher

names = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["doe", " DOE", "Doe ", "ß", "é", ""]))


def test_a_key_is_the_hmac_of_the_upper_cased_trimmed_parts():
    expected = hmac.new(b"k", b"M0001|DOE|JANE", hashlib.sha256).hexdigest()[:24]
    assert PatientHasher(b"k").patient_key(" m0001", "Doe ", "jane") == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(names, names, names), max_size=30))
def test_keys_in_bulk_equal_keys_one_at_a_time(people):
    frame = pl.DataFrame(people, schema={"member_id": pl.Utf8, "last_name": pl.Utf8, "first_name": pl.Utf8}, orient="row")
    alone = [PatientHasher(b"k").patient_key(*person) for person in people]
    assert PatientHasher(b"k").patient_keys(frame).to_list() == alone


def test_nobody_named_has_no_key():
    frame = pl.DataFrame({"member_id": [None, " "], "last_name": [None, ""], "first_name": [None, None]})
    assert PatientHasher(b"k").patient_keys(frame).to_list() == [None, None]
