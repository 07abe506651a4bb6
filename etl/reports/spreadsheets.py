"""A table as a CSV or Excel file that a spreadsheet program opens as data: text stays text, never a formula, money
is currency, a share a percentage rounded half up to the tenth of a percent the pages show, a score a plain number,
and dates are dates."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter

from etl.reports import columns, formats

# OWASP CSV injection: a text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel number formats by a column's kind (etl/reference/columns.csv); money is also any column named *_amount.
NUMBER_FORMATS = {"money": "$#,##0.00", "percent": "0.0%", "score": "#,##0", "days": "#,##0", "count": "#,##0"}
# A share keeps the decimals the pages show, 0.267 for 26.7%, rounded half up (etl.reports.formats.half_up).
PERCENT_PLACES = 3


def csv_bytes(frame: pl.DataFrame, headings: Mapping[str, str] | None = None) -> bytes:
    """CSV headed by `headings` (column names where it has none); a text cell that a spreadsheet would run as a
    formula starts with a quote, as OWASP advises, while numbers, negative money among them, stay numbers; a share is
    rounded half up to the decimals the pages show."""
    frame = _shares_rounded(frame)
    text = frame.with_columns(pl.col(name).cast(pl.String) for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical))
    guarded = text.with_columns(
        pl.when(_starts_formula(name)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in text.schema.items() if dtype == pl.String
    )
    return guarded.rename(_headings(frame, headings)).write_csv().encode()


def xlsx_bytes(frame: pl.DataFrame, sheet: str, headings: Mapping[str, str] | None = None) -> bytes:
    """An Excel workbook: bold frozen header row, an autofilter, money as currency, a share as a percentage, a score
    and a count as a plain number, dates as dates, text as text."""
    frame = _shares_rounded(frame)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    page = book.add_worksheet(sheet[:31])
    header, day = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    numbers = {kind: book.add_format({"num_format": shown}) for kind, shown in NUMBER_FORMATS.items()}
    number_format = {name: numbers.get(_kind(name)) for name in frame.columns}
    # Excel's own leading apostrophe: the cell keeps its exact text and stays text when someone edits it.
    quoted = book.add_format({"quote_prefix": True})
    named = _headings(frame, headings)
    for column, name in enumerate(frame.columns):
        page.write_string(0, column, named[name], header)
        page.set_column(column, column, max(12, min(48, len(named[name]) + 4)), number_format[name])
    for row_number, row in enumerate(frame.iter_rows(), start=1):
        for column, value in enumerate(row):
            name = frame.columns[column]
            if value is None:
                continue
            if isinstance(value, bool):
                page.write_boolean(row_number, column, value)
            elif isinstance(value, (int, float, Decimal)):
                page.write_number(row_number, column, float(value), number_format[name])
            elif isinstance(value, date):
                page.write_datetime(row_number, column, value, day)
            else:
                text = str(value)
                page.write_string(row_number, column, text, quoted if text.startswith(FORMULA_STARTS) else None)
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    book.close()
    return buffer.getvalue()


def write(frame: pl.DataFrame, out: Path, sheet: str, headings: Mapping[str, str] | None = None) -> None:
    """Write the table as CSV or Excel, by the file's suffix."""
    out.write_bytes(xlsx_bytes(frame, sheet, headings) if out.suffix.lower() == ".xlsx" else csv_bytes(frame, headings))


def _kind(name: str) -> str | None:
    """A column's kind as columns.csv lists it; an unlisted *_amount is money (the house's name for it)."""
    return columns.describe(name).kind or ("money" if name.endswith("_amount") else None)


def _shares_rounded(frame: pl.DataFrame) -> pl.DataFrame:
    return formats.rounded(frame, {name: PERCENT_PLACES for name in frame.columns if _kind(name) == "percent"})


def _starts_formula(name: str) -> pl.Expr:
    return pl.any_horizontal(pl.col(name).str.starts_with(start) for start in FORMULA_STARTS).fill_null(False)


def _headings(frame: pl.DataFrame, headings: Mapping[str, str] | None) -> dict[str, str]:
    return {name: (headings or {}).get(name, name) for name in frame.columns}
