"""The expectation suites run on every load: each catches its kind of bad value, names itself, and spares good rows."""

import json

import pytest

from etl.load import load_files
from tests.conftest import FIXTURES, HAND_MADE, scalar

CLAIMS = (HAND_MADE / "claims.csv").read_text()
REMITS = (HAND_MADE / "remits.csv").read_text()
AUDITS = (HAND_MADE / "audits.csv").read_text()


def with_change(text: str, line: int, old: str, new: str) -> str:
    """The CSV with one substitution on one line (1 is the header)."""
    lines = text.splitlines()
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


# (name, file text, quarantined locator, the reason in words: the field, its element or column, the value and the rule)
SEEDED = [
    ("icd-10 shape", with_change(CLAIMS, 4, "J06.9", "6J0.9"), "line 4", "the diagnosis code '6J09' (an HI code, or one in the diagnosis_codes column of a CSV) is not ICD-10-CM: a letter, a digit, then one to five letters or digits, without the dot"),
    ("service date in the future", with_change(CLAIMS, 10, "2026-10-20,2026-10-20,2026-10-22", "2031-10-20,2031-10-20,2031-10-22"), "line 10", "the claim's first date of service (DTP*472 or DTP*434 in loop 2300, else its earliest line's; or the service_date_from column of a CSV) is 2031-10-20, in the future"),
    ("service date beyond what a timestamp holds", with_change(CLAIMS, 10, "2026-10-20,2026-10-20,2026-10-22", "2999-10-20,2999-10-20,2999-10-22"), "line 10", "the claim's first date of service (DTP*472 or DTP*434 in loop 2300, else its earliest line's; or the service_date_from column of a CSV) is 2999-10-20, in the future"),
    ("claim status code", with_change(REMITS, 9, ",C1002,1,", ",C1002,9,").replace(",C1002,1,", ",C1002,9,"), "line 9", "the claim status (CLP02, or the claim_status_code column of a CSV) is '9', not a 005010X221A1 claim status code"),
    ("negative paid outside a reversal", with_change(REMITS, 11, ",0.00,0.00,BC-9001", ",-5.00,0.00,BC-9001"), "line 11", "the claim payment (CLP04, or the claim_paid column of a CSV) is -5.00, below zero on a claim that is not a reversal (CLP02 22)"),
    ("group code", with_change(REMITS, 11, ",CO,197,", ",ZZ,197,"), "line 11", "the adjustment group (CAS01, or the group_code column of a CSV) is 'ZZ', not one of CO, PR, OA, PI or CR"),
    ("audited code shape", with_change(AUDITS, 4, ",99215,99214,", ",99215,9921,"), "line 4", "the code the auditor settled on (the audited_code column) is '9921', neither a CPT code (five digits, or four and a letter) nor a HCPCS Level II code (a letter A-V and four digits)"),
]


@pytest.mark.parametrize(("name", "text", "locator", "reason"), SEEDED, ids=[row[0] for row in SEEDED])
def test_each_suite_catches_its_seeded_bad_value_names_itself_and_loads_the_rest(db_path, tmp_path, name, text, locator, reason):
    seeded = tmp_path / "seeded.csv"
    seeded.write_text(text)

    [result] = load_files([seeded], db_path)

    assert result.status == "partial", result.message
    quarantined = scalar(db_path, "select list([locator, reason] order by file_id, try_cast(split_part(locator, ' ', 2) as integer)) from quarantine")
    assert quarantined[0][0] == locator and reason in quarantined[0][1]
    # a record spanning more lines (C1002's payment, lines 9-10) takes them with it, each pointing at the first
    assert all(row[1].startswith(f"quarantined with its claim payment at {locator}: {reason}") for row in quarantined[1:])
    assert result.records_loaded > 0 and result.records_quarantined == len(quarantined)


