"""Issue 32, item 6: a refused record says why in words a biller reads (the field, its element or CSV column, the rule),
never an expectation's name, and the README's policy table lists every expectation of every suite with its class."""

import json
import re
from decimal import Decimal

from etl.intake.policy import (
    CLASSES, REFUSE_THE_RECORD, WARN_ON_THE_FILE, WARNED_IN_WORDS, markdown_cell, policy_rows, policy_table,
)
from etl.load import load_files
from etl.settings import REPO_DIR, SUITES_DIR
from tests.conftest import scalar

# Two claim payments of one cheque, by hand:
#   R1: SVC02 200.00 − (CO-45 60.00 + PR-2 20.00) = SVC03 120.00 = CLP04; CLP05 20.00 = PR-2
#   R2: SVC02 100.00 − CO-45 70.00 = SVC03 30.00 = CLP04, but its SVC01-2 is 60 characters: R2 is refused
#   BPR02 150.00 = 120.00 + 30.00; the payment loads as sent, with R1 alone under it
LONG_CODE = "9" * 60
TWO_CLAIMS_835 = f"""\
ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261101*1200*^*00501*000000001*0*T*:~
GS*HP*SENDER*RECEIVER*20261101*1200*1*X*005010X221A1~
ST*835*0001~
BPR*I*150.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*20261101~
TRN*1*EFT-WORDS-1*1512345678~
N1*PR*SYNTHETIC HEALTH PLAN*XV*SYN00~
N1*PE*SAMPLE CLINIC*XX*1234567893~
LX*1~
CLP*R1*1*200.00*120.00*20.00*12*PAYERCLAIM1~
NM1*QC*1*TESTER*TERRY****MI*TT123~
DTM*232*20261015~
SVC*HC:99213*200.00*120.00**1~
DTM*472*20261015~
CAS*CO*45*60.00~
CAS*PR*2*20.00~
CLP*R2*1*100.00*30.00*0*12*PAYERCLAIM2~
NM1*QC*1*SAMPLE*SAM****MI*SS456~
DTM*232*20261016~
SVC*HC:{LONG_CODE}*100.00*30.00**1~
DTM*472*20261016~
CAS*CO*45*70.00~
SE*20*0001~
GE*1*1~
IEA*1*000000001~
"""


def every_expectation() -> list[tuple[str, dict]]:
    return [(path.stem, item) for path in sorted(SUITES_DIR.glob("*.json")) for item in json.loads(path.read_text())["expectations"]]


def test_every_expectation_has_a_class_and_its_sentence_in_words():
    for suite, item in every_expectation():
        meta, where = item["meta"], (suite, item["type"], item["kwargs"].get("column"))
        assert meta.get("class") in CLASSES, where
        assert (meta["class"] == REFUSE_THE_RECORD) == (item["severity"] == "critical"), where
        assert meta.get("why") and meta.get("rule") and "expect_" not in meta["rule"], where
        if meta["class"] == REFUSE_THE_RECORD:
            refusal = meta.get("refusal")
            assert refusal and "expect_" not in refusal, where
            refusal.format(value="'X'", length="1")  # no stray brace
            # it names where the value is: a segment or element (CLP04, DTM*050, HI) or a CSV column
            assert re.search(r"\b[A-Z][A-Z0-9]{1,2}(\d{2}|\*\d{3})?\b|\bcolumn\b", refusal), where
            if item["type"] != "expect_column_values_to_not_be_null" and item["kwargs"].get("column") != "bills_a_code":
                assert "{value}" in refusal or "{length}" in refusal, where  # a value there is, is shown
        if meta["class"] in WARNED_IN_WORDS:
            assert "{value}" in meta.get("warning", "") and "expect_" not in meta["warning"], where
        if meta["class"] == WARN_ON_THE_FILE:
            assert "{count}" in meta.get("file_warning", ""), where


def test_an_835_claim_payment_with_a_60_character_procedure_code_is_refused_in_words_and_the_other_loads(db_path, tmp_path):
    remit = tmp_path / "two_claims.835"
    remit.write_text(TWO_CLAIMS_835)

    [result] = load_files([remit], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 1, 1)
    assert scalar(db_path, "select list([locator, reason, raw]) from quarantine") == [[
        "segment 16",  # R2's CLP, the record's locator as before
        "the line's procedure code (SVC01-2, or the procedure_code column of a CSV) is 60 characters long,"
        " more than the 48 the TR3 allows",
        "CLP*R2*1*100.00*30.00*0*12*PAYERCLAIM2",
    ]]
    assert scalar(db_path, "select list(claim_id) from remit_claims") == ["R1"]
    assert scalar(db_path, "select [sum(charge), sum(paid), sum(patient_responsibility)] from remit_claims") == [
        Decimal("200.00"), Decimal("120.00"), Decimal("20.00")]
    assert scalar(db_path, "select sum(paid) from remit_service_lines") == Decimal("120.00")
    assert scalar(db_path, "select sum(amount) from remit_adjustments") == Decimal("80.00")  # 60.00 + 20.00, R1's only
    assert scalar(db_path, "select amount from remit_payments") == Decimal("150.00")  # BPR02 as sent
    # the refused code is not also warned about for its shape
    assert scalar(db_path, "select count(*) from load_warnings") == 0


def test_the_readme_policy_table_lists_every_expectation_with_its_class():
    readme = (REPO_DIR / "README.md").read_text()
    generated = policy_table()

    assert "\n".join(generated) + "\n" in readme, "README.md's policy table differs from etl/intake/policy.py policy_table()"
    assert len(policy_rows()) == len(every_expectation()) == len(generated) - 2
    for suite, item in every_expectation():  # read from the suites themselves, not through policy_rows
        assert f"| `{suite}` |" in readme and f"| {markdown_cell(item['meta']['rule'])} | {item['meta']['class']} |" in readme, suite
