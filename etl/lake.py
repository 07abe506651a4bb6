"""Export the contract and ledger tables to a Parquet lake, a folder per month and payer, and read it back with DuckDB."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from etl import db as database

MANIFEST = "manifest.json"
LOCK = ".export.lock"
MANIFEST_FORMAT = 1
# Lake files are named for the export that wrote them; only files so named are ever removed from a lake folder.
FILE_NAME = re.compile(r"export-\d{6,}_\d+\.parquet")
# The folder DuckDB and Spark give a NULL partition key.
NULL_FOLDER = "__HIVE_DEFAULT_PARTITION__"
# A column type the manifest may name, checked before it goes into a view's SQL.
COLUMN_TYPE = re.compile(r"[A-Z][A-Z0-9_]*(\(\d+(, ?\d+)?\))?(\[\])*")


class LakeError(Exception):
    """An export or read the lake folder does not allow; the message says why and names no patient."""


@dataclass(frozen=True)
class Layout:
    """How one table lies in the lake."""

    # (folder key, SQL of its value), outermost first. Keys are derived columns named apart from the table's own, so
    # the files keep every column exactly as the database holds it: read back from folder names, payer ids 60054 and
    # 62308 come back as numbers (DuckDB's and Spark's partition type inference), and a leading zero would be lost.
    partitions: tuple[tuple[str, str], ...] = ()
    joins: str = ""  # joins that bring a child row its parent's date and payer
    # An ever-growing key (file_id, entry_id): rows past the last export's go into new files beside the old ones.
    # None: the table changes in place, and a partition whose rows changed is written anew.
    batch_key: str | None = None


def _month(column: str) -> str:
    return f"strftime({column}, '%Y-%m')"


def _payer(column: str) -> str:
    # a payer id from a CSV may hold any character; its folder keeps the safe ones, its files the id itself
    return f"regexp_replace({column}, '[^A-Za-z0-9._-]', '_', 'g')"


BY_SUBMISSION = (("submitted_month", _month("claims.submitted_date")), ("payer", _payer("claims.payer_id")))
BY_PAYMENT = (("payment_month", _month("remit_payments.payment_date")), ("payer", _payer("remit_payments.payer_id")))
TO_CLAIM = "left join claims on claims.claim_record_id = {table}.claim_record_id"
TO_PAYMENT = "left join remit_payments on remit_payments.payment_id = {table}.payment_id"
TO_CLAIM_PAYMENT = ("left join remit_claims on remit_claims.remit_claim_id = {table}.remit_claim_id"
                    " left join remit_payments on remit_payments.payment_id = remit_claims.payment_id")

# Tables not named here (patients, work_items, appeals, schema_versions, the ledger's small tables, the reference
# lists) are small or dimension tables: one folder, written anew whenever their rows change.
LAYOUTS = {
    # These contract tables are append-only: each export adds the rows of the files loaded since the last. A claim's lines,
    # diagnoses and other payers lie with the claim, by submitted month and payer; an 835's rows with its payment.
    "claims": Layout(BY_SUBMISSION, batch_key="claims.file_id"),
    "claim_lines": Layout(BY_SUBMISSION, TO_CLAIM, "claims.file_id"),
    "claim_diagnoses": Layout(BY_SUBMISSION, TO_CLAIM, "claims.file_id"),
    "claim_other_payers": Layout(BY_SUBMISSION, TO_CLAIM, "claim_other_payers.file_id"),
    "claim_line_other_payments": Layout(BY_SUBMISSION, TO_CLAIM, "claim_line_other_payments.file_id"),
    "remit_payments": Layout(BY_PAYMENT, batch_key="remit_payments.file_id"),
    "remit_claims": Layout(BY_PAYMENT, TO_PAYMENT, "remit_claims.file_id"),
    "remit_service_lines": Layout(BY_PAYMENT, TO_CLAIM_PAYMENT, "remit_service_lines.file_id"),
    "remit_adjustments": Layout(BY_PAYMENT, TO_CLAIM_PAYMENT, "remit_adjustments.file_id"),
    "remit_remarks": Layout(BY_PAYMENT, TO_CLAIM_PAYMENT, "remit_remarks.file_id"),
    "provider_adjustments": Layout(BY_PAYMENT, TO_PAYMENT, "provider_adjustments.file_id"),
    "balancing_issues": Layout(BY_PAYMENT, TO_PAYMENT, "balancing_issues.file_id"),
    "source_files": Layout(batch_key="source_files.file_id"),
    "quarantine": Layout(batch_key="quarantine.file_id"),
    "load_warnings": Layout(batch_key="load_warnings.file_id"),
    "claim_coders": Layout(batch_key="claim_coders.file_id"),
    "coding_audits": Layout(batch_key="coding_audits.file_id"),
    "fee_schedules": Layout(batch_key="fee_schedules.file_id"),
    # `claimscope validate` adds runs of the whole database (no file_id): their month's folder is written anew
    "validation_runs": Layout((("validated_month", _month("validation_runs.validated_at")),), batch_key="validation_runs.file_id"),
    "audit_log": Layout((("logged_month", _month("audit_log.logged_at")),), batch_key="audit_log.entry_id"),
    "audit_samples": Layout(batch_key="audit_samples.sample_id"),
    "audit_sample_claims": Layout(batch_key="audit_sample_claims.sample_id"),
    "code_list_versions": Layout(batch_key="code_list_versions.version_id"),
    "code_list_entries": Layout(batch_key="code_list_entries.version_id"),
    "work_item_history": Layout(batch_key="work_item_history.change_id"),
    "work_item_notes": Layout(batch_key="work_item_notes.note_id"),
    # Ledger tables are re-derived in place by every load (etl/ledger.py): only the partitions whose rows changed are
    # written anew, so a file about one payer's October leaves every other payer's and month's files alone.
    "claim_events": Layout((("event_month", _month("claim_events.event_date")), ("payer", _payer("claim_events.payer_id")))),
    "claim_states": Layout((("valid_from_month", _month("claim_states.valid_from")), ("payer", _payer("claim_states.payer_id")))),
    "claim_paid_lines": Layout((("payment_month", _month("claim_paid_lines.payment_date")),
                                ("payer", _payer("claim_paid_lines.payer_id")))),
    "remit_line_matches": Layout(BY_PAYMENT, TO_CLAIM_PAYMENT),
    "monthly_ar": Layout((("month", _month("monthly_ar.month_end")), ("payer", _payer("monthly_ar.payer_id")))),
    "paid_line_rates": Layout((("payment_month", _month("paid_line_rates.payment_date")),
                               ("payer", _payer("paid_line_rates.payer_id")))),
}


@dataclass(frozen=True)
class ExportResult:
    """What one export did: its number, the files it wrote and removed (relative to the lake), each table's rows, and
    the data hash."""

    export_number: int
    files_written: tuple[str, ...]
    files_removed: tuple[str, ...]
    row_counts: dict[str, int]
    data_hash: str


def export_lake(db: Path | str, folder: Path | str) -> ExportResult:
    """Write the contract, ledger and reference tables into a Parquet lake (a new or empty folder, or this database's
    lake), adding what changed since the last export there, then its manifest.json. The lake holds PHI as the database
    does, so its files are 0600 and its folders 0700."""
    folder = Path(folder).resolve()
    if folder.exists() and not (folder / MANIFEST).exists() and any(entry.name != LOCK for entry in folder.iterdir()):
        raise LakeError(f"{folder} holds files but no {MANIFEST}, so it is no claimscope lake; export into a new or empty folder")
    database.keep_new_files_private()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    # one read connection throughout, so every table is of one moment; a load waits for it (etl/db.py LOCK_TIMEOUT_SECONDS)
    with lake_lock(folder), database.read_connection(db) as con:
        origin = _origin(con)
        before = _previous_manifest(folder, origin)
        if before is None:  # claimed before any data file is written, so an export that stops midway can be run again
            before = {"format": MANIFEST_FORMAT, "export_number": 0, "origin": origin, "tables": {}}
            _write_manifest(folder, before)
        leftovers = _remove_unlisted(folder, before)
        number = before["export_number"] + 1
        tables, written, sums = {}, [], {}
        for table in _lake_tables(con):
            tables[table], sums[table], files = _export_table(con, folder, table, before["tables"].get(table), number)
            written += files
        manifest = {
            "format": MANIFEST_FORMAT,
            "export_number": number,
            "exported_at": datetime.now(timezone.utc).replace(tzinfo=None).isoformat(),
            "origin": origin,
            "schema_version": database.scalar(con, "select max_by(schema_hash, applied_at) from schema_versions"),
            "ledger_version": database.scalar(con, "select max(version) from ledger_versions"),
            # the data hash sums an md5 of each row as DuckDB writes it as text: stable for one DuckDB version
            "duckdb_version": duckdb.__version__,
            "data_hash": _combine(sums),
            "tables": tables,
        }
    _write_manifest(folder, manifest)
    removed = _remove_unlisted(folder, manifest)
    return ExportResult(number, tuple(written), tuple(leftovers + removed),
                        {table: entry["rows"] for table, entry in tables.items()}, manifest["data_hash"])


def lake_connection(folder: Path | str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per lake table, named as in the database, over the files the manifest lists:
    files an export that stopped midway left behind are not read."""
    folder = Path(folder).resolve()
    return lake_connection_of(folder, read_manifest(folder))


