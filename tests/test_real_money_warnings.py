"""Real money is not refused over paperwork (issue 32, items 1 and 2): a negative line payment, a BHT date before the
services and a procedure code outside its shape load with a warning in words, and `--strict` refuses each."""

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.load import load_files
from tests.conftest import FIXTURES, HAND_MADE, scalar

REAL_FILES = FIXTURES / "real_files"
# negative_line_payment.835, by hand:
#   N100 line 1: SVC02 100.00 − CO-45 20.00 = SVC03 80.00
#   N100 line 2: SVC02 73.00 − (CO-45 70.00 + CO-B4 6.00, a late-filing penalty) = SVC03 −3.00
#   N100: CLP03 173.00 − (20.00 + 76.00) = CLP04 77.00 = 80.00 − 3.00
#   N101: SVC02 50.00 − CO-45 10.00 = SVC03 = CLP04 40.00
#   BPR02 117.00 = 77.00 + 40.00
NEGATIVE_LINE = REAL_FILES / "negative_line_payment.835"
# bht_before_service.837p: BHT04 1996-09-18; B1 150.00 (99213 100 + 85025 50) served 2005-01-03, B2 80.00 (99212)
# served 2005-02-11: CLM02 230.00 in all.
BHT_BEFORE_SERVICE = REAL_FILES / "bht_before_service.837p"
# six_digit_hc_code.837p: H1 160.00 (99213 100 + 478331 60, the SV1 at segment 20), H2 80.00 (99212): 240.00 in all.
SIX_DIGIT_CODE = REAL_FILES / "six_digit_hc_code.837p"


def warnings_of(db_path) -> list[list[str]]:
    return scalar(db_path, "select list([locator, warning] order by locator) from load_warnings") or []


