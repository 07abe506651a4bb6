"""Named, cached queries the pages call; every one opens a short-lived read-only connection."""

from __future__ import annotations

import polars as pl
import streamlit as st

from etl import db as database

CACHE_SECONDS = 60


def _frame(sql: str, params: dict | None = None) -> pl.DataFrame:
    # Short-lived: a connection held open would block the loader's write lock.
    with database.read_connection(database.default_db_path()) as con:
        return con.sql(sql, params=params or {}).pl()


@st.cache_data(ttl=CACHE_SECONDS)
def table_row_counts() -> pl.DataFrame:
    """Row count of every contract table."""
    with database.read_connection(database.default_db_path()) as con:
        names = database.table_names(con)
    union = " union all ".join(f"select '{name}' as table_name, count(*) as row_count from {name}" for name in names)
    return _frame(union)


@st.cache_data(ttl=CACHE_SECONDS)
def load_history() -> pl.DataFrame:
    """Every file the loader has seen, newest first."""
    return _frame(
        "select file_id, path, kind, status, records_loaded, records_quarantined, loaded_at, message "
        "from source_files order by file_id desc"
    )
