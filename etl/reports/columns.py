"""What each column a page or an export shows is called, what kind of figure it holds (money, percent, days, count,
date...) and what it means: etl/reference/columns.csv, read by the dashboard's formatting layer and the exports."""

from __future__ import annotations

import csv
import functools
from typing import NamedTuple

from etl import settings

KINDS = ("money", "percent", "days", "count", "number", "date", "datetime", "flag", "text", "id")


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