def lake_connection_of(folder: Path, manifest: dict) -> duckdb.DuckDBPyConnection:
    """lake_connection over a manifest in hand (one not yet written)."""
    con = duckdb.connect()
    for table, entry in manifest["tables"].items():
        con.execute(f"create view {_quoted(table)} as {lake_select(folder, table, entry)}")
    return con


def add_files(folder: Path | str, staged: Path, columns: dict[str, list[list[str]]], replaced: Iterable[str] = (),
              schema_version: str | None = None) -> ExportResult:
    """List Parquet files another engine wrote (`staged/<table>/<key=value>/…/*.parquet`, as Spark's partitionBy lays
    them out) in the lake as its next export: moved beside each table's files, or in place of them for a table in
    `replaced`. `columns` gives each table's columns and DuckDB types; every table named there gets an entry, empty
    when it has no files. The caller holds lake_lock. Rows and digests are counted by DuckDB over the listed files."""
    folder = Path(folder).resolve()
    manifest = (read_manifest(folder) if (folder / MANIFEST).exists()
                else {"format": MANIFEST_FORMAT, "export_number": 0, "origin": None, "tables": {}})
    number = manifest["export_number"] + 1
    replaced = set(replaced)
    tables, written, removed = {}, [], []
    # a claim's lines are exported through their claim's file_id: the tables keyed by their own column come first
    for table, table_columns in sorted(columns.items(), key=lambda item: _batch_table(item[0]) not in (None, item[0])):
        layout = LAYOUTS.get(table, Layout())
        before = manifest["tables"].get(table)
        files = {} if before is None or table in replaced else {key: list(part["files"]) for key, part in before["partitions"].items()}
        if before is not None and table in replaced:
            removed += [f"{table}/{key + '/' if key else ''}{name}" for key, part in before["partitions"].items() for name in part["files"]]
        for index, path in enumerate(sorted((staged / table).rglob("*.parquet")) if (staged / table).is_dir() else []):
            key = path.parent.relative_to(staged / table).as_posix()
            key = "" if key == "." else key
            name = f"export-{number:06d}_{index}.parquet"
            (folder / table / key).mkdir(parents=True, exist_ok=True)
            os.replace(path, folder / table / key / name)
            (folder / table / key / name).chmod(0o600)  # PHI, as export_lake's files; the engine wrote them with its own umask
            files.setdefault(key, []).append(name)
            written.append(f"{table}/{key + '/' if key else ''}{name}")
        tables[table] = _entry_of_files(folder, table, table_columns, layout, files)
        if _batch_table(table) not in (None, table):
            tables[table]["exported_through"] = tables[_batch_table(table)]["exported_through"]
    manifest = {
        **manifest,
        "export_number": number,
        "exported_at": datetime.now(timezone.utc).replace(tzinfo=None).isoformat(),
        "schema_version": schema_version,
        "duckdb_version": duckdb.__version__,
        "tables": {**manifest["tables"], **tables},
    }
    with lake_connection_of(folder, manifest) as con:
        manifest["origin"] = manifest["origin"] or (_origin(con) if "source_files" in manifest["tables"] else None)
        manifest["data_hash"] = data_hash(con, list(manifest["tables"]))
    _write_manifest(folder, manifest)
    removed += _remove_unlisted(folder, manifest)
    return ExportResult(number, tuple(written), tuple(removed),
                        {table: entry["rows"] for table, entry in manifest["tables"].items()}, manifest["data_hash"])


