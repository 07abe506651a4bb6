"""Two questions every module asks a DuckDB connection, kept below etl/db.py so that the modules db.py reaches (the
ledger, the code lists) need not import it back."""

from __future__ import annotations

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None):
    """The first value of a query, or None; reads the result to the end as DuckDB 2 requires."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def object_type(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """'BASE TABLE' or 'VIEW' for a table or view of the main schema, None when there is none."""
    return scalar(con, "select table_type from information_schema.tables where table_schema = 'main' and table_name = ?", [name])
