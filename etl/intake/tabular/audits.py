"""Coding-audits CSV intake: one row per code an auditor reviewed."""

from __future__ import annotations

import polars as pl

from etl.intake.tabular.common import AMOUNT, DATE, Column, append_problem, locator, read_checked, split_good_bad
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
# dollar_impact is the change in what the claim should have been paid (etl/reports/audit_sampling.py SIGN_NOTE):
# billing above what the codes support lowers it, billing below raises it. A finding with the other sign is set aside.
OVERBILLING = ("upcoded", "extra")
UNDERBILLING = ("downcoded", "missing")


def wrong_sign() -> pl.Expr:
    """Why a row's dollar_impact has the wrong sign for its finding, and how to fix it; null where it is right."""
    amount = pl.col("dollar_impact").cast(pl.String)
    flipped = (-pl.col("dollar_impact")).cast(pl.String)
    return (
        pl.when(pl.col("finding").is_in(OVERBILLING) & (pl.col("dollar_impact") > 0))
        .then(pl.format("dollar_impact {} is positive on a finding of {}: billing above what the codes support lowers "
                        "what the claim should have been paid, so enter it as {} (negative when overbilled)",
                        amount, pl.col("finding"), flipped))
        .when(pl.col("finding").is_in(UNDERBILLING) & (pl.col("dollar_impact") < 0))
        .then(pl.format("dollar_impact {} is negative on a finding of {}: billing below what the codes support raises "
                        "what the claim should have been paid, so enter it as {} (positive when underbilled)",
                        amount, pl.col("finding"), flipped))
    )


def parse_audits_csv(text: str, mapping: ColumnMapping) -> ParsedFile:
    """Parse a coding-audits CSV into the coding_audits frame."""
    original, rows, quarantined = read_checked(text, LAYOUT, mapping)
    good, bad = split_good_bad(append_problem(rows, wrong_sign()), original)
    audits = good.select([column.name for column in LAYOUT] + [locator()])
    return ParsedFile(
        kind="audits_csv",
        tables={"coding_audits": audits},
        quarantine=quarantined + bad,
        records_loaded=good.height,
    )