def _entry_of_files(folder: Path, table: str, columns: list[list[str]], layout: Layout,
                    files: dict[str, list[str]]) -> dict:
    """A table's manifest entry for these files by partition, its rows and digests read by DuckDB."""
    paths = {str(folder / table / key / name): key for key, names in files.items() for name in names}
    totals: dict[str, Sums] = {}
    batch_column = layout.batch_key.split(".")[-1] if layout.batch_key else None
    through = None
    if paths:
        names = [name for name, _ in columns]
        with duckdb.connect() as con:
            source = f"read_parquet([{', '.join(map(_literal, paths))}], hive_partitioning = false, filename = true)"
            rows = f"select filename as partition, false as is_new, {_row_text(table, names)} as row_text from {source} as {_quoted(table)}"
            for (path, _), counts in _row_sums(con, rows, {}).items():
                totals[paths[path]] = _summed([totals.get(paths[path], (0, 0, 0)), counts])
            if batch_column and batch_column in names and _batch_table(table) == table:
                through = database.scalar(con, f"select max({_quoted(batch_column)}) from {source}")
    return {
        "columns": columns,
        "partitioned_by": [key for key, _ in layout.partitions],
        "batch_key": layout.batch_key,
        "exported_through": through,
        "rows": _summed(totals.values())[0],
        "digest": _digest(_summed(totals.values())),
        "partitions": {key: {"rows": totals[key][0], "digest": _digest(totals[key]), "files": sorted(files[key])}
                       for key in sorted(files) if key in totals},
    }


