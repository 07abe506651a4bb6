"""Load files into a Parquet lake on Spark, as `claimscope load` loads a database: each file read and parsed on an
executor by the loader's own code (etl/load/parsing.py parse_file), the suites run through GX's Spark datasource,
failing records quarantined by etl/intake/validate.py, and the contract tables added to the lake (etl/lake.py
add_files)."""

from __future__ import annotations

import glob
import io
import json
import pickle
import shutil
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from etl import db as database
from etl import lake, settings
from etl.intake.records import ParsedFile
from etl.intake.tabular.mapping import ColumnMapping
from etl.load import (ID_OWNERS, FileResult, expand_paths, file_result, groups_to_parse, init_parser,
                      one_row_per_patient, read_and_parse_group, source_file_row, with_batch_load_ids)
from etl.spark.columns import spark_struct

# One Spark task parses up to this many files (etl/load/files.py GROUP_FILES, the group the loader parses together),
# and a folder is spread over at least every core.
FILES_PER_TASK = 64
# Tables written at once: their Spark jobs are small, and mostly the driver's time. The suites run one after another:
# GX's suite-parameter parser is one shared pyparsing grammar, and suites run in threads failed at random in it
# (TypeError in SuiteParameterParser.push_first, seen on the 10,000-claim practice).
WRITE_THREADS = 4
# What each task emits per file: a part (meta, parsed, table, suite, schema, result), the table it holds, its bytes.
PARTS = T.StructType([
    T.StructField("path_index", T.LongType()), T.StructField("part", T.StringType()),
    T.StructField("name", T.StringType()), T.StructField("data", T.BinaryType()),
])
# source_files' columns in the order etl/load/writing.py source_file_row gives its values.
SOURCE_FILE_COLUMNS = ("file_id", "path", "sha256", "kind", "loaded_at", "status", "records_loaded", "records_quarantined",
                       "message", "size_bytes", "is_synthetic")
# The column that carries, through the Spark stages, the path index of the file a patient row came from.
FIRST_SEEN = "_first_seen"
# The tables lake layouts join a child to, for its parent's date and payer (etl/lake.py LAYOUTS).
LAYOUT_PARENTS = {"claims", "remit_claims", "remit_payments"}
@dataclass(frozen=True)
class SparkLoadResult:
    """What a Spark load did: each file's result (loaded, partial, rejected, skipped or failed) and the lake export
    that holds its rows (None when nothing new was written)."""

    files: list[FileResult]
    rows_added: dict[str, int]
    export_number: int | None


def load_files_spark(spark: SparkSession, paths: Iterable[Path | str], lake_folder: Path | str, key_file: Path | str | None,
                     mapping: ColumnMapping | None = None, strict: bool = False) -> SparkLoadResult:
    """Load files, folders or globs into the lake at lake_folder (a new folder, or one Spark loads wrote), each file
    whole or not at all and a file already in the lake skipped by its sha256. Patient keys are hashed with the key in
    key_file (a database's `<db>.key`; $CLAIMSCOPE_PATIENT_KEY when None), so the same files give the same rows as
    `claimscope load`. Input files are read by path on the executors; the lake folder must be one the driver reads."""
    folder = Path(lake_folder).resolve()
    key = _patient_key(key_file)
    files = expand_paths(_globbed(paths))
    database.keep_new_files_private()  # the lake holds PHI as the database does (etl/lake.py export_lake)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    staged = folder / f".spark-{uuid.uuid4().hex}"
    try:
        with lake.lake_lock(folder):
            return _load(spark, files, folder, staged, key, mapping or ColumnMapping(), strict)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _patient_key(key_file: Path | str | None) -> bytes:
    if key_file is None:
        key = settings.patient_key()
        if not key:
            raise lake.LakeError("give the patient key file (--key), or set CLAIMSCOPE_PATIENT_KEY")
        return key
    return Path(key_file).read_text().strip().encode()


