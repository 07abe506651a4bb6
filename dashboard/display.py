"""The one formatting layer: every table, tile and chart on the pages takes its labels and number formats from here,
and here from etl/reference/columns.csv. Money reads $1,234 (cents on a claim or a line, where a biller matches them
against a remittance), shares 27.2%, days whole, and a missing value — with its column's tooltip saying why."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import streamlit as st

from etl.reports import columns
from etl.reports.formats import MISSING, count, days, money, percent, points  # noqa: F401 - the pages' formats, from here
# Columns whose values are claimscope's own snake_case names (reference-list categories), shown in words.
NAMED_IN_WORDS = ("carc_category", "work_category", "error_type")


def label(name: str) -> str:
    """A column's label on screen."""
    return columns.heading(name)


def in_words(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    """The named columns' snake_case category names in words ("coding_bundling" → "Coding bundling"); other columns,
    whose values come from files (payer names), are left as they are."""
    worded = [name for name in names if name in NAMED_IN_WORDS and name in frame.columns]
    return frame.with_columns(
        (pl.col(name).str.slice(0, 1).str.to_uppercase() + pl.col(name).str.slice(1).str.replace_all("_", " ")).alias(name)
        for name in worded
    )


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
            settings[name] = st.column_config.NumberColumn(shown, help=help_text, format="percent", step=0.001)
        elif kind in ("days", "count"):
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
    return st.dataframe(in_words(frame, *NAMED_IN_WORDS), hide_index=True, column_config=settings, placeholder=MISSING, **dataframe_options)
