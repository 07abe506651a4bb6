"""Open the claimscope DuckDB file and keep its schema current."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl import settings

SQL_DIR = settings.SQL_DIR
# DuckDB refuses a second process at once (no waiting), so both sides retry for a while.
LOCK_TIMEOUT_SECONDS = 60.0


def default_db_path() -> Path:
    """The database path (etl/settings.py)."""
    return settings.db_path()


def _is_lock_conflict(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def connect_with_retry(
    db: Path | str, read_only: bool, timeout: float = LOCK_TIMEOUT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while another process holds a conflicting lock."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(db), read_only=read_only)
        except duckdb.IOException as error:
            if not _is_lock_conflict(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.05)


@contextmanager
def write_connection(db: Path | str, tables: tuple[str, ...] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection with the schema applied; or, for a writer that touches only a few
    tables (the audit log), just those tables made sure of, which is a hundred times cheaper."""
    con = connect_with_retry(db, read_only=False)
    try:
        if tables is None:
            apply_schema(con)
        else:
            for name in tables:
                con.execute((SQL_DIR / "schema" / f"{name}.sql").read_text())
        yield con
    finally:
        con.close()


@contextmanager
def read_connection(db: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection; hold it only for one query or two."""
    con = connect_with_retry(db, read_only=True)
    try:
        yield con
    finally:
        con.close()


def model_files(layer: str) -> list[Path]:
    """The SQL files of one layer (schema, staging, marts), in name order."""
    return sorted((SQL_DIR / layer).glob("*.sql"))


REFERENCE_DIR = settings.REFERENCE_DIR
# Reference files the SQL models read, loaded as text tables `ref_<name>`; staging models type them.
REFERENCE_TABLES = ("payer_rules", "recovery_likelihood", "carc_categories", "carc", "rarc", "claim_status_codes", "kpi_benchmarks")


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the contract tables (sql/schema) if missing, refresh the reference tables, (re)create the models."""
    for path in model_files("schema"):
        con.execute(path.read_text())
    for name in REFERENCE_TABLES:
        path = REFERENCE_DIR / f"{name}.csv"
        con.execute(f"create or replace table ref_{name} as select * from read_csv(?, header = true, all_varchar = true)", [str(path)])
    apply_models(con)


def apply_models(con: duckdb.DuckDBPyConnection) -> None:
    """Create every staging and mart view; the file name is the view name."""
    pending = model_files("staging") + model_files("marts")
    # A model may read one defined later in name order: keep passing until no view is left to create.
    while pending:
        failed = []
        for path in pending:
            text = path.read_text()
            # A model that takes parameters (as_of) is a table macro and carries its own `create` statement.
            statement = text if _first_statement_word(text) == "create" else f"create or replace view {path.stem} as {text}"
            try:
                con.execute(statement)
            except duckdb.CatalogException:
                failed.append(path)
        if len(failed) == len(pending):
            raise duckdb.CatalogException(f"models reading unknown tables or views: {[path.name for path in failed]}")
        pending = failed


def table_names() -> list[str]:
    """The contract tables, in the order the schema folder defines them."""
    return [path.stem for path in model_files("schema")]


@functools.cache
def tables_with_file_id() -> frozenset[str]:
    """The contract tables whose rows name their source file (read once from sql/schema, not per load)."""
    con = duckdb.connect()
    for path in model_files("schema"):
        con.execute(path.read_text())
    return frozenset(name for (name,) in con.execute("select table_name from duckdb_columns() where column_name = 'file_id'").fetchall())


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The first value of a query, or None; reads the result to the end as DuckDB 2 requires."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def _first_statement_word(sql: str) -> str:
    code = [line for line in sql.splitlines() if line.strip() and not line.strip().startswith("--")]
    return code[0].split()[0].lower() if code else ""
