"""The one formatting layer: every table, tile and chart on the pages takes its labels and number formats from here,
and here from etl/reference/columns.csv. Money reads $1,234 (cents on a claim or a line, where a biller matches them
against a remittance), shares 27.2%, days and scores whole, codes and category names in words, and a missing value —
with its column's tooltip saying why. Every figure in a table is rounded half up to what it shows before the grid
draws it, since the grid itself truncates (26.66% would read 26.6%)."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import streamlit as st

from etl.reports import columns, formats
from etl.reports.columns import CLAIM_STATUS_CODED, NAMED_IN_WORDS
from etl.reports.formats import MISSING, count, days, money, percent, points  # noqa: F401 - the pages' formats, from here

# The step of a column's number format: the decimals the grid keeps (it truncates the rest) and shows.
PERCENT_STEP = 0.001  # a share to one decimal of a percent: 27.2%
# The most rows a table sends to the browser: at 1M claims the worklist holds 137,818, and sending them all took 2 s of
# every page run; a biller works from its top, and the exports hold every row.
ROWS_SHOWN = 1_000


def label(name: str) -> str:
    """A column's label on screen."""
    return columns.heading(name)


def in_words(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    """The named columns' category names and claim status codes in words ("coding_bundling" → "Coding bundling",
    "4" → "Denied"; etl.reports.columns); other columns, whose values come from files (payer names), are left as they are."""
    return columns.in_words(frame, *names)


def decimals(step: float) -> int:
    """The decimals a number column's step keeps (1 → 0, 0.01 → 2, 0.001 → 3), as the grid counts them."""
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def shares_rounded(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    """The named share columns rounded half up to the tenth of a percent a page shows them to (0.5045 → 0.505, 50.5%):
    a chart's hover text (d3's ".1%") rounds by the binary value, which reads 0.5045 as 50.4%."""
    return formats.rounded(frame, {name: decimals(PERCENT_STEP) for name in names})


def rounded_as_shown(frame: pl.DataFrame, settings: Mapping[str, Mapping]) -> pl.DataFrame:
    """Every number column with a step rounded half up (etl.reports.formats.half_up) to the decimals the grid keeps:
    the grid truncates to them, so 0.2666 would show 26.6% and $445.67 with a step of 1 $445."""
    numbers = {name: config["type_config"] for name, config in settings.items()
               if isinstance(config, Mapping) and (config.get("type_config") or {}).get("type") == "number"}
    places = {name: decimals(config["step"]) for name, config in numbers.items() if config.get("step")}
    return formats.rounded(frame, places)


def kind_of(name: str, dtype: pl.DataType) -> str:
    """How a column reads: as listed in columns.csv, else by its data type."""
    listed = columns.describe(name).kind
    if listed:
        return listed
    if dtype == pl.Date:
        return "date"
    if dtype == pl.Datetime:
        return "datetime"
    if dtype == pl.Boolean:
        return "flag"
    if dtype.is_decimal():
        return "money"  # every DECIMAL the marts give a page is money, except the listed units and quantities
    if dtype.is_integer():
        return "count"
    if dtype.is_float():
        return "number"
    return "text"


def column_config(frame: pl.DataFrame, cents: bool | None = None, kinds: Mapping[str, str] | None = None,
                  labels: Mapping[str, str] | None = None) -> dict:
    """Streamlit column settings for every column of the frame: label, tooltip, and number or date format. Cents show
    by default only in a table of claims or lines; `kinds` and `labels` name columns a query makes up (pivoted buckets)."""
    cents = "claim_id" in frame.columns if cents is None else cents
    kinds, labels = kinds or {}, labels or {}
    settings = {}
    for name, dtype in frame.schema.items():
        described = columns.describe(name)
        shown, help_text = labels.get(name, described.label), described.help or None
        kind = kinds.get(name) or kind_of(name, dtype)
        if kind == "money":
            # step sets the decimals Streamlit rounds to: 0.01 for cents, 1 for whole dollars
            settings[name] = st.column_config.NumberColumn(shown, help=help_text, format="dollar", step=0.01 if cents else 1)
        elif kind == "percent":
            settings[name] = st.column_config.NumberColumn(shown, help=help_text, format="percent", step=PERCENT_STEP)
        elif kind in ("days", "count", "score"):
            settings[name] = st.column_config.NumberColumn(shown, help=help_text, format="localized", step=1)
        elif kind == "number":
            settings[name] = st.column_config.NumberColumn(shown, help=help_text, format="localized")
        elif kind == "date":
            settings[name] = st.column_config.DateColumn(shown, help=help_text, format="YYYY-MM-DD")
        elif kind == "datetime":
            settings[name] = st.column_config.DatetimeColumn(shown, help=help_text, format="YYYY-MM-DD HH:mm")
        elif kind == "flag":
            settings[name] = st.column_config.CheckboxColumn(shown, help=help_text)
        else:
            settings[name] = st.column_config.TextColumn(shown, help=help_text)
    return settings


def table(frame: pl.DataFrame, when_empty: str = "", empty_is_good: bool = True, *, cents: bool | None = None,
          kinds: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None, **dataframe_options):
    """Show the frame formatted, or say in words why there is nothing to show; returns what st.dataframe returns
    (the selection) or None when there was nothing to show."""
    if frame.is_empty():
        if when_empty:
            (st.success if empty_is_good else st.info)(when_empty)
        return None
    settings = {**column_config(frame, cents, kinds, labels), **dataframe_options.pop("column_config", {})}
    shown = rounded_as_shown(in_words(frame.head(ROWS_SHOWN), *NAMED_IN_WORDS, *CLAIM_STATUS_CODED), settings)
    picked = st.dataframe(shown, hide_index=True, column_config=settings, placeholder=MISSING, **dataframe_options)
    if frame.height > ROWS_SHOWN:
        st.caption(f"The first {ROWS_SHOWN:,} of {frame.height:,} rows, in this order: narrow the filters to see the "
                   "others (an export holds them all).")
    return picked
