"""An Excel workbook's first visible sheet as CSV text, bounded in rows and cells, with formulas only as the values Excel saved."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

from etl.intake.records import LoadError

# A sheet is held in memory whole, and a few kilobytes of XML can declare a million rows or columns: these bound what
# one workbook (a 50 MB upload) can cost. A longer export loads as CSV.
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELLS = 2_000_000
# The parts of an .xlsx are deflated XML; a zip bomb expands a few MB into gigabytes.
MAX_EXPANDED_BYTES = 100_000_000
# What a damaged archive raises from zipfile, zlib or openpyxl's readers.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, ValueError, TypeError, AttributeError)


def first_sheet_as_csv(data: bytes, name: str) -> str:
    """The first sheet as CSV text, sheet row N as CSV line N; a workbook too large, unreadable or holding formulas
    with no saved value is a LoadError naming the file."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        _check_expanded_size(data, name)
        rows = _rows(data, name, data_only=False)
        if any(isinstance(value, str) and value.startswith("=") for row in rows for value in row):
            rows = _with_saved_values(rows, _rows(data, name, data_only=True), name)
    except ParseError as error:  # expat's own words, never the document's: an entity bomb breaches its amplification limit
        raise LoadError(f"{name}: the workbook's XML cannot be read ({error})") from error
    except (InvalidFileException, *_UNREADABLE) as error:
        raise LoadError(f"{name}: a zip archive that is not a readable Excel workbook ({error.__class__.__name__})") from error
    while rows and not any(rows[-1]):
        rows.pop()
    # rows were read without their trailing empty cells; a CSV line holds every column, blank ones included
    width = max((len(row) for row in rows), default=0)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        [[_cell_text(value, name, line) for value in row] + [""] * (width - len(row)) for line, row in enumerate(rows, 1)])
    return text.getvalue()


def _check_expanded_size(data: bytes, name: str) -> None:
    expanded = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    if expanded > MAX_EXPANDED_BYTES:
        raise LoadError(f"{name}: the workbook expands to {expanded:,} bytes, over the {MAX_EXPANDED_BYTES:,} read; save it as CSV")


def _rows(data: bytes, name: str, data_only: bool) -> list[tuple]:
    """The first sheet's rows, trailing empty cells dropped; stop with a LoadError past the bounds."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        # the first sheet a person sees: a hidden or very hidden one (a lookup list, an old copy) is not the data
        sheet = next((sheet for sheet in workbook.worksheets if getattr(sheet, "sheet_state", "visible") == "visible"), None)
        if sheet is None:
            raise LoadError(f"{name}: the workbook has no visible sheet")
        if (sheet.max_column or 0) > MAX_COLUMNS or (sheet.max_row or 0) > MAX_ROWS:
            sheet.reset_dimensions()  # a declared range pads every row to it; count the cells actually there
        rows, cells = [], 0
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
            while row and row[-1] is None:
                row = row[:-1]
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise LoadError(f"{name}: the first sheet has more than {MAX_ROWS:,} rows; save it as CSV")
            if len(row) > MAX_COLUMNS:
                raise LoadError(f"{name}: line {len(rows)}: the row has more than {MAX_COLUMNS} columns")
            if cells > MAX_CELLS:
                raise LoadError(f"{name}: the first sheet has more than {MAX_CELLS:,} cells; save it as CSV")
        return rows
    finally:
        workbook.close()


def _with_saved_values(formulas: list[tuple], saved: list[tuple], name: str) -> list[tuple]:
    """The values Excel saved for the formula cells; a formula never calculated (written by a script, say) has none,
    and loading it as blank would record, for instance, an audit finding of nothing as "agree"."""
    for number, (formula_row, saved_row) in enumerate(zip(formulas, saved), start=1):
        for column, (formula, value) in enumerate(zip(formula_row, saved_row + (None,) * len(formula_row)), start=1):
            if isinstance(formula, str) and formula.startswith("=") and value is None:
                raise LoadError(
                    f"{name}: line {number}: column {column} holds a formula with no saved value; open the workbook "
                    "in Excel, save it, and load it again"
                )
    return saved


# Excel keeps 15 significant digits of a number: a longer id typed as a number (a 20-digit claim id) is already
# rounded in the workbook, and no reading of it gives the digits back.
EXACT_DIGITS = 15


def _cell_text(value: object, name: str, line: int) -> str:
    """A cell as the text a CSV export of it would hold: a whole number without `.0`, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float):
        if abs(value) >= 10**EXACT_DIGITS:
            raise LoadError(f"{name}: line {line}: the number {value:.{EXACT_DIGITS}g} has more digits than Excel keeps "
                            f"({EXACT_DIGITS}), so its last digits are lost; store ids as text and save the sheet again")
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
