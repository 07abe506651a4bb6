"""Paid claims the payer allowed below its usual rate: found line by line, and put on the worklist with the shortfall.

The fixture (tests/fixtures/underpayment) is ten Aetna PPO claims for 99213, paid 2026-10-01: six allowed at 100.00,
U7 at 90.00, U8 at 99.00, U9 two units at 190.00, and U10 one line at 100.00 and one denied (CO-97); and three Cigna
claims, too few for a usual rate.
"""

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from etl.load import load_files
from etl.reports.worklist import worklist_rows
from tests.conftest import FIXTURES

AS_OF = date(2026, 11, 26)


@pytest.fixture
def practice(db_path):
    load_files([FIXTURES / "underpayment"], db_path)
    return db_path


def underpaid_lines(db_path, as_of: date) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            "select claim_id, units, allowed_amount, usual_allowed_per_unit, history_lines, expected_allowed_amount,"
            " shortfall_amount from underpaid_lines(?) order by claim_id",
            [as_of],
        ).fetchall()


def test_lines_below_the_payers_usual_rate_by_more_than_the_tolerance_are_underpaid(practice):
    assert underpaid_lines(practice, AS_OF) == [
        # Aetna's ten allowed-per-unit amounts sorted: 90, 95, 99, 100 x 7 (U10's denied line allowed nothing and
        # does not count); the median is 100.00.
        # U7: 90.00 < 100.00 x 0.98 = 98.00, short 10.00.
        ("U7", Decimal("1.000"), Decimal("90.00"), Decimal("100.00"), 10, Decimal("100.00"), Decimal("10.00")),
        # U9: two units allowed 190.00 is 95.00 a unit < 98.00; expected 200.00, short 10.00.
        ("U9", Decimal("2.000"), Decimal("190.00"), Decimal("100.00"), 10, Decimal("200.00"), Decimal("10.00")),
        # U8 (99.00) is within the 2% tolerance; U10's denied line is a denial, not an underpayment; Cigna's three
        # lines are too few to judge V3's 60.00 by.
    ]


def test_underpaid_claims_are_on_the_worklist_with_their_shortfall(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        rows = worklist_rows(con, AS_OF).select(
            "claim_id", "work_status", "balance_amount", "underpaid_amount", "aging_bucket", "deadline_days_left", "priority_score"
        ).rows()

    assert rows == [
        # U10's denied line stays open as a partial payment: 150.00 x 0.45 (partial_payment, 61-90; service 2026-09-10
        # is 77 days old) x 2 (same remit, 4 days left) = 135.00. Its paid line is at the usual rate: nothing underpaid.
        ("U10", "partially paid", Decimal("150.00"), Decimal("0.00"), "61-90", 4, Decimal("135.00")),
        # Paid in full per the remit (balance 0). The appeal window of a payer not listed is 60 days from the remit:
        # 2026-10-01 + 60 = 2026-11-30, 4 days left, so the boost is 2. Service 2026-09-07 is 80 days old (61-90):
        # 10.00 x 0.60 (underpayment, 61-90) x 2 = 12.00.
        ("U7", "underpaid", Decimal("0.00"), Decimal("10.00"), "61-90", 4, Decimal("12.00")),
        # Service 2026-09-09 is 78 days old; the same shortfall, likelihood and boost.
        ("U9", "underpaid", Decimal("0.00"), Decimal("10.00"), "61-90", 4, Decimal("12.00")),
    ]


def test_the_usual_rate_comes_only_from_the_year_before_the_as_of_date(practice):
    # Before the payments arrive there is nothing to judge; a year after them the history has aged out.
    assert underpaid_lines(practice, date(2026, 9, 30)) == []
    assert underpaid_lines(practice, date(2027, 10, 2)) == []
    assert [row[0] for row in underpaid_lines(practice, date(2027, 9, 30))] == ["U7", "U9"]


def test_a_rate_per_unit_is_rounded_half_up_to_the_cent(db_path, tmp_path):
    # 99.99 allowed over 2 units is 49.995 a unit: 50.00 half up (a DOUBLE division gave 49.99, Spark's DECIMAL 50.00);
    # 100.00 over 3 units is 33.333...: 33.33.
    head = (FIXTURES / "underpayment" / "claims.csv").read_text().splitlines()[0]
    (tmp_path / "claims.csv").write_text("\n".join([
        head,
        "H1,AET01,Aetna PPO,M1,SAMPLE,PAT1,1970-01-01,1234567893,1987654328,CD1,professional,1,11,2026-09-01,2026-09-01,2026-09-03,150.00,1,99213,,2,150.00,2026-09-01,I10",
        "H2,AET01,Aetna PPO,M2,SAMPLE,PAT2,1970-01-01,1234567893,1987654328,CD1,professional,1,11,2026-09-01,2026-09-01,2026-09-03,150.00,1,99213,,3,150.00,2026-09-01,I10",
    ]) + "\n")
    head = (FIXTURES / "underpayment" / "remits.csv").read_text().splitlines()[0]
    # H1: 150.00 = 79.99 paid + 50.01 CO-45 + 20.00 PR-2, allowed 99.99; H2: 150.00 = 80.00 + 50.00 + 20.00, allowed 100.00
    (tmp_path / "remits.csv").write_text("\n".join([
        head,
        "EFT-H,AET01,Aetna PPO,1234567893,ACH,159.99,2026-10-01,H1,1,150.00,79.99,20.00,P-H1,CI,2026-09-01,2026-09-01,2026-09-01,1,99213,,150.00,79.99,99.99,2,2026-09-01,CO,45,50.01,,",
        "EFT-H,AET01,Aetna PPO,1234567893,ACH,159.99,2026-10-01,H1,1,150.00,79.99,20.00,P-H1,CI,2026-09-01,2026-09-01,2026-09-01,1,99213,,150.00,79.99,99.99,2,2026-09-01,PR,2,20.00,,",
        "EFT-H,AET01,Aetna PPO,1234567893,ACH,159.99,2026-10-01,H2,1,150.00,80.00,20.00,P-H2,CI,2026-09-01,2026-09-01,2026-09-01,1,99213,,150.00,80.00,100.00,3,2026-09-01,CO,45,50.00,,",
        "EFT-H,AET01,Aetna PPO,1234567893,ACH,159.99,2026-10-01,H2,1,150.00,80.00,20.00,P-H2,CI,2026-09-01,2026-09-01,2026-09-01,1,99213,,150.00,80.00,100.00,3,2026-09-01,PR,2,20.00,,",
    ]) + "\n")

    results = load_files([tmp_path / "claims.csv", tmp_path / "remits.csv"], db_path)

    assert [result.status for result in results] == ["loaded", "loaded"], results
    with duckdb.connect(str(db_path), read_only=True) as con:
        rates = con.execute("select allowed_per_unit::varchar, line_count from paid_line_rates order by 1").fetchall()
    assert rates == [("33.33", 1), ("50.00", 1)]
