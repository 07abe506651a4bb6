"""The biller's worklist as of a date: the one function the CLI and the Late payments page both call."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from etl.reports.scope import IN_SCOPE, Scope

WORKLIST_COLUMNS = [
    "claim_id", "payer_name", "patient_key", "service_date_from", "submitted_date", "work_status", "last_status_code",
    "last_denial_carc_code", "work_category", "balance_amount", "underpaid_amount", "days_outstanding", "aging_bucket", "deadline_days_left",
    "is_past_deadline", "is_past_expected_pay_date", "is_not_yet_due", "expected_pay_date", "next_action",
    "recovery_likelihood", "priority_score", "priority_reason",
]


# Claims that are due first, and among them the highest priority; a claim still inside its payer's expected days to
# pay comes after every claim that is due, however large. Ties go to the larger balance, then the claim id.
WORKLIST_SQL = (
    f"select {', '.join(WORKLIST_COLUMNS)} from worklist($as_of) where {IN_SCOPE}"
    " order by is_not_yet_due, priority_score desc, balance_amount desc, claim_id"
)


# One claim's rows, with which deadline applies and its date: the Claim page's summary.
CLAIM_COLUMNS = ["claim_record_id", *WORKLIST_COLUMNS, "deadline_date", "deadline_basis", "first_submitted_date"]
CLAIM_SQL = f"select {', '.join(CLAIM_COLUMNS)} from worklist($as_of) where claim_id = $claim_id order by payer_name"


def worklist_rows(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> pl.DataFrame:
    """The insurance worklist as of a date for the claims in scope, highest priority first."""
    return con.sql(WORKLIST_SQL, params={"as_of": as_of, **scope.params()}).pl()


def claim_worklist_rows(con: duckdb.DuckDBPyConnection, as_of: date, claim_id: str) -> pl.DataFrame:
    """The claim's worklist rows as of a date (one per payer it is open with); none when nothing is left to work."""
    return con.sql(CLAIM_SQL, params={"as_of": as_of, "claim_id": claim_id}).pl()
