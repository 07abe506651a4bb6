from decimal import Decimal

import polars as pl

from etl.intake.tabular.claims import parse_claims_csv
from etl.intake.tabular.mapping import ColumnMapping, read_mapping
from etl.intake.patients import PatientHasher
from tests.conftest import FIXTURES, HAND_MADE, REPO

HASHER = PatientHasher(b"test-key")


def parse(text: str, mapping: ColumnMapping = ColumnMapping()):
    return parse_claims_csv(text, HASHER, mapping)


def test_bad_amount_bad_date_and_missing_claim_id_quarantine_exactly_those_rows():
    parsed = parse((FIXTURES / "csv" / "claims_with_bad_rows.csv").read_text())

    reasons = {item.locator: item.reason for item in parsed.quarantine}
    assert reasons == {
        "line 3": "total_charge '12O.00' is not a dollar amount; line_charge '12O.00' is not a dollar amount",
        "line 4": "service_date_from '2026-02-30' is not a valid date (%Y-%m-%d or %m/%d/%Y)",
        "line 5": "missing claim_id",
    }
    assert parsed.tables["claims"]["claim_id"].to_list() == ["G1", "G2"]
    # 100.00 (G1) + 45.50 (G2)
    assert parsed.tables["claims"]["total_charge"].sum() == Decimal("145.50")
    assert parsed.records_loaded == 3


def test_quarantined_row_keeps_its_raw_line():
    parsed = parse((FIXTURES / "csv" / "claims_with_bad_rows.csv").read_text())

    raw = next(item.raw for item in parsed.quarantine if item.locator == "line 5")
    assert raw.startswith(",AET01,Aetna,A4,DELTA")


def test_a_bad_line_takes_its_whole_claim_to_quarantine():
    header = (FIXTURES / "csv" / "claims_with_bad_rows.csv").read_text().splitlines()[0]
    text = "\n".join([
        header,
        "K1,P,Payer,,,,,,,,,,,2026-08-01,,2026-08-02,30.00,1,99211,,1,10.00,,",
        "K1,P,Payer,,,,,,,,,,,2026-08-01,,2026-08-02,30.00,2,99212,,one,20.00,,",
    ])

    parsed = parse(text)

    assert [item.locator for item in parsed.quarantine] == ["line 2", "line 3"]
    assert parsed.quarantine[0].reason == "this claim has a quarantined line (line 3)"
    assert parsed.tables["claims"].is_empty()


def test_total_charge_must_equal_the_sum_of_line_charges():
    header = (FIXTURES / "csv" / "claims_with_bad_rows.csv").read_text().splitlines()[0]
    text = "\n".join([header, "K2,P,Payer,,,,,,,,,,,2026-08-01,,2026-08-02,99.00,1,99211,,1,10.00,,"])

    parsed = parse(text)

    assert parsed.quarantine[0].reason == "total_charge 99.00 does not equal the sum of the claim's line charges 10.00"


def test_ragged_line_is_quarantined_with_field_counts():
    header = (FIXTURES / "csv" / "claims_with_bad_rows.csv").read_text().splitlines()[0]

    parsed = parse(header + "\nK3,P,Payer\n")

    assert parsed.quarantine[0].locator == "line 2"
    assert parsed.quarantine[0].reason == "expected 24 fields, found 3"


def test_diagnoses_keep_their_order_without_dots():
    parsed = parse((HAND_MADE / "claims.csv").read_text())

    c1003 = parsed.tables["claim_diagnoses"].filter(pl.col("claim_id") == "C1003")
    assert c1003.select("position", "code").rows() == [(1, "R079"), (2, "Z0000")]


def test_patients_are_keyed_by_hash_and_facts_carry_no_names():
    parsed = parse((HAND_MADE / "claims.csv").read_text())

    claims = parsed.tables["claims"]
    assert "patient_last_name" not in claims.columns and "member_id" not in claims.columns
    assert claims["patient_key"].n_unique() == 5
    assert parsed.tables["patients"].height == 5


def test_shipped_mapping_renames_a_pm_export():
    mapping = read_mapping(REPO / "etl" / "mappings" / "example_pm_export.yaml")

    parsed = parse((FIXTURES / "csv" / "pm_export_claims.csv").read_text(), mapping)

    assert parsed.quarantine == []
    claims = parsed.tables["claims"]
    assert claims["claim_id"].to_list() == ["PM-77"]
    # 95.00 + 40.00, dates given as MM/DD/YYYY
    assert claims["total_charge"].to_list() == [Decimal("135.00")]
    assert str(claims["service_date_from"][0]) == "2026-07-04"
