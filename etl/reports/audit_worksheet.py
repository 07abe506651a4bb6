"""The coding-audit worksheet as an Excel workbook an auditor can fill in without a manual: the drawn columns locked,
drop-downs for code_type and finding, dates and money formatted, and an instructions sheet with the dollar_impact
sign convention. The worksheet is the first sheet, the one `claimscope load` reads."""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from etl.intake.tabular.audits import CODE_TYPES, FINDINGS
from etl.reports.audit_sampling import SIGN_NOTE
from etl.reports.spreadsheets import FORMULA_STARTS

SHEET = "Worksheet"
# What the draw wrote: the auditor must not change it, or the results no longer belong to the sample.
LOCKED = ("claim_id", "coder_id", "original_code")
# Rows below the drawn codes written as open cells, every column, for the codes an auditor adds (finding missing): on
# the protected sheet a cell is locked unless it says otherwise, and an open column format alone is not honoured by
# every program (openpyxl reads such a cell as locked).
SPARE_ROWS = 50
INSTRUCTIONS = (
    "How to fill in this worksheet",
    "",
    "One row per code of each sampled claim. Claim, coder and original code are locked: they are what was drawn.",
    "auditor_id: your id. audit_date: the day you reviewed the claim (YYYY-MM-DD).",
    "audited_code: the code the documentation supports (blank when the code should not have been billed).",
    "finding: pick from the list: " + ", ".join(FINDINGS) + ".",
    "code_type: " + ", ".join(CODE_TYPES) + ".",
    f"A code the claim should have carried goes on a new row below the drawn codes ({SPARE_ROWS} rows there are open): "
    "its claim_id and coder_id, your auditor_id and audit_date, code_type, original_code blank, the code in "
    "audited_code, finding missing, and a positive dollar_impact.",
    SIGN_NOTE,
    "An upcode with a positive dollar_impact, or a downcode with a negative one, is set aside on loading with the reason.",
    "Save as .xlsx (or CSV) and load it on the Coder accuracy page, or with `claimscope load`.",
)


def workbook_bytes(sheet: pl.DataFrame) -> bytes:
    """The worksheet (audit_sampling.worksheet's columns) as an .xlsx workbook."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    page = book.add_worksheet(SHEET)
    header = book.add_format({"bold": True, "locked": True})
    locked = book.add_format({"locked": True, "bg_color": "#F2F2F2"})
    locked_quoted = book.add_format({"locked": True, "bg_color": "#F2F2F2", "quote_prefix": True})
    open_text = book.add_format({"locked": False})
    open_quoted = book.add_format({"locked": False, "quote_prefix": True})
    money = book.add_format({"locked": False, "num_format": "$#,##0.00;-$#,##0.00"})
    day = book.add_format({"locked": False, "num_format": "yyyy-mm-dd"})
    formats = {"audit_date": day, "dollar_impact": money}
    last_row = len(sheet) + SPARE_ROWS
    for column, name in enumerate(sheet.columns):
        page.write_string(0, column, name, header)
        # every cell open unless it holds what was drawn
        page.set_column(column, column, max(12, len(name) + 4), formats.get(name, open_text))
    for row_number, row in enumerate(sheet.iter_rows(named=True), start=1):
        for column, name in enumerate(sheet.columns):
            value = row[name]
            if value is None:
                page.write_blank(row_number, column, None, locked if name in LOCKED else formats.get(name, open_text))
                continue
            text = str(value)
            quoted = text.startswith(FORMULA_STARTS)  # Excel's own apostrophe: a code stays text, never a formula
            style = (locked_quoted if quoted else locked) if name in LOCKED else (open_quoted if quoted else formats.get(name, open_text))
            page.write_string(row_number, column, text, style)
    for row_number in range(len(sheet) + 1, last_row + 1):
        for column, name in enumerate(sheet.columns):
            page.write_blank(row_number, column, None, formats.get(name, open_text))
    position = {name: index for index, name in enumerate(sheet.columns)}
    choices = {"code_type": CODE_TYPES, "finding": FINDINGS}
    for name, allowed in choices.items():
        page.data_validation(1, position[name], last_row, position[name], {
            "validate": "list", "source": list(allowed), "error_title": f"Not a {name}",
            "error_message": f"{name} is one of: {', '.join(allowed)}."})
    page.data_validation(1, position["dollar_impact"], last_row, position["dollar_impact"], {
        "validate": "decimal", "criteria": "between", "minimum": -10_000_000, "maximum": 10_000_000,
        "input_title": "dollar_impact", "input_message": "Negative when overbilled (upcoded, extra), positive when underbilled."[:255]})
    page.data_validation(1, position["audit_date"], last_row, position["audit_date"], {
        "validate": "date", "criteria": ">", "value": __import__("datetime").date(2000, 1, 1), "error_message": "A date (YYYY-MM-DD)."})
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, last_row, len(sheet.columns) - 1)
    page.protect("", {"autofilter": True, "sort": True, "format_columns": True, "insert_rows": True})
    notes = book.add_worksheet("Instructions")
    notes.set_column(0, 0, 120)
    title = book.add_format({"bold": True, "font_size": 13})
    for line, text in enumerate(INSTRUCTIONS):
        notes.write_string(line, 0, text, title if line == 0 else None)
    book.close()
    return buffer.getvalue()


def write(sheet: pl.DataFrame, out) -> None:
    """Write the worksheet as this workbook (.xlsx) or as CSV headed by its column names; either loads back."""
    from etl.reports import spreadsheets

    out.write_bytes(workbook_bytes(sheet) if out.suffix.lower() == ".xlsx" else spreadsheets.csv_bytes(sheet))