def _globbed(paths: Iterable[Path | str]) -> list[Path]:
    """Paths as given, a glob pattern replaced by the paths it matches in name order."""
    found = []
    for path in map(str, paths):
        found += [Path(match) for match in sorted(glob.glob(path))] if glob.has_magic(path) else [Path(path)]
    return found


def _load(spark: SparkSession, files: list[Path], folder: Path, staged: Path, key: bytes, mapping: ColumnMapping,
          strict: bool) -> SparkLoadResult:
    known, highest = _lake_state(folder)
    schema = _contract_schema()
    error_log = folder.parent / f"{folder.name}.errors.log"
    from etl.intake.validate import columns_by_suite, shipped_code_lists

    code_lists = shipped_code_lists()
    listing = spark.createDataFrame([(index, str(path)) for index, path in enumerate(files)], "path_index long, path string")
    cores = spark.sparkContext.defaultParallelism
    tasks = min(max(cores, -(-len(files) // FILES_PER_TASK)), max(len(files), 1))
    parse = _parse_task(known, key, mapping, strict, error_log, columns_by_suite(), code_lists)
    # a path given twice goes to one task, which parses it once
    parsed = listing.repartition(tasks, "path").mapInArrow(parse, PARTS).persist()
    try:
        metas = {row.path_index: json.loads(row.data) for row in parsed.filter(F.col("part") == "meta").select("path_index", "data").collect()}
        plan, results = _plan(files, metas, known, highest)
        if not plan:
            return SparkLoadResult([results[index] for index in sorted(results)], {}, None)
        new_files = spark.createDataFrame([(index,) for index in plan], "path_index long")
        new_parts = parsed.join(F.broadcast(new_files), "path_index", "left_semi")
        outcomes = _validated(spark, code_lists, new_parts)
        finished = new_parts.filter(F.col("part").isin("parsed", "table")).mapInArrow(
            _finish_task(plan, outcomes, datetime.now(timezone.utc).replace(tzinfo=None)), PARTS).persist()
        try:
            for row in finished.filter(F.col("part") == "result").select("path_index", "data").collect():
                results[row.path_index] = FileResult(**json.loads(row.data))
            _write_tables(spark, finished, folder, staged, schema)
            _write_schema_version(spark, folder, staged, schema)
        finally:
            finished.unpersist()
    finally:
        parsed.unpersist()
    before = dict(lake.lake_row_counts(folder)) if (folder / lake.MANIFEST).exists() else {}
    export = lake.add_files(folder, staged, schema, replaced=["patients"], schema_version=database.schema_hash())
    added = {table: rows - before.get(table, 0) for table, rows in export.row_counts.items() if rows != before.get(table, 0)}
    return SparkLoadResult([results[index] for index in sorted(results)], added, export.export_number)


def _lake_state(folder: Path) -> tuple[dict[str, int], dict[str, int]]:
    """The files the lake holds (sha256 -> file_id), and the highest file_id and surrogate ids it uses."""
    if not (folder / lake.MANIFEST).exists():
        return {}, {}
    with lake.lake_connection(folder) as con:
        tables = {name for (name,) in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        known = dict(con.execute("select sha256, file_id from source_files").fetchall()) if "source_files" in tables else {}
        owners = {"file_id": "source_files", **ID_OWNERS}
        highest = {column: database.scalar(con, f"select max({column}) from {table}")
                   for column, table in owners.items() if table in tables}
    return known, {column: value for column, value in highest.items() if value is not None}


def _contract_schema() -> dict[str, list[list[str]]]:
    """Each contract table's columns and DuckDB types, as sql/schema defines them."""
    schema: dict[str, list[list[str]]] = {table: [] for table in database.table_names()}
    for table, column, column_type in database.schema_columns():
        if table in schema:
            schema[table].append([column, column_type])
    return schema


# Executors: the parse --------------------------------------------------------------------------------------------


def _parse_task(known: dict[str, int], key: bytes, mapping: ColumnMapping, strict: bool, error_log: Path,
                suite_columns: dict[str, list[str]], code_lists: dict[str, pl.DataFrame]):
    """The function each task runs over its files: read by path on the executor, hashed and parsed by the loader's own
    code (etl/load/parsing.py read_and_parse_group: small X12 files of a kind parsed together, each error kept to its
    file)."""

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        indexes: dict[str, list[int]] = {}  # a path given twice is parsed once; the second is skipped by its sha256
        for batch in batches:
            for path, index in zip(batch.column("path").to_pylist(), batch.column("path_index").to_pylist()):
                indexes.setdefault(path, []).append(index)
        init_parser(known, key, mapping, strict, error_log)
        for group in groups_to_parse([Path(path) for path in sorted(indexes, key=lambda path: indexes[path][0])]):
            for item in read_and_parse_group(group):
                for index in indexes[str(item.path)]:
                    yield _batch(index, _parsed_parts(index, item, suite_columns, code_lists))

    return parse


def _parsed_parts(index: int, item, suite_columns: dict[str, list[str]], code_lists: dict[str, pl.DataFrame]) -> list[tuple[str, str, bytes]]:
    """One file's parts: its meta (hash, size, highest ids: nothing a patient could be known by), the parsed file, its
    tables, and each suite's prepared rows (etl/intake/validate.py prepared, a file's parents found in the file)."""
    from etl.intake.validate import FILE, prepared, stacked

    if item.result is not None:  # unreadable, a member skipped by its name (a README in a zip), or loaded before
        if item.result.status == "failed":
            return [("meta", "", _json({"failed": item.result.message}))]
        if item.result.file_id is None:
            return [("meta", "", _json({"skipped": item.result.message}))]
        return [("meta", "", _json({"known": item.result.file_id}))]
    parsed = item.parsed
    meta = {"sha256": item.sha256, "size": item.size,
            "highest": {column: max((int(frame[column].max()) for frame in parsed.tables.values()
                                     if column in frame.columns and frame[column].max() is not None), default=None)
                        for column in ID_OWNERS}}
    parts = [("meta", "", _json(meta)), ("parsed", "", pickle.dumps(_without_tables(parsed)))]
    parts += [("table", table, _ipc(frame)) for table, frame in parsed.tables.items()]
    rows = stacked([parsed])
    for table in sorted(set(rows) & set(suite_columns)):
        frame = prepared(rows, table, code_lists)
        frame = frame.select([name for name in suite_columns[table] if name in frame.columns]).with_columns(pl.lit(index, pl.Int64).alias(FILE))
        parts += [("suite", table, _ipc(frame)), ("schema", table, frame.to_arrow().schema.serialize().to_pybytes())]
    return parts


def _without_tables(parsed: ParsedFile) -> ParsedFile:
    return ParsedFile(parsed.kind, {}, parsed.quarantine, parsed.warnings, parsed.structural_warnings, parsed.records_loaded,
                      parsed.is_synthetic, parsed.validation)


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc_stream(buffer, compat_level=pl.CompatLevel.oldest())
    return buffer.getvalue()


def _json(value: dict) -> bytes:
    return json.dumps(value).encode()


def _batch(index: int, parts: list[tuple[str, str, bytes]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({
        "path_index": [index] * len(parts), "part": [part for part, _, _ in parts],
        "name": [name for _, name, _ in parts], "data": [data for _, _, data in parts],
    }, schema=to_arrow_schema(PARTS))


# Driver: which files are new, their ids --------------------------------------------------------------------------


def _plan(files: list[Path], metas: dict[int, dict], known: dict[str, int],
          highest: dict[str, int]) -> tuple[dict[int, dict], dict[int, FileResult]]:
    """Each new file's path, file_id and surrogate id offsets, numbered past the lake's ids in path order; and the
    results of the files that need no more work (unreadable, or loaded before by their sha256)."""
    plan, results, seen = {}, {}, dict(known)
    next_file_id = highest.get("file_id", 0) + 1
    offsets = {column: highest[column] + 1 if column in highest else 0 for column in ID_OWNERS}
    for index, path in enumerate(files):
        meta = metas[index]
        if "failed" in meta:
            results[index] = FileResult(str(path), "unknown", "failed", message=meta["failed"])
        elif "skipped" in meta:
            results[index] = FileResult(str(path), "-", "skipped", message=meta["skipped"])
        elif "known" in meta or meta["sha256"] in seen:
            file_id = meta.get("known") or seen[meta["sha256"]]
            results[index] = FileResult(str(path), "-", "skipped", message=f"already loaded as file {file_id}", file_id=file_id)
        else:
            seen[meta["sha256"]] = next_file_id
            plan[index] = {"path": str(path), "file_id": next_file_id, "sha256": meta["sha256"], "size": meta["size"],
                           "offsets": dict(offsets)}
            next_file_id += 1
            for column, value in meta["highest"].items():
                offsets[column] += value + 1 if value is not None else 0
    return plan, results


# Driver: the suites, through GX's Spark datasource ----------------------------------------------------------------


def _validated(spark: SparkSession, code_lists: dict[str, pl.DataFrame], parts: DataFrame) -> list:
    """Run each suite over every new file's prepared rows at once; the outcomes, failing rows with their values."""
    from etl.intake.validate import SuiteRunner  # GX: only when there is something new to check

    runner = SuiteRunner(date.today(), code_lists=code_lists, spark=True)
    schemas: dict[str, list[pa.Schema]] = {}
    for row in parts.filter(F.col("part") == "schema").select("name", "data").distinct().collect():
        schemas.setdefault(row.name, []).append(pa.ipc.read_schema(pa.py_buffer(row.data)))
    unified = {table: from_arrow_schema(_spark_safe(pa.unify_schemas(found, promote_options="permissive")))
               for table, found in schemas.items()}
    # every expectation is a Spark job over these rows: held in memory, in one partition (they are few beside the files)
    rows = _decoded(parts.filter(F.col("part") == "suite"), unified).coalesce(1).persist()
    try:
        return [outcome for table in sorted(unified) for outcome in runner.run(table, _rows_of(rows, table, unified[table]))]
    finally:
        rows.unpersist()


def _spark_safe(schema: pa.Schema) -> pa.Schema:
    """A column no file gave a value (Arrow's null type) read as text, a type Spark has."""
    return pa.schema([field.with_type(pa.string()) if pa.types.is_null(field.type) else field for field in schema])


def _decoded(parts: DataFrame, schemas: dict[str, T.StructType]) -> DataFrame:
    """The Arrow IPC blobs of many tables in one pass (one Python stage, not one per table): a wide DataFrame with a
    `_table` column and each table's columns as `<table>__<column>`, cast to its schema, a missing one null."""
    targets = {name: to_arrow_schema(schema) for name, schema in schemas.items()}
    wide = to_arrow_schema(T.StructType([T.StructField("_table", T.StringType())] + [
        T.StructField(f"{name}__{field.name}", field.dataType) for name, schema in schemas.items() for field in schema.fields]))

    def decode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for name, blob in zip(batch.column("name").to_pylist(), batch.column("data").to_pylist()):
                table = pa.ipc.open_stream(blob).read_all()
                given = {f"{name}__{field.name}": table.column(field.name).cast(field.type)
                         for field in targets[name] if field.name in table.column_names}
                columns = [pa.array([name] * table.num_rows, pa.string())] + [
                    given.get(field.name, pa.nulls(table.num_rows, field.type)) for field in list(wide)[1:]]
                yield from pa.Table.from_arrays(columns, schema=wide).to_batches()

    return parts.select("name", "data").mapInArrow(decode, from_arrow_schema(wide))


def _rows_of(wide: DataFrame, table: str, schema: T.StructType) -> DataFrame:
    """One table's rows from a wide DataFrame `_decoded` gave."""
    return wide.filter(F.col("_table") == table).select([F.col(f"{table}__{name}").alias(name) for name in schema.names])


# Executors: quarantine, ids, the rows as written --------------------------------------------------------------------


def _finish_task(plan: dict[int, dict], outcomes: list, loaded_at: datetime):
    """The function each task runs over its parsed files: failing records quarantined, ids shifted past the lake's, and
    each table's rows as the loader writes them (etl/load/writing.py write_batch), with their lake folder keys: one
    blob per table for the task's files together."""

    def finish(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        files: dict[int, dict] = {}
        for batch in batches:
            for index, part, name, data in zip(*(batch.column(column).to_pylist() for column in ("path_index", "part", "name", "data"))):
                found = files.setdefault(index, {"tables": {}})
                if part == "parsed":
                    found["parsed"] = pickle.loads(data)
                else:
                    found["tables"][name] = pl.read_ipc_stream(data)
        written: dict[str, list[pl.DataFrame]] = {}
        for index, found in files.items():
            parsed = found["parsed"]
            parsed.tables = found["tables"]
            result, tables = _finished_file(index, parsed, plan[index], outcomes, loaded_at)
            yield _batch(index, [("result", "", _json(asdict(result)))])
            for table, frame in tables.items():
                # which file a patient was first seen in, for the row the loader keeps (_with_known_patients)
                frame = frame.with_columns(pl.lit(index, pl.Int64).alias(FIRST_SEEN)) if table == "patients" else frame
                written.setdefault(table, []).append(frame)
        tables = {table: pl.concat(frames, how="diagonal_relaxed") for table, frames in written.items()}
        if "patients" in tables:
            tables["patients"] = one_row_per_patient(tables["patients"])
        yield _batch(-1, [("table", table, _ipc(frame)) for table, frame in _with_folder_keys(tables).items()])

    return finish


def _finished_file(index: int, parsed: ParsedFile, planned: dict, outcomes: list, loaded_at: datetime) -> tuple[FileResult, dict[str, pl.DataFrame]]:
    """One file's result and rows: its failing records quarantined (etl/intake/validate.py), its ids shifted."""
    from etl.intake.validate import quarantine_records, runs_for_file

    path, file_id = Path(planned["path"]), planned["file_id"]
    errors = [failure for outcome in outcomes for failure in outcome.failures if failure.file_index == index and failure.severity == "error"]
    if parsed.tables:
        parsed.validation = runs_for_file(outcomes, index, parsed)
    if errors:
        quarantine_records(parsed, path, errors)
    result = file_result(path, file_id, parsed)
    pieces = {table: [(0, frame)] for table, frame in parsed.tables.items() if frame.height}
    tables = with_batch_load_ids(pieces, [file_id], dict(planned["offsets"])) if pieces else {}
    tables["source_files"] = pl.DataFrame([source_file_row(result, planned["sha256"], planned["size"], parsed)],
                                          schema=list(SOURCE_FILE_COLUMNS), orient="row")
    if parsed.quarantine:
        tables["quarantine"] = pl.DataFrame({
            "file_id": [file_id] * len(parsed.quarantine), "locator": [item.locator for item in parsed.quarantine],
            "reason": [item.reason for item in parsed.quarantine], "raw": [item.raw for item in parsed.quarantine],
            "quarantined_at": [loaded_at] * len(parsed.quarantine)}, schema_overrides={"raw": pl.Utf8})
    if parsed.structural_warnings:
        tables["load_warnings"] = pl.DataFrame({
            "file_id": [file_id] * len(parsed.structural_warnings),
            "locator": [item.locator for item in parsed.structural_warnings],
            "warning": [item.warning for item in parsed.structural_warnings]})
    if parsed.validation:
        tables["validation_runs"] = pl.DataFrame([{**run, "file_id": file_id} for run in parsed.validation], infer_schema_length=None)
    return result, tables


def _with_folder_keys(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Each table's rows with the folder keys an export gives them, by DuckDB from the export's own rule
    (etl/lake.py folder_keys_sql). A child's parent comes from its own file, so from the same task."""
    con = duckdb.connect()
    for table, frame in tables.items():
        con.register(table, frame)
    for parent in LAYOUT_PARENTS - set(tables):  # every record of a file quarantined: its children have no parent either
        con.execute((database.SQL_DIR / "schema" / f"{parent}.sql").read_text())
    return {table: con.sql(sql).pl() if (sql := lake.folder_keys_sql(table)) else frame for table, frame in tables.items()}


# Driver: the lake ----------------------------------------------------------------------------------------------------


def _write_tables(spark: SparkSession, finished: DataFrame, folder: Path, staged: Path,
                  schema: dict[str, list[list[str]]]) -> None:
    """Write each contract table's new rows to staged/<table>, a folder per lake partition (etl/lake.py LAYOUTS)."""
    present = {row.name for row in finished.filter(F.col("part") == "table").select("name").distinct().collect()}
    keys = {table: [key for key, _ in lake.LAYOUTS[table].partitions] if table in lake.LAYOUTS else [] for table in present}
    typed = {table: T.StructType(spark_struct(schema[table]).fields + [T.StructField(key, T.StringType()) for key in keys[table]])
             for table in present}
    if "patients" in typed:
        typed["patients"] = typed["patients"].add(FIRST_SEEN, T.LongType())
    rows = _decoded(finished.filter(F.col("part") == "table"), typed).persist()
    try:
        patients = _rows_of(rows, "patients", typed["patients"]) if "patients" in present else None
        frames = {table: _rows_of(rows, table, typed[table]) for table in present - {"patients"}}
        frames["patients"] = _with_known_patients(spark, patients, folder, spark_struct(schema["patients"]))
        with ThreadPoolExecutor(WRITE_THREADS) as pool:
            list(pool.map(lambda item: _write_table(item[1], keys.get(item[0], []), staged / item[0]), frames.items()))
    finally:
        rows.unpersist()


def _write_table(frame: DataFrame, keys: list[str], target: Path) -> None:
    # one file per lake folder, as an export writes
    (frame.repartition(*keys) if keys else frame.coalesce(1)).write.partitionBy(*keys).parquet(str(target))


def _write_schema_version(spark: SparkSession, folder: Path, staged: Path, schema: dict[str, list[list[str]]]) -> None:
    """Record the contract schema the rows were written with, as apply_schema records a database's (etl/db.py)."""
    files = lake.table_files(folder, "schema_versions")
    if files:
        with duckdb.connect() as con:
            latest = database.scalar(con, "select max_by(schema_hash, applied_at) from read_parquet(?)", [list(map(str, files))])
        if latest == database.schema_hash():
            return
    row = [(database.schema_hash(), datetime.now(timezone.utc).replace(tzinfo=None))]
    spark.createDataFrame(row, spark_struct(schema["schema_versions"])).coalesce(1).write.parquet(str(staged / "schema_versions"))


def _with_known_patients(spark: SparkSession, incoming: DataFrame | None, folder: Path, schema: T.StructType) -> DataFrame:
    """The lake's patients and the new ones, once each: a patient seen before keeps their row, and a later 837 may add
    the birth date an 835 lacked (etl/load/writing.py insert_frame); among new rows the loader keeps one with a birth
    date, from the first file (etl/load/writing.py one_row_per_patient)."""
    files = lake.table_files(folder, "patients")
    known = spark.read.schema(schema).parquet(*map(str, files)).withColumn(FIRST_SEEN, F.lit(-1).cast("long")) if files else None
    frames = [frame for frame in (known, incoming) if frame is not None]
    if not frames:
        return spark.createDataFrame([], schema)
    rows = frames[0] if len(frames) == 1 else frames[0].unionByName(frames[1])
    is_new = F.col(FIRST_SEEN) >= 0
    first = F.struct(is_new, F.col("birth_date").isNull(), F.col(FIRST_SEEN))
    others = [name for name in schema.names if name not in ("patient_key", "birth_date")]
    return rows.groupBy("patient_key").agg(
        *(F.min_by(name, first).alias(name) for name in others),
        F.min_by("birth_date", F.struct(F.col("birth_date").isNull(), is_new, F.col(FIRST_SEEN))).alias("birth_date"),
    ).select(*schema.names)
