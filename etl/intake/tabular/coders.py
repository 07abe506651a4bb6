"""Claim-coder CSV intake: which coder coded each claim, as a practice-management system exports it."""

from __future__ import annotations

from etl.intake.tabular.common import Column, locator, read_checked, split_good_bad
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.records import ParsedFile

LAYOUT = [Column("claim_id", required=True), Column("coder_id", required=True)]
SIGNATURE = {"claim_id", "coder_id"}


def parse_coders_csv(text: str, mapping: ColumnMapping) -> ParsedFile:
    """Parse a claim-coder CSV into the claim_coders frame."""
    original, rows, quarantined = read_checked(text, LAYOUT, mapping)
    good, bad = split_good_bad(rows, original)
    return ParsedFile(
        kind="coders_csv",
        tables={"claim_coders": good.select([column.name for column in LAYOUT] + [locator()])},
        quarantine=quarantined + bad,
        records_loaded=good.height,
    )
