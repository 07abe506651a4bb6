"""Fee-schedule CSV intake: contract rates per payer and procedure, as amounts or as a percentage of another schedule."""

from __future__ import annotations

import polars as pl

from etl.intake import values
from etl.intake.tabular.common import (
    AMOUNT, DATE, LINE, QUANTITY, Column, add_missing_columns, append_problem, check_values, locator, read_rows,
    split_good_bad, split_list, typed,
)
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.records import ParsedFile

LAYOUT = [
    Column("schedule_name", required=True),
    Column("payer_id"),
    Column("procedure_code", required=True),
    Column("modifiers"),
    Column("place_of_service"),
    Column("allowed_per_unit", AMOUNT),
    Column("percent_of_base", QUANTITY),
    Column("base_schedule_name"),
    Column("effective_from", DATE, required=True),
    Column("effective_to", DATE),
]
SIGNATURE = {"schedule_name", "procedure_code", "effective_from"}
# The rate a row sets: one schedule, payer, procedure, modifiers and place of service from one date.
RATE_KEY = ["schedule_name", "payer_id", "procedure_code", "modifiers", "place_of_service", "effective_from"]


def parse_fee_schedules_csv(text: str, mapping: ColumnMapping) -> ParsedFile:
    """Parse a fee-schedule CSV into the fee_schedules frame."""
    _, original, quarantined = read_rows(text, mapping)
    original = add_missing_columns(original, LAYOUT)
    # A contract says "120%"; the sign is the column's unit, not part of the number.
    cleaned = original.with_columns(pl.col("percent_of_base").str.strip_chars().str.strip_chars_end("%"))
    checked = check_values(cleaned, LAYOUT, mapping.date_formats)
    checked = append_problem(append_problem(checked, _rate_problem()), _repeated_rate_problem())
    rows = append_problem(typed(checked, LAYOUT, mapping.date_formats), _date_order_problem())
    good, bad = split_good_bad(rows, original)
    schedules = good.with_columns(split_list("modifiers")).select([column.name for column in LAYOUT] + [locator()])
    return ParsedFile(
        kind="fee_schedules_csv",
        tables={"fee_schedules": schedules},
        quarantine=quarantined + bad,
        records_loaded=good.height,
    )


def _rate_problem() -> pl.Expr:
    """A row sets its rate one way: an amount, or a percentage of a named base schedule (read on the text as sent)."""
    has_amount = values.present("allowed_per_unit")
    has_percent = values.present("percent_of_base")
    has_base = values.present("base_schedule_name")
    return (
        pl.when(has_amount & (has_percent | has_base))
        .then(pl.lit("give allowed_per_unit or percent_of_base with base_schedule_name, not both"))
        .when(~has_amount & ~has_percent & ~has_base)
        .then(pl.lit("missing allowed_per_unit (or percent_of_base with base_schedule_name)"))
        .when(has_percent & ~has_base)
        .then(pl.lit("percent_of_base needs base_schedule_name"))
        .when(has_base & ~has_percent)
        .then(pl.lit("base_schedule_name needs percent_of_base"))
        .when(has_base & (pl.col("base_schedule_name") == pl.col("schedule_name")))
        .then(pl.lit("a schedule cannot be a percentage of itself"))
    )


def _date_order_problem() -> pl.Expr:
    return pl.when(pl.col("effective_to") < pl.col("effective_from")).then(
        pl.format("effective_to {} is before effective_from {}", pl.col("effective_to"), pl.col("effective_from"))
    )


def _repeated_rate_problem() -> pl.Expr:
    """Two rows for one rate would leave the contract ambiguous; the later one names the first."""
    first_line = pl.col(LINE).min().over(RATE_KEY)
    return pl.when(pl.col(LINE) != first_line).then(pl.format("the same rate is already set on line {}", first_line))
