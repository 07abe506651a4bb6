"""Coding-audits CSV intake: one row per code an auditor reviewed."""

from __future__ import annotations

import polars as pl

from etl.intake.tabular.common import AMOUNT, DATE, Column, locator, read_checked, split_good_bad
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.records import ParsedFile

CODE_TYPES = ("CPT", "HCPCS", "ICD10")
FINDINGS = ("agree", "upcoded", "downcoded", "wrong_code", "missing", "extra")
LAYOUT = [
    Column("claim_id", required=True),
    Column("coder_id", required=True),
    Column("auditor_id", required=True),
    Column("audit_date", DATE, required=True),
    Column("code_type", required=True, allowed=CODE_TYPES),
    Column("original_code"),
    Column("audited_code"),
    Column("finding", required=True, allowed=FINDINGS),
    Column("dollar_impact", AMOUNT, required=True),
]
SIGNATURE = {"claim_id", "auditor_id", "finding"}


def parse_audits_csv(text: str, mapping: ColumnMapping) -> ParsedFile:
    """Parse a coding-audits CSV into the coding_audits frame."""
    original, rows, quarantined = read_checked(text, LAYOUT, mapping)
    good, bad = split_good_bad(rows, original)
    audits = good.select([column.name for column in LAYOUT] + [locator()])
    return ParsedFile(
        kind="audits_csv",
        tables={"coding_audits": audits},
        quarantine=quarantined + bad,
        records_loaded=good.height,
    )
