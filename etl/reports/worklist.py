"""The biller's worklist as of a date: the one function the CLI and the Late payments page both call."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from etl.reports.scope import IN_SCOPE, Scope

WORKLIST_COLUMNS = [
    "claim_id", "payer_name", "patient_key", "service_date_from", "submitted_date", "work_status", "last_status_code",
    "last_denial_carc_code", "work_category", "balance_amount", "underpaid_amount", "days_outstanding", "aging_bucket", "deadline_days_left",
    "is_past_deadline", "is_past_expected_pay_date", "next_action", "recovery_likelihood", "priority_score",
]


# Highest priority first; ties go to the larger balance, then the claim id, so the order is stable.
WORKLIST_SQL = (
    f"select {', '.join(WORKLIST_COLUMNS)} from worklist($as_of) where {IN_SCOPE}"
    " order by priority_score desc, balance_amount desc, claim_id"
)


def worklist_rows(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> pl.DataFrame:
    """The insurance worklist as of a date for the claims in scope, highest priority first."""
    return con.sql(WORKLIST_SQL, params={"as_of": as_of, **scope.params()}).pl()