def folder_keys_sql(table: str) -> str | None:
    """SQL of the table's rows with their folder keys (`submitted_month`, `payer`, …), over relations named as the
    tables its layout joins: how a Spark load gives its rows the folders an export would. None when unpartitioned."""
    layout = LAYOUTS.get(table, Layout())
    if not layout.partitions:
        return None
    keys = "".join(f", {sql} as {_quoted(key)}" for key, sql in layout.partitions)
    return f"select {_quoted(table)}.*{keys} from {_quoted(table)} {layout.joins.format(table=_quoted(table))}"


def _batch_table(table: str) -> str | None:
    """The table whose column is the table's batch key (claims for a claim's lines)."""
    batch_key = LAYOUTS.get(table, Layout()).batch_key
    return batch_key.split(".")[0] if batch_key else None


def table_files(folder: Path | str, table: str) -> list[Path]:
    """The files the manifest lists for a table; none when the lake or the table is not there yet."""
    folder = Path(folder).resolve()
    if not (folder / MANIFEST).exists():
        return []
    entry = read_manifest(folder)["tables"].get(table)
    return [folder / table / key / name for key, part in entry["partitions"].items() for name in part["files"]] if entry else []


def lake_row_counts(folder: Path | str) -> list[tuple[str, int]]:
    """Each lake table and the rows its files hold, in export order (`claimscope tables --lake`)."""
    with lake_connection(folder) as con:
        names = [name for (name,) in con.execute("select view_name from duckdb_views() where not internal order by view_oid").fetchall()]
        return [(name, database.scalar(con, f"select count(*) from {_quoted(name)}")) for name in names]


def data_hash(con: duckdb.DuckDBPyConnection, tables: list[str]) -> str:
    """The hash of these tables' rows, in any order, as export_lake records it: the same for a database and its lake."""
    sums = {}
    for table in tables:
        columns = [name for name, _ in _columns(con, table)]
        rows = f"select '' as partition, false as is_new, {_row_text(table, columns)} as row_text from {_quoted(table)}"
        sums[table] = _summed(_row_sums(con, rows, {}).values())
    return _combine(sums)


# Rows, and the sums of the low and the high half of each row's md5 (of the row as DuckDB writes it as text): a hash
# that no row order changes and that a duplicated row still does.
Sums = tuple[int, int, int]


