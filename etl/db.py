"""Open the claimscope DuckDB file and keep its schema current."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from etl import settings
# scalar and object_type live below this module and the ledger (etl/duck.py), which db.py runs; kept importable from
# here for the many callers that ask `database.scalar(...)`.
from etl.duck import object_type as object_type, scalar as scalar

SQL_DIR = settings.SQL_DIR
# DuckDB refuses a second process at once (no waiting), so both sides retry for a while.
LOCK_TIMEOUT_SECONDS = 60.0


def default_db_path() -> Path:
    """The database path (etl/settings.py)."""
    return settings.db_path()


def is_lock_conflict(error: BaseException) -> bool:
    """Another process holds the file's lock, or another thread of this one holds it open the other way (a dashboard
    session reading while another writes): both pass, so both are waited for."""
    text = str(error).lower()
    return isinstance(error, (duckdb.IOException, duckdb.ConnectionException)) and (
        "lock" in text or "different configuration" in text)


def connect_with_retry(
    db: Path | str, read_only: bool, timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while another process holds a conflicting lock (LOCK_TIMEOUT_SECONDS unless told)."""
    keep_new_files_private()
    if not read_only:
        _make_private(Path(db), Path(f"{db}.wal"))
    deadline = time.monotonic() + (LOCK_TIMEOUT_SECONDS if timeout is None else timeout)
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(db), read_only=read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as error:
            if not is_lock_conflict(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.05)


def keep_new_files_private() -> None:
    """Files this process creates from now on are readable by its own user only (umask 077): the database and its
    WAL hold PHI (HIPAA Security Rule, 45 CFR 164.312(a)(1)), and DuckDB makes a new WAL with the process umask after
    every checkpoint, so a chmod of the files we create would not reach it."""
    os.umask(0o077)


def _make_private(*paths: Path) -> None:
    """Take group and other access off files an older release created 0644."""
    for path in paths:
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except FileNotFoundError:
            pass


