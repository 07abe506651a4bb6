"""The one cache every page query goes through. Results are keyed by database, data version and the query, so they stay
warm until a load changes the data; the misses of one script run share one read-only connection, closed when the run
ends or before the page writes, so the loader's lock is never held for longer than a run. Results are kept as the
objects themselves (st.cache_resource), not pickled copies: a polars frame is never changed in place, and copying a
million-row frame out of the cache on every rerun cost 0.2 s."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import polars as pl
import streamlit as st

from etl import db as database

# How often the data version is looked up again: a load shows on the pages within this many seconds.
VERSION_SECONDS = 5
CACHED_RESULTS = 4000
# The connection of the script run on this thread (Streamlit runs each session's script on its own thread).
_run = threading.local()


@contextmanager
def one_connection_per_run() -> Iterator[None]:
    """Within this block, every query that misses the cache reads through one read-only connection, opened at the first
    miss: opening one costs 50-100 ms at 1M claims, and later queries find the blocks earlier ones read in its buffer."""
    _run.active = True
    try:
        yield
    finally:
        release()
        _run.active = False


def release() -> None:
    """Close this run's connection, as before a write: DuckDB refuses a writer while this process holds a reader."""
    con, _run.con = getattr(_run, "con", None), None
    if con is not None:
        con.close()


@contextmanager
def writing(**options) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection to the dashboard's database (etl.db.write_connection), this run's reader released first."""
    release()
    with database.write_connection(database.default_db_path(), **options) as con:
        yield con


@contextmanager
def _reading(db: str) -> Iterator[duckdb.DuckDBPyConnection]:
    if not getattr(_run, "active", False):  # outside a page run (a fragment, a test): one connection per query
        with database.read_connection(db) as con:
            yield con
        return
    if getattr(_run, "con", None) is None or _run.db != db:
        release()
        _run.con, _run.db = database.connect_with_retry(db, read_only=True), db
    yield _run.con


@st.cache_data(ttl=VERSION_SECONDS, show_spinner=False)
def _data_version(db: str) -> tuple:
    with _reading(db) as con:
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
    with _reading(db) as con:
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
    with _reading(db) as con:
        return _read(con, *args)


def computed(compute: Callable[..., object]) -> Callable[..., object]:
    """Cache a pure computation over query results (a Kaplan–Meier fit), keyed by its inputs."""
    return st.cache_resource(max_entries=CACHED_RESULTS, show_spinner=False)(compute)


def uncached(read: Callable[[duckdb.DuckDBPyConnection], object]):
    """Run `read(con)` bypassing the cache (the audit log changes with every view)."""
    with _reading(str(database.default_db_path())) as con:
        return read(con)