def _export_table(con: duckdb.DuckDBPyConnection, folder: Path, table: str, before: dict | None,
                  number: int) -> tuple[dict, Sums, list[str]]:
    """Write what changed in one table since its manifest entry `before`; return its new entry, its sums and the files
    written."""
    layout = LAYOUTS.get(table, Layout())
    columns = _columns(con, table)
    shape = {"columns": columns, "partitioned_by": [key for key, _ in layout.partitions], "batch_key": layout.batch_key}
    if before is None or any(before.get(key) != value for key, value in shape.items()):
        before = {"exported_through": None, "partitions": {}}  # new, or laid out anew: every partition is written
    through = before["exported_through"] if layout.batch_key else None
    source = f"{_quoted(table)} {layout.joins.format(table=_quoted(table))}"
    is_new, params = (f"coalesce({layout.batch_key} > $through, false)", {"through": through}) if through is not None else ("false", {})
    # each row: its table's columns, its partition keys, its partition folder, and whether it is past the last export
    keys = "".join(f", {sql} as {_quoted(key)}" for key, sql in layout.partitions)
    rows = (f"select {_quoted(table)}.*{keys}, {_partition_sql(layout)} as partition, {is_new} as is_new,"
            f" {_row_text(table, [name for name, _ in columns])} as row_text from {source}")

    sums = _row_sums(con, rows, params)
    old = {key: counts for (key, new), counts in sums.items() if not new}
    kept = {key for key, entry in before["partitions"].items() if key in old and entry["digest"] == _digest(old[key])}
    rewritten = sorted(set(old) - kept)  # rows changed in place, or a partition the lake does not hold yet
    totals: dict[str, Sums] = {}
    for (key, _), counts in sums.items():
        totals[key] = _summed([totals.get(key, (0, 0, 0)), counts])
    files: dict[str, list[str]] = {key: [] for key in totals}
    if rewritten or any(new for _, new in sums):
        written_rows = (f"select * exclude (partition, is_new, row_text) from ({rows})"
                        " where is_new or partition in (select unnest($rewritten::varchar[]))")
        for path in _copy(con, folder / table, layout, written_rows, {**params, "rewritten": rewritten}, number):
            key = path.parent.relative_to(folder / table).as_posix()
            key = "" if key == "." else key
            if key not in files:
                raise RuntimeError(f"{table}: DuckDB wrote {path.name} into {key!r}, a folder the export did not expect")
            files[key].append(path.name)

    entry = {
        **shape,
        "exported_through": database.scalar(con, f"select max({layout.batch_key}) from {source}") if layout.batch_key else None,
        "rows": _summed(totals.values())[0],
        "digest": _digest(_summed(totals.values())),
        "partitions": {
            key: {"rows": totals[key][0], "digest": _digest(totals[key]),
                  "files": (before["partitions"][key]["files"] if key in kept else []) + sorted(files[key])}
            for key in sorted(totals)
        },
    }
    written = [f"{table}/{key + '/' if key else ''}{name}" for key in sorted(files) for name in sorted(files[key])]
    return entry, _summed(totals.values()), written


def _copy(con: duckdb.DuckDBPyConnection, target: Path, layout: Layout, rows: str, params: dict, number: int) -> list[Path]:
    """COPY the rows into the table's folder as this export's files, a folder per partition; return the files."""
    target.mkdir(exist_ok=True)
    if layout.partitions:
        keys = ", ".join(_quoted(key) for key, _ in layout.partitions)
        options = f", partition_by ({keys}), filename_pattern 'export-{number:06d}_{{i}}', overwrite_or_ignore true"
        destination = target
    else:
        options, destination = "", target / f"export-{number:06d}_0.parquet"
    written = con.execute(f"copy ({rows}) to {_literal(str(destination))} (format parquet, return_files true{options})",
                          params).fetchall()
    return [Path(path) for path in written[0][1]]


def _partition_sql(layout: Layout) -> str:
    """SQL of a row's partition folder, as DuckDB names it (`submitted_month=2026-10/payer=60054`; '' unpartitioned)."""
    parts = [f"'{key}=' || coalesce({sql}, '{NULL_FOLDER}')" for key, sql in layout.partitions]
    return " || '/' || ".join(parts) if parts else "''"


def _row_text(table: str, columns: list[str]) -> str:
    return f"cast(row({', '.join(f'{_quoted(table)}.{_quoted(column)}' for column in columns)}) as varchar)"


def _row_sums(con: duckdb.DuckDBPyConnection, rows: str, params: dict) -> dict[tuple[str, bool], Sums]:
    """The sums of the rows (with partition, is_new and row_text columns) by partition and by whether they are new."""
    return {(key, new): tuple(counts) for key, new, *counts in con.execute(
        f"select partition, is_new, count(*), coalesce(sum(md5_number_lower(row_text)), 0),"
        f" coalesce(sum(md5_number_upper(row_text)), 0) from ({rows}) group by all", params).fetchall()}


def _summed(sums: Iterable[Sums]) -> Sums:
    return tuple(map(sum, zip((0, 0, 0), *sums)))


def _digest(sums: Sums) -> str:
    return hashlib.sha256(":".join(map(str, sums)).encode()).hexdigest()


