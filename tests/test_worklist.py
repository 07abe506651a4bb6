"""The biller's worklist and claim balances on a hand-built practice, every figure worked out by hand."""

import csv
import io
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.load import load_files
from etl.reports.worklist import worklist_rows
from tests.conftest import FIXTURES

AS_OF = date(2026, 11, 26)
AUTH_ACTION = "Obtain/attach valid prior auth or referral (retro-auth if allowed); otherwise appeal or write off per policy"


@pytest.fixture
def practice(worklist_practice):
    return worklist_practice


def test_worklist_rows_and_priorities_match_the_hand_computation(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        rows = worklist_rows(con, AS_OF).select(
            "claim_id", "work_status", "balance_amount", "days_outstanding", "aging_bucket", "deadline_days_left", "priority_score"
        ).rows()

    assert rows == [
        # no answer from Aetna: 56 days since service (31-60); filing limit 120 days -> 2027-01-29, 64 days left;
        # 200.00 x 0.90 (no_response, 31-60) x 1 = 180.00
        ("W1", "no response", Decimal("200.00"), 54, "31-60", 64, Decimal("180.00")),
        # Cigna denied CO-197 on 2026-09-01: appeal window 180 days -> 2027-02-28, 94 days left; 117 days since service;
        # 300.00 x 0.30 (authorization_referral, 91-120) x 1 = 90.00
        ("W2", "denied", Decimal("300.00"), 113, "91-120", 94, Decimal("90.00")),
        # Cigna never answered; its 90-day filing limit passed on 2026-08-30, but W4 was first sent on 2026-06-03, two
        # days after service: the limit is met, no deadline is pending, and it is followed up, not written off;
        # 150.00 x 0.45 (no_response, 120+) x 1 = 67.50
        ("W4", "no response", Decimal("150.00"), 176, "120+", None, Decimal("67.50")),
        # Aetna paid 100.00 and wrote off 50.00 of 250.00: 100.00 left; appeal window from 2026-11-05 -> 159 days;
        # 100.00 x 0.55 (partial_payment, 31-60) x 1 = 55.00
        ("W6", "partially paid", Decimal("100.00"), 41, "31-60", 159, Decimal("55.00")),
    ]


def test_denials_carry_their_carc_category_and_next_action(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        w2 = worklist_rows(con, AS_OF).filter(claim_id="W2").row(0, named=True)

    assert (w2["last_denial_carc_code"], w2["work_category"], w2["next_action"]) == ("197", "authorization_referral", AUTH_ACTION)


def test_a_claim_filed_on_time_and_never_answered_is_followed_up_with_its_proof_of_timely_filing(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        w4 = worklist_rows(con, AS_OF).filter(claim_id="W4").row(0, named=True)

    # Served 2026-06-01, first sent 2026-06-03: inside Cigna's 90 days, though the limit itself passed on 2026-08-30.
    assert (w4["is_past_deadline"], w4["deadline_days_left"]) == (False, None)
    assert w4["next_action"] == ("Follow up with proof of timely filing: first sent 2026-06-03 (2 days after service, inside "
                                 "the 90-day limit); check claim status (276/277) and resubmit with the proof if the payer "
                                 "has no record of it")
    assert w4["priority_reason"].endswith("× 1.0 (filed on time: no deadline pending)")


def worklist_row_of_one_claim(practice, tmp_path, claim_id: str, line: str) -> dict:
    """A claims CSV of one line in the worklist fixture's layout, loaded into the practice; its worklist row."""
    header = (FIXTURES / "worklist" / "claims.csv").read_text().splitlines()[0]
    (tmp_path / f"{claim_id}.csv").write_text(f"{header}\n{line}\n")
    load_files([tmp_path / f"{claim_id}.csv"], practice)
    with duckdb.connect(str(practice), read_only=True) as con:
        return worklist_rows(con, AS_OF).filter(claim_id=claim_id).row(0, named=True)


def test_a_submission_dated_before_its_service_is_no_proof_of_timely_filing(practice, tmp_path):
    # Served 2026-03-02 and "sent" 2025-12-01, three months before (a batch header's date that predates its claims):
    # loaded with a warning, but no proof of timely filing; Cigna's 90 days ran out on 2026-05-31.
    early = worklist_row_of_one_claim(practice, tmp_path, "E1", "E1,62308,Cigna,C9,BIRCH,IDA,1970-01-01,1234567893,,CD1,"
                                      "professional,1,11,2026-03-02,,2025-12-01,80.00,1,99213,,1,80.00,,I10")

    assert (early["is_past_deadline"], early["deadline_days_left"]) == (True, -179)
    assert not early["next_action"].startswith("Follow up with proof of timely filing")


def test_a_claim_filed_after_its_limit_is_flagged_for_write_off_review(practice, tmp_path):
    # Served 2026-03-02, first sent 2026-07-15: 135 days, past Cigna's 90; never answered.
    late = worklist_row_of_one_claim(practice, tmp_path, "L1", "L1,62308,Cigna,C9,BIRCH,IDA,1970-01-01,1234567893,,CD1,"
                                     "professional,1,11,2026-03-02,,2026-07-15,80.00,1,99213,,1,80.00,,I10")

    # The limit ran out on 2026-05-31 (2026-03-02 + 90 days), 179 days before the as-of date.
    assert (late["is_past_deadline"], late["deadline_days_left"], late["priority_score"]) == (True, -179, Decimal("0.00"))
    assert late["next_action"] == "Write-off review: past the timely-filing or appeal deadline"


def test_paid_claims_self_pay_and_reversal_pairs_are_not_worked(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        on_list = set(worklist_rows(con, AS_OF)["claim_id"])
        w5 = con.execute(
            "select paid_to_date_amount, paid_amount, contractual_amount, patient_responsibility_amount, balance_amount, last_status_code"
            " from claim_balances(?) where claim_id = 'W5'",
            [AS_OF],
        ).fetchall()[0]

    # W3: Medicare paid 60.00, CO-45 30.00, PR-2 10.00 of 100.00; W7 is self-pay; W8 was paid in full.
    assert on_list.isdisjoint({"W3", "W5", "W7", "W8"})
    # W5: paid 80.00, reversed (-80.00), paid again 70.00 with CO-45 40.00 and PR-3 10.00: 120 - 70 - 40 - 10 = 0
    assert w5 == (Decimal("70.00"), Decimal("70.00"), Decimal("40.00"), Decimal("10.00"), Decimal("0.00"), "1")


def test_the_as_of_date_moves_claims_between_buckets_and_hides_later_events(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        early = {row[0]: row[1:] for row in worklist_rows(con, date(2026, 10, 25)).select("claim_id", "aging_bucket", "work_status").rows()}

    # 2026-10-25: W1 is 24 days from service; W6 was sent but not yet paid; W5's reversal and correction have happened.
    assert early["W1"] == ("0-30", "no response")
    assert early["W6"] == ("0-30", "no response")
    assert "W5" not in early


def test_worklist_cli_writes_csv_with_the_documented_columns(practice, tmp_path):
    out = tmp_path / "worklist.csv"

    result = CliRunner().invoke(app, ["worklist", "--db", str(practice), "--as-of", "2026-11-26", "--format", "csv", "--out", str(out)])

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    for column in ("claim_id", "payer_name", "balance_amount", "days_outstanding", "aging_bucket", "deadline_days_left", "next_action", "priority_score"):
        assert column in rows[0]
    assert [(row["claim_id"], row["aging_bucket"], row["priority_score"]) for row in rows] == [
        ("W1", "31-60", "180.00"), ("W2", "91-120", "90.00"), ("W4", "120+", "67.50"), ("W6", "31-60", "55.00"),
    ]
    assert "last_name" not in rows[0] and "member_id" not in rows[0]


def test_worklist_cli_writes_an_excel_workbook(practice, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "worklist.xlsx"

    result = CliRunner().invoke(app, ["worklist", "--db", str(practice), "--as-of", "2026-11-26", "--format", "xlsx", "--out", str(out)])

    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["worklist"]
    header = [cell.value for cell in sheet[1]]
    assert [row[header.index("claim_id")] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["W1", "W2", "W4", "W6"]
    # W2's last claim status in words (CLP02 4), as the Late payments page shows it
    assert [row[header.index("last_status_code")] for row in sheet.iter_rows(min_row=2, values_only=True)][1] == "Denied"


def test_self_pay_claims_are_not_listed_as_waiting_for_a_remittance(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        waiting = con.execute("select claim_id from unmatched_claims order by claim_id").fetchall()

    # W1 (Aetna) and W4 (Cigna) have had no answer; W7 is self-pay, so no payer will ever answer it.
    assert waiting == [("W1",), ("W4",)]
