"""Delimiters and envelopes: real files vary, and the tokenizer must not assume a fixed layout."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.intake.records import LoadError
from etl.intake.x12.segments import read_interchange, segment_texts, split_segments

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261001*1200*^*00501*000000001*0*T*:"
BODY = ["GS*HP*S*R*20261001*1200*1*X*005010X221A1", "ST*835*0001", "BPR*I*0*C*NON", "SE*3*0001", "GE*1*1", "IEA*1*000000001"]


@pytest.mark.parametrize(
    "text",
    [
        "~".join([ISA, *BODY]) + "~",
        "~\n".join([ISA, *BODY]) + "~\n",
        "~\r\n".join([ISA, *BODY]) + "~\r\n",
        "\ufeff" + "~\r\n  ".join([ISA, *BODY]) + "~",
        "\n".join([ISA, *BODY]) + "\n",
        "~".join([ISA.replace("          ", " ").replace("SENDER         ", "SENDER"), *BODY]) + "~",
        "|".join([ISA.replace("*", "^").replace("^:", "^>").replace("^^^", "^U^"), *[s.replace("*", "^") for s in BODY]]) + "|",
    ],
    ids=["one-line", "newline-after-tilde", "crlf", "bom-and-indent", "newline-terminator", "unpadded-isa", "other-delimiters"],
)
def test_every_layout_gives_the_same_segments(text):
    delimiters, segments, _ = split_segments(text, "f.835")

    assert segments["tag"].to_list() == ["ISA", "GS", "ST", "BPR", "SE", "GE", "IEA"]
    assert segments["raw"][3].split(delimiters.element)[1:3] == ["I", "0"]
    assert segments["segment"].to_list() == [1, 2, 3, 4, 5, 6, 7]


def test_truncated_set_is_rejected_and_names_its_segment():
    text = "~".join([ISA, "GS*HP*S*R*20261001*1200*1*X*005010X221A1", "ST*835*0001", "BPR*I*0*C*NON"])

    interchange = read_interchange(text, "cut.835")

    assert interchange.transaction_sets[0].problem == (4, "truncated: ST at segment 3 has no SE")


def test_wrong_ge_count_is_a_warning_and_strict_rejects_every_set_in_the_group():
    text = "~".join([ISA, *BODY]).replace("GE*1*1", "GE*2*1")

    lenient, strict = read_interchange(text, "f.835"), read_interchange(text, "f.835", strict=True)

    assert lenient.transaction_sets[0].problem is None
    assert lenient.envelope_warnings == [(6, "GE01 says 2 transaction sets but the group has 1")]
    assert strict.transaction_sets[0].problem == (6, "GE01 says 2 transaction sets but the group has 1")


def test_truncated_isa_is_a_load_error_naming_the_file():
    with pytest.raises(LoadError, match=r"^short.835: segment 1: ISA is truncated"):
        split_segments("ISA*00*  *00", "short.835")



@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("AB*:~\n\r \t\"',é0")), max_size=80),
    terminator=st.sampled_from(["~", "\n", "'"]),
)
def test_the_fast_segment_reader_splits_exactly_as_str_split_does(text, terminator):
    def kept(values):
        return [value.strip(" \t\r\n") for value in values if value.strip(" \t\r\n")]

    assert kept(segment_texts(text, terminator).to_list()) == kept(text.split(terminator))
