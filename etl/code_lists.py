"""CARC and RARC code lists: the shipped ones (etl/reference), and newer ones `claimscope reference update` loads.

X12 republishes both lists three times a year, so a code newer than a release must not stop a payment loading: an
unknown code is a warning, and a newer list can be loaded at any time. Every version is kept, for provenance.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from etl.duck import scalar
from etl.intake.records import LoadError

LISTS = ("carc", "rarc")
REQUIRED_COLUMNS = ("code", "description", "start_date", "stop_date")
# The model that resolves the lists: the shipped codes, overridden code by code by the latest loaded version.
EFFECTIVE_SQL = "select code, status, start_date, stop_date from int_reference__code_lists where list_name = '{}' order by code"


def update(con: duckdb.DuckDBPyConnection, list_name: str, path: Path) -> tuple[int, int]:
    """Load a newer code list (CSV: code, description, start_date, stop_date as YYYY-MM-DD, blank for none) as a
    new version in one transaction; returns (version_id, code count). Raises LoadError naming the file and line."""
    if list_name not in LISTS:
        raise LoadError(f"{path}: unknown code list {list_name!r}; choose one of {', '.join(LISTS)}")
    data = path.read_bytes()
    entries = _read_entries(path, data)
    con.execute("begin transaction")
    try:
        version_id = scalar(con, "select coalesce(max(version_id), 0) + 1 from code_list_versions")
        con.execute(
            "insert into code_list_versions values (?, ?, ?, ?, ?, ?)",
            [version_id, list_name, str(path), hashlib.sha256(data).hexdigest(), datetime.now(timezone.utc).replace(tzinfo=None), entries.height],
        )
        rows = entries.with_columns(pl.lit(version_id, pl.Int32).alias("version_id"), pl.lit(list_name).alias("list_name"))
        con.execute("insert into code_list_entries by name select * from rows")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return version_id, entries.height


def _read_entries(path: Path, data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_csv(data, infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise LoadError(f"{path}: not a readable CSV: {error}") from None
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise LoadError(f"{path}: line 1: missing column {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})")
    frame = frame.select(pl.col(REQUIRED_COLUMNS).str.strip_chars()).with_row_index("line", offset=2)
    dates = [pl.col(column).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(f"{column}_parsed") for column in ("start_date", "stop_date")]
    frame = frame.with_columns(dates)
    problems = frame.select(
        "line",
        pl.when(pl.col("code").fill_null("") == "").then(pl.lit("empty code"))
        .when(pl.col("start_date").is_not_null() & pl.col("start_date_parsed").is_null())
        .then(pl.format("start_date '{}' is not a date (YYYY-MM-DD)", "start_date"))
        .when(pl.col("stop_date").is_not_null() & pl.col("stop_date_parsed").is_null())
        .then(pl.format("stop_date '{}' is not a date (YYYY-MM-DD)", "stop_date"))
        .when(pl.col("stop_date_parsed") < pl.col("start_date_parsed")).then(pl.lit("stop_date is before start_date"))
        .alias("problem"),
    ).filter(pl.col("problem").is_not_null())
    if problems.height:
        line, problem = problems.row(0)
        raise LoadError(f"{path}: line {line}: {problem}")
    repeated = frame.filter(pl.col("code").is_duplicated())
    if repeated.height:
        raise LoadError(f"{path}: line {repeated['line'][0]}: code {repeated['code'][0]!r} appears twice")
    return frame.select("code", "description", pl.col("start_date_parsed").alias("start_date"), pl.col("stop_date_parsed").alias("stop_date"))


def effective(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Each list as the loader validates against it: code, status, start_date, stop_date."""
    return {name: con.sql(EFFECTIVE_SQL.format(name)).pl() for name in LISTS}


def versions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every loaded version, newest first: (version_id, list_name, source_path, loaded_at, code_count)."""
    return con.execute(
        "select version_id, list_name, source_path, loaded_at, code_count from code_list_versions order by version_id desc"
    ).fetchall()