def _combine(sums: dict[str, Sums]) -> str:
    """One hash of every table's rows."""
    return hashlib.sha256("".join(f"{table}:{_digest(sums[table])}\n" for table in sorted(sums)).encode()).hexdigest()


def _lake_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables an export writes, those the database holds of: the contract tables, the ledger, the reference lists."""
    present = {name for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'main'"
    ).fetchall()}
    names = database.table_names() + database.ledger_table_names() + [f"ref_{name}" for name in database.REFERENCE_TABLES]
    return [name for name in names if name in present]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[list[str]]:
    return [list(row) for row in con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where database_name = current_database() and schema_name = 'main' and table_name = ? order by column_index",
        [table],
    ).fetchall()]


def _origin(con: duckdb.DuckDBPyConnection) -> str | None:
    """The database's first loaded file, its content hash and load time: no later load changes it, and no other
    database shares it. None while nothing is loaded."""
    first = con.execute("select sha256, loaded_at from source_files order by file_id limit 1").fetchall()
    return hashlib.sha256(f"{first[0][0]}|{first[0][1].isoformat()}".encode()).hexdigest() if first else None


def _previous_manifest(folder: Path, origin: str | None) -> dict | None:
    """The manifest of the last export into the folder; refused when it is another database's lake."""
    if not (folder / MANIFEST).exists():
        return None
    manifest = read_manifest(folder)
    if manifest["origin"] is not None and manifest["origin"] != origin:
        raise LakeError(f"{folder} holds the lake of another database; export into a new or empty folder, or into this "
                        "database's own lake")
    return manifest


def read_manifest(folder: Path) -> dict:
    """The lake's manifest.json, refused when missing, unreadable or of another format."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise LakeError(f"{folder} has no {MANIFEST}: no claimscope export has finished there") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LakeError(f"{folder / MANIFEST} cannot be read ({error})") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise LakeError(f"{folder / MANIFEST} is of format {manifest.get('format')!r}; this claimscope reads {MANIFEST_FORMAT}")
    return manifest


def _write_manifest(folder: Path, manifest: dict) -> None:
    """Replace the manifest in one step: a reader sees the last export's or this one's, never half of one."""
    temporary = folder / f"{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=1) + "\n")
    os.replace(temporary, folder / MANIFEST)


def _remove_unlisted(folder: Path, manifest: dict) -> list[str]:
    """Remove the lake files the manifest does not list (replaced by a later export, or left by one that stopped
    midway) and the folders that leaves empty; return the files removed."""
    listed = {f"{table}/{key + '/' if key else ''}{name}"
              for table, entry in manifest["tables"].items() for key, part in entry["partitions"].items() for name in part["files"]}
    removed = []
    for path in sorted(folder.glob("*/**/export-*.parquet")):
        relative = path.relative_to(folder).as_posix()
        if FILE_NAME.fullmatch(path.name) and relative not in listed:
            path.unlink()
            removed.append(relative)
    for directory in sorted((path for path in folder.glob("*/**") if path.is_dir()), key=lambda path: -len(path.parts)):
        if not any(directory.iterdir()):
            directory.rmdir()
    return removed


@contextmanager
def lake_lock(folder: Path) -> Iterator[None]:
    """One export into a folder at a time: two would both take the next export number (and a Spark load the same
    surrogate ids)."""
    with open(folder / LOCK, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LakeError(f"another export into {folder} is running; run this one when it has finished") from None
        yield


def lake_select(folder: Path, table: str, entry: dict) -> str:
    """The view of one lake table: its columns, in the database's order, from the files the manifest lists."""
    for _, column_type in entry["columns"]:
        if not COLUMN_TYPE.fullmatch(column_type):
            raise LakeError(f"{folder / MANIFEST}: {table} has a column of type {column_type!r}, which claimscope never writes")
    paths = [folder / table / key / name for key, part in entry["partitions"].items() for name in part["files"]]
    if not paths:
        return "select " + ", ".join(f"cast(null as {column_type}) as {_quoted(name)}" for name, column_type in entry["columns"]) + " limit 0"
    files = ", ".join(_literal(str(path)) for path in paths)
    # the files hold every column; the folder keys are layout only, so they are not read as columns
    return f"select {', '.join(_quoted(name) for name, _ in entry['columns'])} from read_parquet([{files}], hive_partitioning = false)"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