@pytest.mark.parametrize(("charge", "quarantined"), [("0.01", 0), ("0.00", 1)])
def test_a_charge_on_the_suites_bound_is_judged_to_the_cent(db_path, tmp_path, charge, quarantined):
    # The suites see money as doubles; claims need total_charge >= 0.01, so one cent passes and nothing fails.
    seeded = tmp_path / "claims.csv"
    seeded.write_text(with_change(with_change(CLAIMS, 4, ",110.00,1,99213,", f",{charge},1,99213,"), 4, ",1,110.00,", f",1,{charge},"))

    [result] = load_files([seeded], db_path)

    assert result.records_quarantined == quarantined
    assert scalar(db_path, "select count(*) from claims where claim_id = 'C1002'") == 1 - quarantined


def test_a_claims_line_failing_takes_its_whole_claim_and_the_others_load(db_path, tmp_path):
    seeded = tmp_path / "claims.csv"
    # C1003 has three lines; its second line is dated in the future
    seeded.write_text(with_change(CLAIMS, 6, ",15.00,2026-09-15,", ",15.00,2031-09-15,"))

    [result] = load_files([seeded], db_path)

    assert scalar(db_path, "select list(claim_id order by claim_id) from claims") == ["C1001", "C1002", "C1004", "C1005"]
    assert scalar(db_path, "select count(*) from claim_lines") == 6
    # 9 lines in the file: 6 loaded, C1003's 3 quarantined, each with its own text: nothing is lost
    assert (result.records_loaded, result.records_quarantined) == (6, 3)
    rows = scalar(db_path, "select list([locator, reason, raw] order by try_cast(split_part(locator, ' ', 2) as integer)) from quarantine")
    assert [row[0] for row in rows] == ["line 5", "line 6", "line 7"]
    assert all(row[2].startswith("C1003,BCBS1,Blue Cross") for row in rows)
    assert rows[1][1].startswith(
        "quarantined with its claim at line 5: the line's date of service (DTP*472 in loop 2400, else the claim's;"
        " or the line_service_date column of a CSV) is 2031-09-15, in the future"
    )


def test_a_remit_claim_failing_takes_its_lines_adjustments_and_remarks(db_path, tmp_path):
    seeded = tmp_path / "remits.csv"
    # C1004's line 2 denial uses a group code that does not exist
    seeded.write_text(with_change(REMITS, 8, ",CO,97,", ",ZZ,97,"))

    [result] = load_files([seeded], db_path)

    assert scalar(db_path, "select count(*) from remit_claims where claim_id = 'C1004'") == 0
    assert scalar(db_path, "select count(*) from remit_adjustments") == 7  # 10 less C1004's three
    assert scalar(db_path, "select count(*) from remit_remarks") == 1  # M15 went with C1004
    # 10 CSV lines: C1004's 3 lines quarantined, each with its own text
    assert (result.records_loaded, result.records_quarantined) == (7, 3)
    assert scalar(db_path, "select count(*) from quarantine where raw like '%C1004%'") == 3


