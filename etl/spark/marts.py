"""The ledger and the marts on Spark, over a Parquet lake (etl/lake.py), from the same SQL DuckDB runs (transpile.py)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import polars as pl
from pyspark.sql import DataFrame, SparkSession

from etl import db as database
from etl import lake, ledger, settings
from etl.measures import CHARGE_WINDOW_DAYS
from etl.spark.columns import spark_schema, spark_type
from etl.spark.transpile import spark_models, to_spark
from etl.sql_files import statement

# The session conf key, per table, naming the lake (folder and export number) its temp view reads.
REGISTERED = "claimscope.lake"


def register_lake(spark: SparkSession, folder: Path | str, sql: str | None = None) -> None:
    """Temp views of the models of sql/ that the Spark SQL `sql` reads, directly or through other models, and of the
    lake tables they read: the files its manifest lists, typed as it says (every model and table when None)."""
    folder = Path(folder).resolve()
    manifest = _manifest(folder)
    models = spark_models()
    wanted = {name for name, _ in models} if sql is None else _models_read(models, sql)
    text = "\n".join([sql or "", *(model_sql for name, model_sql in models if name in wanted)])
    registration = _registration(folder, manifest)
    # a table the lake lacks (the work queue's, in a lake `claimscope spark load` wrote) is empty, as in a new database
    tables = {table: {"columns": columns, "partitions": {}} for table, columns in _schema_columns().items()}
    tables.update((table, entry) for table, entry in manifest["tables"].items() if not table.startswith("ref_"))
    for table, entry in tables.items():
        # registered once per export of the lake: a table is read again only once the lake has changed
        if (sql is None or re.search(rf"\b{table}\b", text)) and spark.conf.get(f"{REGISTERED}.{table}", None) != registration:
            _table_frame(spark, folder, table, entry).createOrReplaceTempView(table)
            spark.conf.set(f"{REGISTERED}.{table}", registration)
    for name in database.REFERENCE_TABLES:
        # the rules are this release's (etl/reference), as apply_schema gives a database, whatever lake they meet
        if (sql is None or re.search(rf"\bref_{name}\b", text)) and not spark.catalog.tableExists(f"ref_{name}"):
            _reference_frame(spark, name).createOrReplaceTempView(f"ref_{name}")
    for name, model_sql in models:
        if name in wanted and not spark.catalog.tableExists(name):
            # a view keeps its SQL, not its plan: it reads whatever table of each name is registered when it runs
            spark.sql(f"create temp view `{name}` as {model_sql}")


def build_ledger(spark: SparkSession, folder: Path | str) -> dict[str, int]:
    """Derive every ledger table on Spark from the lake's contract tables, as `claimscope rebuild` does, and list
    them in the lake in place of the ledger it held; return each table's rows."""
    folder = Path(folder).resolve()
    derived = {table: f"select * from {model}" for table, model in ledger.DERIVED_TABLES.items()}
    derived["paid_line_rates"] = _summed("paid_line_rates", _ledger_statement("rate_counts", lines="claim_paid_lines"))
    derived["ledger_months"] = f"select period_end as month_end from ({_ledger_statement('new_months')})"
    derived["monthly_ar"] = _summed("monthly_ar", _ledger_statement(
        "contributions", states="claim_states", ends=f"({_ledger_statement('stored_months')})", charge_window=CHARGE_WINDOW_DAYS))
    # the rules the ledger was built by, which `claimscope attach` checks (etl/lake_attach.py)
    derived["ledger_versions"] = f"select {ledger.LEDGER_VERSION}::integer as version, now()::timestamp as rebuilt_at"
    derived = {table: to_spark(sql) for table, sql in derived.items()}
    laid_out = {table: _laid_out(table) for table in derived}
    # each table's columns as sql/ledger defines them: a lake `claimscope spark load` wrote has no ledger yet
    columns = _schema_columns()
    with lake.lake_lock(folder), tempfile.TemporaryDirectory(dir=folder, prefix=".spark-ledger-") as staged:
        manifest = _manifest(folder)
        # read nothing of a ledger the lake holds: each table is empty until derived, and counts as registered
        for table in ["ledger_refresh_claims", *derived]:
            _empty_frame(spark, columns[table]).createOrReplaceTempView(table)
            spark.conf.set(f"{REGISTERED}.{table}", _registration(folder, manifest))
        # the claims a rebuild derives (etl/ledger.py rebuild): every claim id of a submission or a remittance
        all_claims = to_spark(_ledger_statement("all_claims"))
        register_lake(spark, folder, "\n".join([all_claims, *derived.values(), *laid_out.values()]))
        spark.sql(all_claims).createOrReplaceTempView("ledger_refresh_claims")
        # what more than one ledger table reads is derived once, as etl/ledger.py's _replace_rows does
        for model in ledger.SHARED_MODELS:
            spark.sql(f"select * from {model}").localCheckpoint().createOrReplaceTempView(model)
        # in etl/ledger.py's order: claim_events first (the other three read it), the summed tables, then the version
        for table, sql in derived.items():
            _typed(spark.sql(sql), columns[table]).localCheckpoint().createOrReplaceTempView(table)
            keys = [key for key, _ in lake.LAYOUTS.get(table, lake.Layout()).partitions]
            spark.sql(laid_out[table]).write.partitionBy(*keys).parquet(str(Path(staged) / table))
        # listed as the lake's next export, so every table registered above is read again from the lake when next used
        result = lake.add_files(folder, Path(staged), {table: columns[table] for table in derived}, replaced=derived,
                                schema_version=manifest.get("schema_version"))
        for model in ledger.SHARED_MODELS:
            spark.catalog.dropTempView(model)  # its view again, over the lake's claims, when next read
    return {table: result.row_counts[table] for table in derived}


