"""Tables as files (the work queue, the worklist): CSV and Excel of exactly the rows and order on screen, money
formatted, never a formula."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter

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
# Money columns: the house names them *_amount; the priority score is dollars at stake too.
MONEY_NAMES = ("priority_score",)
HIDDEN_NOTE = "(hidden: notes may hold PHI)"
# OWASP CSV injection: a text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def queue_export(rows: pl.DataFrame, phi: bool) -> pl.DataFrame:
    """The queue's export columns in order; without PHI, patients are masked tags and notes hidden."""
    if "patient_key" in rows.columns:
        tag = pl.lit("patient ••") + pl.col("patient_key").str.slice(-4)
        rows = rows.with_columns(pl.when(pl.col("patient_key").is_not_null()).then(tag).alias("patient"))
    if not phi and "latest_note" in rows.columns:
        rows = rows.with_columns(pl.when(pl.col("latest_note").is_not_null()).then(pl.lit(HIDDEN_NOTE)).alias("latest_note"))
    order = [name for name in COLUMNS if name in rows.columns]
    identities = [name for name in ("patient_name", "member_id") if name in rows.columns]
    return rows.select(*order[:order.index("payer_name") + 1], *identities, *order[order.index("payer_name") + 1:])


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV with the headings; a text cell that a spreadsheet would run as a formula starts with a quote."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    guarded = frame.with_columns(
        pl.when(_starts_formula(name)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text
    )
    return guarded.rename(_headings(guarded)).write_csv().encode()


def xlsx_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """An Excel workbook: bold frozen header row, an autofilter, money as currency, dates as dates, text as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    page = book.add_worksheet(sheet[:31])
    header, money, day = book.add_format({"bold": True}), book.add_format({"num_format": "$#,##0.00"}), book.add_format({"num_format": "yyyy-mm-dd"})
    headings = _headings(frame)
    for column, name in enumerate(frame.columns):
        page.write_string(0, column, headings[name], header)
        page.set_column(column, column, max(12, min(48, len(headings[name]) + 4)), money if _is_money(name) else None)
    for row_number, row in enumerate(frame.iter_rows(), start=1):
        for column, value in enumerate(row):
            name = frame.columns[column]
            if value is None:
                continue
            if isinstance(value, bool):
                page.write_boolean(row_number, column, value)
            elif isinstance(value, (int, float, Decimal)):
                page.write_number(row_number, column, float(value), money if _is_money(name) else None)
            elif isinstance(value, date):
                page.write_datetime(row_number, column, value, day)
            else:
                page.write_string(row_number, column, str(value))
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    book.close()
    return buffer.getvalue()


def write(frame: pl.DataFrame, out: Path, sheet: str) -> None:
    """Write the export as CSV or Excel, by the file's suffix."""
    out.write_bytes(xlsx_bytes(frame, sheet) if out.suffix.lower() == ".xlsx" else csv_bytes(frame))


def _is_money(name: str) -> bool:
    return name.endswith("_amount") or name in MONEY_NAMES


def _starts_formula(name: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(name).str.starts_with(start) for start in FORMULA_STARTS).fill_null(False)


def _headings(frame: pl.DataFrame) -> dict[str, str]:
    return {name: COLUMNS.get(name, name.replace("_", " ").capitalize()) for name in frame.columns}