def test_a_negative_line_payment_that_balances_loads_its_claim_with_a_warning_at_the_line(db_path):
    [result] = load_files([NEGATIVE_LINE], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("loaded", 2, 0)
    assert scalar(db_path, "select sum(paid) from remit_claims") == Decimal("117.00")  # 77.00 + 40.00 = BPR02
    assert scalar(db_path, "select sum(paid) from remit_service_lines where remit_claim_id in "
                           "(select remit_claim_id from remit_claims where claim_id = 'N100')") == Decimal("77.00")  # 80.00 − 3.00
    assert scalar(db_path, "select count(*) from balancing_issues") == 0
    [[locator, warning]] = warnings_of(db_path)
    assert locator == "segment 14"  # SVC*HC:85025*73.00*-3.00
    assert warning.startswith("the line pays -3.00, below zero on a claim payment that is not a reversal")


def test_a_bht_date_before_the_services_loads_the_claims_with_one_warning_on_the_file(db_path):
    [result] = load_files([BHT_BEFORE_SERVICE], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("loaded", 2, 0)
    assert scalar(db_path, "select sum(total_charge) from claims") == Decimal("230.00")  # 150.00 + 80.00
    # submitted_date stays BHT04 as sent: it is never moved silently to a date of service
    assert scalar(db_path, "select list(distinct submitted_date::varchar) from claims") == ["1996-09-18"]
    assert warnings_of(db_path) == [["file", "BHT04, the date this 837 was created (1996-09-18), is before the date of "
                                             "service of 2 of its claims: a header date that contradicts its own claims, "
                                             "kept as each claim's submitted_date (loaded as sent; --strict refuses it)"]]
    assert "BHT04" in scalar(db_path, "select message from source_files where path like '%bht_before_service.837p'")


def test_a_six_digit_hc_code_loads_its_line_with_a_warning_there(db_path):
    [result] = load_files([SIX_DIGIT_CODE], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("loaded", 2, 0)
    assert scalar(db_path, "select sum(charge) from claim_lines") == Decimal("240.00")  # 100 + 60 + 80
    assert scalar(db_path, "select charge from claim_lines where procedure_code = '478331'") == Decimal("60.00")
    [[locator, warning]] = warnings_of(db_path)
    assert locator == "segment 20"  # SV1*HC:478331*60
    assert warning.startswith("procedure code '478331' is neither a CPT code")


@pytest.mark.parametrize(("path", "status", "quarantined", "loaded_claims", "reason"), [
    (NEGATIVE_LINE, "partial", ["segment 9"], ["N101"], "the line pays -3.00"),
    (BHT_BEFORE_SERVICE, "rejected", ["segment 14", "segment 22"], [], "submitted_date 1996-09-18 is before the claim's date of service"),
    (SIX_DIGIT_CODE, "partial", ["segment 14"], ["H2"], "procedure code '478331'"),
], ids=["negative line payment", "BHT before service", "six-digit HC code"])
def test_strict_refuses_each_warned_record(db_path, path, status, quarantined, loaded_claims, reason):
    [result] = load_files([path], db_path, strict=True)

    assert result.status == status
    rows = scalar(db_path, "select list([locator, reason] order by locator) from quarantine")
    assert [locator for locator, _ in rows] == quarantined
    assert all(text.startswith(reason) and text.endswith("(refused: --strict)") for _, text in rows)
    table = "remit_claims" if path.suffix == ".835" else "claims"
    assert (scalar(db_path, f"select list(claim_id order by claim_id) from {table}") or []) == loaded_claims
    assert warnings_of(db_path) == []


def test_claimscope_load_strict_refuses_a_bht_date_before_the_services(db_path):
    result = CliRunner().invoke(app, ["load", str(BHT_BEFORE_SERVICE), "--db", str(db_path), "--strict"])

    assert result.exit_code == 1, result.output
    assert scalar(db_path, "select count(*) from quarantine") == 2
    assert scalar(db_path, "select count(*) from claims") == 0


def with_change(line: int, old: str, new: str) -> str:
    """The hand-made claims CSV with one substitution on one line (1 is the header)."""
    lines = (HAND_MADE / "claims.csv").read_text().splitlines()
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "warning"), [
    (with_change(4, ",99213,", ",9921X3,"), "procedure code '9921X3' is neither a CPT code"),
    (with_change(4, "2026-09-10,2026-09-10,2026-09-11", "2026-09-10,2026-09-10,2026-09-01"),
     "submitted_date 2026-09-01 is before the claim's date of service"),
], ids=["procedure code shape", "submitted before service"])
def test_a_csv_claim_line_loads_with_the_warning_at_its_own_line(db_path, tmp_path, text, warning):
    seeded = tmp_path / "claims.csv"
    seeded.write_text(text)

    [result] = load_files([seeded], db_path)

    assert (result.status, result.records_quarantined) == ("loaded", 0)
    assert scalar(db_path, "select count(*) from claims where claim_id = 'C1002'") == 1
    [[locator, text]] = warnings_of(db_path)
    assert locator == "line 4" and text.startswith(warning)


def test_a_public_837_with_a_1996_bht_and_a_six_digit_code_loads_both_claims(db_path):
    # imsweb x12_valid_different_separators.txt: BHT04 19960918, services March 2005; CLM02 500 + 500 = 1000.00, the
    # second claim's SV1 billing HC 478331
    [result] = load_files([FIXTURES / "x12_public" / "imsweb__x12-parser" / "x12_valid_different_separators.txt"], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("loaded", 2, 0)
    assert scalar(db_path, "select sum(total_charge) from claims") == Decimal("1000.00")
    ours = scalar(db_path, "select list([locator, split_part(warning, ',', 1)] order by locator) from load_warnings "
                           "where warning not like 'SE01%'")
    assert ours[0] == ["file", "BHT04"]
    assert ours[1][0].startswith("segment ") and ours[1][1].startswith("procedure code '478331' is neither") and len(ours) == 2


def test_every_classed_expectation_is_a_warning_with_its_rule_in_words():
    from etl.intake.policy import WARN_AND_LOAD, WARN_ON_THE_FILE
    from etl.intake.validate import SUITES_DIR

    classed = [(path.stem, item) for path in sorted(SUITES_DIR.glob("*.json"))
               for item in json.loads(path.read_text())["expectations"] if item["meta"].get("class") in (WARN_AND_LOAD, WARN_ON_THE_FILE)]

    assert len(classed) == 4  # negative line payment, BHT04 before service, 837 and 835 procedure code shape
    for suite, item in classed:
        assert item["severity"] == "warning", suite
        assert item["meta"]["class"] in (WARN_AND_LOAD, WARN_ON_THE_FILE), suite
        assert "{value}" in item["meta"]["warning"] and not item["meta"]["warning"].startswith("expect_"), suite
        if item["meta"]["class"] == WARN_ON_THE_FILE:
            assert "{count}" in item["meta"]["file_warning"], suite


def test_a_procedure_code_longer_than_sv101_holds_is_refused_without_a_warning(db_path, tmp_path):
    # SV101-2 holds at most 48 characters: 49 is no code any system sent, so H1 is refused and H2 (80.00) loads
    too_long = tmp_path / "too_long.837p"
    too_long.write_text(SIX_DIGIT_CODE.read_text().replace("SV1*HC:478331*", f"SV1*HC:{'4' * 49}*"))

    [result] = load_files([too_long], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 1, 1)
    assert scalar(db_path, "select sum(total_charge) from claims") == Decimal("80.00")
    assert scalar(db_path, "select reason from quarantine") == (
        "the line's procedure code (SV101-2 or SV202-2, or the procedure_code column of a CSV) is 49 characters long,"
        " more than the 48 the TR3 allows"
    )
    assert warnings_of(db_path) == []
