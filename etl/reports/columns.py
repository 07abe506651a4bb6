"""What each column a page or an export shows is called, what kind of figure it holds (money, percent, days, count,
score, date...) and what it means: etl/reference/columns.csv, read by the dashboard's formatting layer and the exports;
and the words for the values a column holds as a name or a code."""

from __future__ import annotations

import csv
import functools
from typing import NamedTuple

import polars as pl

from etl import settings

# score: a ranking number, shown whole and without a currency sign even where it is counted in dollars (priority)
KINDS = ("money", "percent", "days", "count", "score", "number", "date", "datetime", "flag", "text", "id")
# Columns whose values are claimscope's own snake_case names (reference-list categories), shown in words.
NAMED_IN_WORDS = ("carc_category", "work_category", "denial_category", "error_type", "work_status")
# Columns holding an 835 CLP02 claim status code, shown as the code list's words (etl/reference/claim_status_codes.csv).
CLAIM_STATUS_CODED = ("last_status_code",)


class Column(NamedTuple):
    label: str
    kind: str | None  # None: not listed, so the reader goes by the data type
    help: str


@functools.cache
def listed() -> dict[str, Column]:
    """Every listed column by name."""
    with (settings.REFERENCE_DIR / "columns.csv").open(newline="", encoding="utf-8") as file:
        return {row["column"]: Column(row["label"], row["kind"], row["help"]) for row in csv.DictReader(file)}


def describe(name: str) -> Column:
    """A column's label, kind and meaning; one not listed is named in words, its kind left to its data type."""
    return listed().get(name) or Column(name.replace("_", " ").capitalize(), None, "")


def heading(name: str) -> str:
    """A column's label."""
    return describe(name).label


@functools.cache
def claim_statuses() -> dict[str, str]:
    """Each 835 CLP02 claim status code with its words ("4" → "Denied")."""
    with (settings.REFERENCE_DIR / "claim_status_codes.csv").open(newline="", encoding="utf-8") as file:
        return {row["code"]: row["description"] for row in csv.DictReader(file)}


def in_words(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    """The named columns' values in words: a snake_case category name ("missing_information" → "Missing information")
    and a claim status code ("4" → "Denied"; a code not on the list stays as it is). Other columns, whose values come
    from files (payer names), are left as they are."""
    worded = [name for name in names if name in NAMED_IN_WORDS and frame.schema.get(name) == pl.String]
    coded = [name for name in names if name in CLAIM_STATUS_CODED and frame.schema.get(name) == pl.String]
    return frame.with_columns(
        *((pl.col(name).str.slice(0, 1).str.to_uppercase() + pl.col(name).str.slice(1).str.replace_all("_", " ")).alias(name)
          for name in worded),
        *(pl.col(name).replace_strict(claim_statuses(), default=pl.col(name), return_dtype=pl.String) for name in coded),
    )
