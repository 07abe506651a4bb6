"""Row collection shared by the 835 and 837 parsers: string rows tagged with their transaction set."""

from __future__ import annotations

import re

import polars as pl

from etl.intake.x12.segments import Delimiters, TransactionSet

# Every parsed row starts with these two: which ST..SE it came from, and its segment number.
SET_INDEX, SEGMENT = "_set", "_segment"
_COMPOSITE_QUALIFIER = re.compile(r"^([A-Z0-9]{2})([^A-Za-z0-9 ])")


class SetRejected(Exception):
    """A structural error that rejects the transaction set being parsed."""

    def __init__(self, segment_number: int, reason: str) -> None:
        super().__init__(reason)
        self.segment_number = segment_number
        self.reason = reason


class RowCollector:
    """Append-only string rows per table; frames are built once at the end."""

    def __init__(self, columns: dict[str, tuple[str, ...]]) -> None:
        self.columns = columns
        self.rows: dict[str, list[tuple]] = {table: [] for table in columns}
        self.warnings: set[str] = set()

    def add(self, table: str, row: tuple) -> int:
        """Append a row (set index and segment number first) and return its position, the local id."""
        rows = self.rows[table]
        rows.append(row)
        return len(rows) - 1

    def frames(self) -> dict[str, pl.DataFrame]:
        return {
            table: pl.DataFrame(
                self.rows[table],
                schema={name: pl.Int64 if name in _INTEGER_COLUMNS else pl.Utf8 for name in columns},
                orient="row",
            )
            for table, columns in self.columns.items()
        }


# Surrogate ids and ordinals; every other parsed value stays text until it is checked and cast.
_INTEGER_COLUMNS = {SET_INDEX, SEGMENT, "payment_id", "remit_claim_id", "remit_line_id", "claim_record_id", "line_number", "position"}


def element(elements: list[str], position: int) -> str | None:
    """Element N of a segment (1-based), or None when absent or empty."""
    if position < len(elements) and elements[position] != "":
        return elements[position]
    return None


def require(elements: list[str], number: int, *positions: int) -> None:
    """Reject the set when a required element is missing (WEDI SNIP level 2)."""
    missing = [f"{elements[0]}{position:02}" for position in positions if element(elements, position) is None]
    if missing:
        raise SetRejected(number, f"{elements[0]} is missing required element {', '.join(missing)}")


def components(value: str | None, delimiters: Delimiters, collector: RowCollector) -> list[str]:
    """Split a composite; tolerate files whose composites use another separator than ISA16."""
    if value is None:
        return []
    if delimiters.component in value:
        return value.split(delimiters.component)
    mismatch = _COMPOSITE_QUALIFIER.match(value)
    if mismatch:
        other = mismatch.group(2)
        collector.warnings.add(f"composites use {other!r} but ISA16 declares {delimiters.component!r}; read with {other!r}")
        return value.split(other)
    return [value]