def test_a_file_whose_records_all_fail_is_rejected(db_path, tmp_path):
    seeded = tmp_path / "audits.csv"
    lines = AUDITS.splitlines()
    seeded.write_text("\n".join([lines[0]] + [line.replace("2026-10-", "2031-10-") for line in lines[1:]]) + "\n")

    [result] = load_files([seeded], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("rejected", 0, 5)


def test_a_warning_loads_the_row_and_is_recorded_with_a_sample(db_path, tmp_path):
    seeded = tmp_path / "claims.csv"
    # 1987654320 fails the NPI Luhn check (1987654328 passes)
    seeded.write_text(with_change(with_change(CLAIMS, 2, ",1987654328,", ",1987654320,"), 3, ",1987654328,", ",1987654320,"))

    [result] = load_files([seeded], db_path)

    assert result.status == "loaded"
    run = scalar(
        db_path,
        "select [severity, success::varchar, unexpected_count::varchar, sample_values] from validation_runs"
        " where expectation = 'expect_column_values_to_be_in_set(rendering_npi_passes_luhn)'",
    )
    assert run[:3] == ["warning", "false", "1"]
    assert json.loads(run[3]) == ["'1987654320'"]


def test_every_load_records_each_suite_it_ran(db_path):
    load_files([HAND_MADE], db_path)

    suites = scalar(db_path, "select list(distinct suite order by suite) from validation_runs")
    assert suites == [
        "claim_diagnoses", "claim_lines", "claims", "coding_audits", "patients",
        "remit_adjustments", "remit_claims", "remit_payments", "remit_remarks", "remit_service_lines",
    ]
    assert scalar(db_path, "select count(*) from validation_runs where not success") == 0


def test_an_835_payment_failing_takes_every_claim_in_it(db_path, tmp_path):
    negative = tmp_path / "negative.835"
    negative.write_text((FIXTURES / "x12" / "cas_triplets_and_plb.835").read_text().replace("BPR*I*230.00", "BPR*I*-230.00"))

    [result] = load_files([negative], db_path)

    assert result.status == "rejected"
    assert scalar(db_path, "select [locator, reason] from quarantine") == [
        "segment 3", "the payment amount (BPR02, or the payment_amount column of a CSV) is -230.00, below zero; a negative balance is sent as a PLB FB adjustment"
    ]
    assert scalar(db_path, "select count(*) from remit_claims") == 0


def test_an_835_line_with_a_malformed_hcpcs_code_loads_its_claim_payment_with_a_warning_at_the_svc(db_path, tmp_path):
    bad_line = tmp_path / "bad_line.835"
    bad_line.write_text((FIXTURES / "x12" / "cas_triplets_and_plb.835").read_text().replace("SVC*HC:20610*", "SVC*HC:2061*"))

    [result] = load_files([bad_line], db_path)

    assert scalar(db_path, "select count(*) from quarantine") == 0
    assert scalar(db_path, "select list(claim_id order by claim_id) from remit_claims") == ["T099", "T100"]
    assert (result.status, result.records_loaded) == ("loaded", 2)
    [[locator, warning]] = scalar(db_path, "select list([locator, warning]) from load_warnings")
    assert locator == "segment 18" and warning.startswith("procedure code '2061' is neither a CPT code")  # SVC*HC:2061


def test_an_unknown_rarc_is_a_warning_that_loads_and_is_recorded(db_path, tmp_path):
    seeded = tmp_path / "seeded.835"
    seeded.write_text((FIXTURES / "x12" / "cas_triplets_and_plb.835").read_text().replace("LQ*HE*N130", "LQ*HE*ZZ999"))

    [result] = load_files([seeded], db_path)

    assert result.status == "loaded"
    failing = scalar(db_path, "select list([expectation, sample_values]) from validation_runs where suite = 'remit_remarks' and not success")
    assert failing == [["expect_column_values_to_be_in_set(code)", json.dumps(["'ZZ999'"])]]
    assert scalar(db_path, "select list(code order by code) from remit_remarks") == ["MA01", "N4", "ZZ999"]


def test_patient_birth_dates_out_of_range_are_warnings_with_masked_samples(db_path, tmp_path):
    seeded = tmp_path / "claims.csv"
    seeded.write_text(CLAIMS.replace("1950-03-14", "1850-03-14"))

    [result] = load_files([seeded], db_path)

    assert result.status == "loaded"
    run = scalar(db_path, "select [severity, sample_values] from validation_runs where suite = 'patients' and not success")
    assert run == ["warning", json.dumps(["(masked)"])]


def test_provider_adjustment_suite_catches_a_missing_reason(tmp_path):
    import polars as pl

    from etl.intake.validate import FILE, ROW, SuiteRunner

    rows = pl.DataFrame({"payment_id": [0, 0], "reason_code": ["L6", None], "amount": ["-5.00", "25.00"], "fiscal_date": [None, None]})
    frame = rows.with_columns(pl.col("amount").cast(pl.Decimal(18, 2)), pl.col("fiscal_date").cast(pl.Date)).with_row_index(ROW).with_columns(
        pl.col(ROW).cast(pl.Int64), pl.lit(0, pl.Int64).alias(FILE)
    )

    outcomes = SuiteRunner(__import__("datetime").date(2026, 11, 26)).run("provider_adjustments", frame)

    failed = {outcome.expectation: [failure.row for failure in outcome.failures] for outcome in outcomes if outcome.failures}
    assert failed == {"expect_column_values_to_not_be_null(reason_code)": [1]}
