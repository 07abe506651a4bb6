"""The work queue as a file: its columns in the screen's order, readable headings, values in words (statuses, appeal
levels and outcomes, categories), patients masked and notes hidden for a role without PHI; written by
etl.reports.spreadsheets, so never a formula."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from etl.reports import columns, spreadsheets
from etl.work.appeals import LEVELS, OUTCOMES
from etl.work.items import STATUSES

# The export's columns and headings, in order; patient and note columns are masked for a role without PHI.
COLUMNS = {
    "claim_id": "Claim", "owner_name": "Owner", "status": "Work status", "follow_up_date": "Follow up",
    "next_action": "Next action", "priority_score": "Priority", "priority_reason": "Why this priority",
    "payer_name": "Payer", "patient": "Patient", "service_date_from": "Date of service", "submitted_date": "Submitted",
    "work_status": "Claim status", "work_category": "Category", "balance_amount": "Balance", "underpaid_amount": "Underpaid",
    "days_outstanding": "Days outstanding", "aging_bucket": "Aging bucket", "deadline_days_left": "Deadline (days left)",
    "expected_pay_date": "Expected pay date", "is_not_yet_due": "Not yet due", "appeal_level": "Appeal",
    "decision_due_date": "Decision due", "appeal_outcome": "Appeal outcome", "latest_note": "Latest note",
}
HIDDEN_NOTE = "(hidden: notes may hold PHI)"
# The queue's own values in words, as the page names them: work status, appeal level and outcome.
WORDS = {"status": STATUSES, "appeal_level": LEVELS, "appeal_outcome": OUTCOMES}


def queue_export(rows: pl.DataFrame, phi: bool) -> pl.DataFrame:
    """The queue's export columns in order, each value in words ("appealed" → "Appealed", "first" → "First level",
    "missing_information" → "Missing information"); without PHI, patients are masked tags and notes hidden."""
    if "patient_key" in rows.columns:
        tag = pl.lit("patient ••") + pl.col("patient_key").str.slice(-4)
        rows = rows.with_columns(pl.when(pl.col("patient_key").is_not_null()).then(tag).alias("patient"))
    if not phi and "latest_note" in rows.columns:
        rows = rows.with_columns(pl.when(pl.col("latest_note").is_not_null()).then(pl.lit(HIDDEN_NOTE)).alias("latest_note"))
    rows = readable(rows)
    order = [name for name in COLUMNS if name in rows.columns]
    identities = [name for name in ("patient_name", "member_id") if name in rows.columns]
    return rows.select(*order[:order.index("payer_name") + 1], *identities, *order[order.index("payer_name") + 1:])


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame's coded values in words, as the pages show them: categories and claim status codes
    (etl.reports.columns.in_words), and the work queue's statuses, appeal levels and outcomes."""
    return columns.in_words(frame, *columns.NAMED_IN_WORDS, *columns.CLAIM_STATUS_CODED).with_columns(
        pl.col(name).replace_strict(words, default=pl.col(name), return_dtype=pl.String)
        for name, words in WORDS.items() if frame.schema.get(name) == pl.String
    )


def headings(frame: pl.DataFrame) -> dict[str, str]:
    """Each column's heading in the export: the queue's own, or the one every page gives it (etl/reference/columns.csv)."""
    return {name: COLUMNS.get(name) or columns.heading(name) for name in frame.columns}


def xlsx_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """An Excel workbook with readable headings, never a formula (etl.reports.spreadsheets)."""
    return spreadsheets.xlsx_bytes(frame, sheet, headings(frame))


def write(frame: pl.DataFrame, out: Path, sheet: str) -> None:
    """Write the export as CSV or Excel, by the file's suffix."""
    spreadsheets.write(frame, out, sheet, headings(frame))
