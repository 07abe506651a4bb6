"""The reconciliation models list exactly what a biller would reconcile by hand on a fixture built for it."""

from decimal import Decimal

import duckdb
import pytest

from etl.load import load_files
from tests.conftest import FIXTURES

FOLDER = FIXTURES / "reconciliation"


@pytest.fixture
def reconciled(db_path, tmp_path):
    unbalanced = tmp_path / "unbalanced.835"
    unbalanced.write_text((FIXTURES / "x12" / "cas_triplets_and_plb.835").read_text().replace("BPR*I*230.00", "BPR*I*235.50"))
    load_files([FOLDER / "claims.csv", FOLDER / "remits.csv", FOLDER / "remits_again.csv", unbalanced], db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    yield con
    con.close()


def rows(con, sql):
    return sorted(con.execute(sql).fetchall())


def test_each_claim_payment_is_matched_or_given_its_reason(reconciled):
    statuses = rows(reconciled, "select claim_id, payer_id, claim_status_code, match_status from int_claim_payments__matched_to_claims where payer_id like 'P%'")

    assert statuses == [
        ("D1", "P1", "4", "matched"),
        ("M1", "P1", "1", "matched"),
        ("M2", "P2", "1", "payer mismatch"),        # M2 was sent to P1 only
        ("R1", "P1", "1", "claim id reused"),       # two original R1 claims went to P1
        ("S1", "P1", "19", "matched"),
        ("S1", "P3", "2", "secondary payer"),       # the crossover pays the claim sent to P1
        ("X9", "P1", "1", "no claim on file"),
        ("X9", "P1", "1", "no claim on file"),      # the same ERA, loaded again from a second file
    ]


def test_a_matched_payment_points_at_the_claim_it_pays(reconciled):
    matched = rows(
        reconciled,
        "select m.claim_id, c.claim_id, c.payer_id from int_claim_payments__matched_to_claims m"
        " join claims c using (claim_record_id) where m.payer_id like 'P%'",
    )

    assert matched == [("D1", "D1", "P1"), ("M1", "M1", "P1"), ("S1", "S1", "P1"), ("S1", "S1", "P1")]


def test_unmatched_remits_and_claims_list_exactly_the_strays(reconciled):
    remits = rows(reconciled, "select claim_id, reason from unmatched_remits where payer_id like 'P%'")
    claims = rows(reconciled, "select claim_id, reason from unmatched_claims")

    assert remits == [("M2", "payer mismatch"), ("R1", "claim id reused"), ("X9", "no claim on file"), ("X9", "no claim on file")]
    # O1 was never paid; R1 was answered by its payer, though which R1 the payment is for is the remit's problem.
    assert claims == [("M2", "remitted under another payer"), ("O1", "no remittance received")]


def test_balancing_failures_show_the_difference_in_dollars(reconciled):
    failures = rows(reconciled, "select trace_number, identity, expected_amount, actual_amount, difference_amount from balancing_failures")

    assert failures == [("EFT777", "BPR02 = sum CLP04 - sum PLB", Decimal("230.00"), Decimal("235.50"), Decimal("5.50"))]


def test_the_same_era_loaded_from_two_files_is_listed_once(reconciled):
    duplicates = rows(reconciled, "select payer_id, trace_number, payment_amount, file_count from duplicate_eras")

    assert duplicates == [("P1", "T4", Decimal("25.00"), 2)]


def test_a_payment_dated_before_its_claim_was_sent_is_listed(reconciled):
    # D1 was submitted 2026-09-10 but its denial is in the 2026-09-01 payment run
    early = rows(reconciled, "select claim_id, submitted_date::varchar, payment_date::varchar, days_early from payments_before_submission")

    assert early == [("D1", "2026-09-10", "2026-09-01", 9)]
