"""What each expectation of expectations/*.json does to a record (issue 32's policy), in words, read without GX.

The README's table "What is refused, what loads with a warning" is `policy_table()`, pasted in; a test keeps it so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from etl import settings

# The four classes a suite gives an expectation in meta.class. A critical one refuses its record with meta.refusal;
# "warn and load" records meta.warning at the row and "warn on the file" meta.file_warning once for an X12 file, and
# `claimscope load --strict` refuses either; "load and count" is only counted in validation_runs (the Data quality page).
REFUSE_THE_RECORD = "refuse the record"
WARN_AND_LOAD, WARN_ON_THE_FILE = "warn and load", "warn on the file"
LOAD_AND_COUNT = "load and count"
WARNED_IN_WORDS = (WARN_AND_LOAD, WARN_ON_THE_FILE)
CLASSES = (REFUSE_THE_RECORD, WARN_AND_LOAD, WARN_ON_THE_FILE, LOAD_AND_COUNT)
# Derived columns a suite checks, and the column a person should be shown when one fails.
DERIVED_FROM = {
    "billing_npi_passes_luhn": "billing_npi", "rendering_npi_passes_luhn": "rendering_npi", "bills_a_code": "procedure_code",
    "reason_code_in_effect": "reason_code", "code_in_effect": "code",
}
FILE = "_file"


@dataclass(frozen=True)
class PolicyRow:
    """One expectation: its table, the column(s) it reads, its rule in words, its class and its meta.why."""

    table: str
    field: str
    check: str
    policy_class: str
    why: str
    expectation: str  # as validation_runs names it: type(column)
    severity: str  # as validation_runs gives it: error or warning


def expectation_name(item: dict) -> str:
    """The name validation_runs gives an expectation (etl/intake/validate.py SuiteRunner.run)."""
    column = item["kwargs"].get("column") or item["kwargs"].get("column_A")
    return item["type"] + (f"({column})" if column else "")


def _field(item: dict) -> str:
    kwargs = item["kwargs"]
    if "column" in kwargs:
        return DERIVED_FROM.get(kwargs["column"], kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(column for column in kwargs["column_list"] if column != FILE)
    return "(the table)"


@cache
def policy_rows() -> tuple[PolicyRow, ...]:
    """Every expectation of every suite, in suite order and then as the suite lists them."""
    rows = []
    for path in sorted(settings.SUITES_DIR.glob("*.json")):
        document = json.loads(path.read_text())
        for item in document["expectations"]:
            meta = item.get("meta", {})
            severity = "error" if item.get("severity") == "critical" else "warning"
            rows.append(PolicyRow(document["name"], _field(item), meta.get("rule", ""), meta.get("class", ""), meta.get("why", ""),
                                  expectation_name(item), severity))
    return tuple(rows)


def rule_in_words(suite: str, expectation: str, severity: str) -> str:
    """The rule a validation_runs row reports, in words; two expectations sharing a name (claims' two on
    service_date_from differ only in severity) are told apart by severity, else both rules are given."""
    rules = [row.check for row in policy_rows() if (row.table, row.expectation, row.severity) == (suite, expectation, severity)]
    return "; ".join(dict.fromkeys(rules)) or expectation


def markdown_cell(text: str) -> str:
    """Text for a README table cell: a pipe would end the cell, and DTM*050 ... DTM*472 would set words in italics."""
    return text.replace("|", "\\|").replace("*", "\\*")


def policy_table() -> list[str]:
    """The README table's generated rows (heading first), one per expectation."""
    lines = ["| Table | Field | Check | What happens | Why |", "|---|---|---|---|---|"]
    lines += [
        f"| `{row.table}` | `{row.field}` | {markdown_cell(row.check)} | {row.policy_class} | {markdown_cell(row.why)} |"
        for row in policy_rows()
    ]
    return lines