@contextmanager
def write_connection(db: Path | str, tables: tuple[str, ...] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection with the schema applied; or, for a writer that touches only a few
    tables (the audit log), just those tables made sure of, which is a hundred times cheaper. On the way out the
    audit log's checkpoint is moved to what the caller committed (etl/access/audit_trail.py)."""
    from etl.access import audit_trail

    con = connect_with_retry(db, read_only=False)
    try:
        if tables is None:
            apply_schema(con)
        else:
            for name in tables:
                con.execute((SQL_DIR / "schema" / f"{name}.sql").read_text())
        yield con
        _roll_back_open_transaction(con)
        audit_trail.anchor(con)
    finally:
        con.close()


def _roll_back_open_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """End a transaction the caller left open as closing would (a rollback), so what follows reads committed rows."""
    try:
        con.execute("rollback")
    except duckdb.TransactionException:  # none was open: the usual case
        pass


@contextmanager
def read_connection(db: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection; hold it only for one query or two."""
    con = connect_with_retry(db, read_only=True)
    try:
        yield con
    finally:
        con.close()


# The model layers in build order; each reads only the layers before it (and itself). Staging comes before the macros
# because a macro's body is bound when it is created, and aging_bucket reads its bands from a staging model.
MODEL_LAYERS = ("staging", "macros", "intermediate", "marts", "quality")


def model_files(layer: str) -> list[Path]:
    """The SQL files of one layer (schema, ledger, staging, macros, intermediate, marts, quality), in name order."""
    return sorted((SQL_DIR / layer).glob("*.sql"))


REFERENCE_DIR = settings.REFERENCE_DIR
# Reference files the SQL models read, loaded as text tables `ref_<name>`; staging models type them.
REFERENCE_TABLES = (
    "payer_rules", "recovery_likelihood", "carc_categories", "carc", "rarc", "claim_status_codes", "kpi_benchmarks",
    "aging_buckets",
)


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the contract and ledger tables if missing, refresh the reference tables, (re)create the models, and
    derive the ledger of a database loaded before it existed. The models are rebuilt only when a file they come from
    has changed since the last time (schema_versions)."""
    for path in model_files("schema") + model_files("ledger"):
        con.execute(path.read_text())
    if scalar(con, "select max_by(schema_hash, applied_at) from schema_versions") != schema_hash():
        _add_missing_columns(con)
        for name in REFERENCE_TABLES:
            path = REFERENCE_DIR / f"{name}.csv"
            con.execute(f"create or replace table ref_{name} as select * from read_csv(?, header = true, all_varchar = true)", [str(path)])
        apply_models(con)
        from etl.intake.remask import remask_database

        remask_database(con)  # messages an older release wrote with patient data (issue 21, item 5)
        con.execute("delete from schema_versions")
        con.execute("insert into schema_versions values (?, now()::timestamp)", [schema_hash()])
    from etl import ledger

    ledger.derive_if_missing(con)


@functools.cache
def schema_hash() -> str:
    """One hash of every file the tables, models and reference tables are built from."""
    digest = hashlib.sha256()
    sources = [path for layer in ("schema", "ledger", *MODEL_LAYERS) for path in model_files(layer)]
    for path in sources + [REFERENCE_DIR / f"{name}.csv" for name in REFERENCE_TABLES]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _add_missing_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Give a database made by an older release the columns the schema has since gained (NULL in old rows)."""
    present = set(con.execute("select table_name, column_name from duckdb_columns() where schema_name = 'main'").fetchall())
    for table, column, data_type in schema_columns():
        if (table, column) not in present:
            con.execute(f'alter table "{table}" add column "{column}" {data_type}')


@functools.cache
def schema_columns() -> tuple[tuple[str, str, str], ...]:
    """Every (table, column, type) of the contract and ledger tables, read from sql/schema and sql/ledger."""
    con = duckdb.connect()
    for path in model_files("schema") + model_files("ledger"):
        con.execute(path.read_text())
    columns = "select table_name, column_name, data_type from duckdb_columns() where schema_name = 'main' and not internal"
    return tuple(con.execute(columns + " order by table_name, column_index").fetchall())


def apply_models(con: duckdb.DuckDBPyConnection) -> None:
    """Create every model, layer by layer; the file name is the view or macro name."""
    for statement in model_statements():
        con.execute(statement)


@functools.cache
def model_statements() -> tuple[str, ...]:
    """Each model's create statement in build order: the layers in order, and inside a layer every model after the
    models of that layer it names."""
    statements = []
    for layer in MODEL_LAYERS:
        texts = {path.stem: path.read_text() for path in model_files(layer)}
        for name in _dependency_order(layer, texts):
            text = texts[name]
            # A model that takes parameters (as_of) is a macro and carries its own `create` statement.
            statements.append(text if _first_statement_word(text) == "create" else f"create or replace view {name} as {text}")
    return tuple(statements)


def _dependency_order(layer: str, texts: dict[str, str]) -> list[str]:
    """Names in an order where each comes after the models of its own layer that its SQL reads."""
    needs = {name: {other for other in texts if other != name and re.search(rf"\b{other}\b", _code(text))}
             for name, text in texts.items()}
    ordered: list[str] = []
    while needs:
        ready = sorted(name for name, wanted in needs.items() if wanted <= set(ordered))
        if not ready:
            raise ValueError(f"sql/{layer}: models that read each other in a cycle: {sorted(needs)}")
        ordered.extend(ready)
        for name in ready:
            del needs[name]
    return ordered


def _code(sql: str) -> str:
    """The SQL without its `--` comments, so a model named in prose is not taken for a dependency."""
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def table_names() -> list[str]:
    """The contract tables, in the order the schema folder defines them."""
    return [path.stem for path in model_files("schema")]


def ledger_table_names() -> list[str]:
    """The tables the loader derives from the contract tables (sql/ledger)."""
    return [path.stem for path in model_files("ledger")]


# Everything the pages read changes only through a load, a validation run, an audit-sample draw, audit results or a
# code list update.
# The audit log is left out on purpose: every page view writes to it.
DATA_VERSION_SQL = """
    select (select count(*) from source_files), (select max(file_id) from source_files),
           (select count(*) from validation_runs), (select max(sample_id) from audit_samples),
           (select count(*) from coding_audits), (select count(*) from code_list_versions)
"""


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """A value that changes whenever the data the reports read changes: the dashboard's cache key."""
    return tuple(con.execute(DATA_VERSION_SQL).fetchall()[0])


def row_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Each contract table and how many rows it holds, in schema order (`claimscope tables`, the Data loaded page)."""
    return [(name, scalar(con, f"select count(*) from {name}")) for name in table_names()]


@functools.cache
def tables_with_file_id() -> frozenset[str]:
    """The contract tables whose rows name their source file (read once from sql/schema, not per load)."""
    schema_tables = set(table_names())
    return frozenset(table for table, column, _ in schema_columns() if column == "file_id" and table in schema_tables)


def real_file_count(con: duckdb.DuckDBPyConnection) -> int:
    """Files loaded that are not marked synthetic (`claimscope synth`'s manifest): a demo refuses a database with any."""
    return scalar(con, "select count(*) from source_files where not is_synthetic")


def _first_statement_word(sql: str) -> str:
    code = _code(sql).split()
    return code[0].lower() if code else ""