def spark_query(spark: SparkSession, folder: Path | str, duckdb_sql: str, params: dict | None = None) -> DataFrame:
    """A DuckDB query over the marts (`select * from worklist(date '2026-12-01')`, a KPI query with `$scope`) run on
    Spark over the lake, its parameters bound as literals."""
    folder = Path(folder).resolve()
    spark_sql = to_spark(duckdb_sql, params)
    register_lake(spark, folder, spark_sql)
    return spark.sql(spark_sql)


def _ledger_statement(name: str, /, **fills: object) -> str:
    """One of the statements etl/ledger.py runs (sql/ledger/statements), in DuckDB's SQL, its placeholders filled."""
    return statement(f"{ledger.STATEMENTS}/{name}", **fills)


def _models_read(models: list[tuple[str, str]], sql: str) -> set[str]:
    """The models this SQL names, and the models those name, and so on (models come in build order)."""
    read = set()
    for name, model_sql in reversed(models):
        if re.search(rf"\b{name}\b", sql) or any(re.search(rf"\b{name}\b", text) for other, text in models if other in read):
            read.add(name)
    return read


def _laid_out(table: str) -> str:
    """The Spark SQL of a table's rows with its partition keys (etl/lake.py LAYOUTS): Spark's partitionBy writes a
    folder per key as DuckDB's export does (`event_month=2026-10/payer=60054`, a NULL key in NULL_FOLDER)."""
    layout = lake.LAYOUTS.get(table, lake.Layout())
    keys = "".join(f", {sql} as {key}" for key, sql in layout.partitions)
    return to_spark(f"select {table}.*{keys} from {table} {layout.joins.format(table=table)}")


def _schema_columns() -> dict[str, list[list[str]]]:
    """Each contract and ledger table's columns and DuckDB types, as sql/schema and sql/ledger define them."""
    columns: dict[str, list[list[str]]] = {}
    for table, column, data_type in database.schema_columns():
        columns.setdefault(table, []).append([column, data_type])
    return columns


def _reference_frame(spark: SparkSession, name: str) -> DataFrame:
    """A shipped reference list, every value a string as apply_schema reads it (its staging model types it); read on
    the driver, where the package is, and sent with the plan: a few hundred rows."""
    rows = pl.read_csv(settings.REFERENCE_DIR / f"{name}.csv", infer_schema=False)
    return spark.createDataFrame(rows.to_arrow())


def _registration(folder: Path, manifest: dict) -> str:
    return f"{folder}#{manifest['export_number']}"


def _manifest(folder: Path) -> dict:
    return json.loads((folder / lake.MANIFEST).read_text())


def _table_frame(spark: SparkSession, folder: Path, table: str, entry: dict) -> DataFrame:
    """One table's rows from the files its manifest entry lists, read by path so the partition folders add no
    columns."""
    paths = [str(folder / table / key / name) for key, part in entry["partitions"].items() for name in part["files"]]
    if not paths:
        return _empty_frame(spark, entry["columns"])
    # the schema given, Spark reads no footer to infer one: the files hold exactly these types (etl/lake.py)
    return spark.read.schema(spark_schema(entry["columns"])).parquet(*paths)


def _empty_frame(spark: SparkSession, columns: list[list[str]]) -> DataFrame:
    return spark.range(0).selectExpr(*(f"cast(null as {spark_type(column_type)}) as `{name}`" for name, column_type in columns))


def _typed(frame: DataFrame, columns: list[list[str]]) -> DataFrame:
    """The frame's columns in the manifest's order and types."""
    return frame.selectExpr(*(f"cast(`{name}` as {spark_type(column_type)}) as `{name}`" for name, column_type in columns))


def _summed(table: str, rows_sql: str) -> str:
    """A summed table's rows from nothing, as etl/ledger.py's _add builds them: the measures summed by key, a key
    whose first measure sums to nothing left out."""
    key_columns, measures = ledger.SUMMED[table]
    key = ", ".join(key_columns)
    summed = ", ".join(f"sum({name})::{'decimal(18, 2)' if name.endswith('amount') else 'bigint'} as {name}" for name in measures)
    return f"select {key}, {summed} from ({rows_sql}) group by {key} having sum({measures[0]}) <> 0"
