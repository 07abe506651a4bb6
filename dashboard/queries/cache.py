"""The one cache every page query goes through. Results are keyed by database, data version and the query, so they stay
warm until a load changes the data; each miss opens a short-lived read-only connection. Results are kept as the
objects themselves (st.cache_resource), not pickled copies: a polars frame is never changed in place, and copying a
million-row frame out of the cache on every rerun cost 0.2 s."""

from __future__ import annotations

import functools
from collections.abc import Callable

import duckdb
import polars as pl
import streamlit as st

from etl import db as database

# How often the data version is looked up again: a load shows on the pages within this many seconds.
VERSION_SECONDS = 5
CACHED_RESULTS = 4000
@st.cache_data(ttl=VERSION_SECONDS, show_spinner=False)
def _data_version(db: str) -> tuple:
    with database.read_connection(db) as con:
        return database.data_version(con)


def clear() -> None:
    """Forget every result: after a page writes (an audit sample, an upload), every page reads afresh."""
    st.cache_data.clear()
    st.cache_resource.clear()


def frame(sql: str, params: dict | None = None) -> pl.DataFrame:
    """The result of one SQL query over the marts, every value bound as a parameter."""
    db = str(database.default_db_path())
    return _cached_frame(db, _data_version(db), sql, tuple(sorted((params or {}).items())))


@st.cache_resource(max_entries=CACHED_RESULTS, show_spinner=False)
def _cached_frame(db: str, version: tuple, sql: str, params: tuple) -> pl.DataFrame:
    # Keyed by database and data version, so another CLAIMSCOPE_DB or a new load never sees old figures.
    # Short-lived: a connection held open would block the loader's write lock.
    with database.read_connection(db) as con:
        return con.sql(sql, params=dict(params)).pl()


def library(read: Callable[..., object]) -> Callable[..., object]:
    """Cache a library function `read(con, *args)` of etl/, the same call the CLI makes."""
    name = f"{read.__module__}.{read.__qualname__}"

    @functools.wraps(read)
    def call(*args):
        db = str(database.default_db_path())
        return _cached_call(db, _data_version(db), name, read, *args)
    return call


@st.cache_resource(max_entries=CACHED_RESULTS, show_spinner=False)
def _cached_call(db: str, version: tuple, name: str, _read: Callable[..., object], *args):
    # `name` keys the cache; Streamlit does not hash an argument whose name starts with `_`.
    with database.read_connection(db) as con:
        return _read(con, *args)


def computed(compute: Callable[..., object]) -> Callable[..., object]:
    """Cache a pure computation over query results (a Kaplan–Meier fit), keyed by its inputs."""
    return st.cache_resource(max_entries=CACHED_RESULTS, show_spinner=False)(compute)


def uncached(read: Callable[[duckdb.DuckDBPyConnection], object]):
    """Run `read(con)` on a fresh read-only connection, bypassing the cache (the audit log changes with every view)."""
    with database.read_connection(database.default_db_path()) as con:
        return read(con)
