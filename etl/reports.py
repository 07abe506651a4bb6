"""Reports the CLI exports, read from the marts with the as-of date bound as a parameter."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

WORKLIST_COLUMNS = [
    "claim_id", "payer_name", "patient_key", "service_date_from", "submitted_date", "work_status", "last_status_code",
    "last_denial_carc_code", "work_category", "balance", "days_outstanding", "aging_bucket", "deadline_days_left",
    "is_past_deadline", "next_action", "recovery_likelihood", "priority_score",
]


# Highest priority first; ties go to the larger balance, then the claim id, so the order is stable.
WORKLIST_SQL = f"select {', '.join(WORKLIST_COLUMNS)} from worklist($as_of) order by priority_score desc, balance desc, claim_id"


def worklist_rows(con: duckdb.DuckDBPyConnection, as_of: date) -> pl.DataFrame:
    """The insurance worklist as of a date, highest priority first."""
    return con.sql(WORKLIST_SQL, params={"as_of": as_of}).pl()
