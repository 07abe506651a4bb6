"""Load files into DuckDB: parse outside the write lock, then one transaction per file: its raw rows, its quarantine
and the ledger rows of the claims it touches."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import numpy
import polars as pl

from etl import code_lists
from etl import db as database
from etl import ledger
from etl.error_log import error_log_path, internal_error, log_traceback, masked
from etl.intake.tabular.audits import parse_audits_csv
from etl.intake.tabular.claims import parse_claims_csv
from etl.intake.tabular.coders import parse_coders_csv
from etl.intake.tabular.fee_schedules import parse_fee_schedules_csv
from etl.intake.tabular.remits import parse_remits_csv
from etl.intake.detect import decode, detect_kind
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.patients import PatientHasher, key_for_database
from etl.intake.records import LoadError, ParsedFile, Quarantined, listed_as_synthetic
from etl.lake import LakeError
from etl.lake_attach import reads_lake

# Surrogate id column -> the table that owns it; parsers number from 0 and the loader shifts.
ID_OWNERS = {
    "claim_record_id": "claims",
    "payment_id": "remit_payments",
    "remit_claim_id": "remit_claims",
    "remit_line_id": "remit_service_lines",
}
# The write lock is given up after this long, and readers get this window before it is taken again.
LOCK_HOLD_SECONDS = 0.5
READER_WINDOW_SECONDS = 0.02
# The suites run, and the files are written in one transaction, this many files (or rows) at a time: enough to share
# the fixed costs among many small files, few enough rows to bound the memory of a large load.
VALIDATION_CHUNK_FILES = 1000
VALIDATION_CHUNK_ROWS = 500_000
# Batches of at least this many files are parsed in worker processes.
PARALLEL_FILES = 16
# Files bigger than this are parsed without holding the write lock.
LARGE_FILE_BYTES = 1_000_000
# Small files are parsed in groups of up to this many files and bytes: a parse has fixed costs a small file would pay
# alone (a 2 KB 835 costs about 70 ms on its own, 5 ms in a group).
GROUP_FILES = 64
GROUP_BYTES = 4_000_000
GROUP_FILE_BYTES = 256_000
X12_KINDS = ("835", "837P", "837I")
# Folder walks skip documentation, settings and databases that sit beside the data.
SKIPPED_SUFFIXES = {".md", ".yaml", ".yml", ".key", ".duckdb", ".wal", ".sha256", ".log"}


@dataclass(frozen=True)
class FileResult:
    """What happened to one file: status is loaded, partial, rejected, skipped or failed."""

    path: str
    kind: str
    status: str
    records_loaded: int = 0
    records_quarantined: int = 0
    message: str = ""
    file_id: int | None = None

    @property
    def is_clean(self) -> bool:
        return self.status in ("loaded", "skipped")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and every data file under each folder, in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                child
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
                and child.suffix.lower() not in SKIPPED_SUFFIXES
            )
        else:
            files.append(path)
    return files


def load_files(
    paths: Iterable[Path],
    db: Path | str,
    mapping: ColumnMapping | None = None,
    on_file_done: Callable[[FileResult], None] | None = None,
    validate: bool = True,
    strict: bool = False,
) -> list[FileResult]:
    """Load files after the expectation suites, a batch of files per transaction, each file whole or not at all; a bad
    file never stops the batch, and an error nobody foresaw in parsing or checking a file rejects that file alone, its
    traceback in `<db>.errors.log`. With strict, an X12 envelope count or control number that does not check out rejects
    its sets, as it once did.

    Each transaction refreshes the ledger for the claims its files touch. Into a database with no ledger yet (a
    practice's first load of its history) the ledger is derived once, after the last file, instead: a first load
    killed midway is derived on the next write connection (etl/db.py apply_schema).
    """
    mapping = mapping or ColumnMapping()
    key = key_for_database(db)
    error_log = error_log_path(db)
    with database.write_connection(db) as con:
        if reads_lake(con):
            raise LakeError(f"{db} reads its claims from a Parquet lake (claimscope attach): load files into the lake with "
                            "claimscope spark load, then attach it again")
        known = {sha256: file_id for sha256, file_id in con.execute("select sha256, file_id from source_files").fetchall()}
        first_load = not database.scalar(con, "select exists (from claim_events)")
        lists = code_lists.effective(con)
    files = expand_paths(paths)
    results = []
    runner = _SuitesInBackground(lists)
    with _WriteSession(db, error_log) as session, _parser_pool(len(files), known, key, mapping, strict, error_log) as pool:
        groups = _parse_groups(files)
        parsed_groups = pool.map(_read_and_parse_group, groups) if pool else map(_read_and_parse_group, groups)
        items = _released_before_large(files, session, (item for group in parsed_groups for item in group))
        for chunk in _chunks(runner.started_by_first_data(items) if validate else items):
            to_check = [item for item in chunk if item.parsed and item.parsed.tables]
            if validate and to_check:
                session.release()  # validation is slow; readers may have the file meanwhile
                _validate(runner.get(), to_check, error_log)
            for result in _write_chunk(chunk, session, known, refresh_ledger=not first_load):
                results.append(result)
                if on_file_done:
                    on_file_done(result)
    if first_load and any(result.file_id is not None and result.status != "skipped" for result in results):
        with database.write_connection(db) as con:
            ledger.derive_if_missing(con)
    return results


def _validate(runner, items: list[_ParsedItem], error_log: Path) -> None:
    """Run the suites over the files together; should that fail in a way nobody foresaw, over each file alone, and a
    file that still fails is rejected."""
    from etl.intake.validate import validate_files

    try:
        validate_files(runner, [item.parsed for item in items], [item.path for item in items])
        return
    except Exception:  # whose file it was is found by checking them one at a time
        pass
    for item in items:
        try:
            validate_files(runner, [item.parsed], [item.path])
        except Exception as error:  # contained to its file, the traceback logged
            item.parsed = _rejected(item.parsed.kind, internal_error(str(item.path), "checking it", error, error_log))


def _rejected(kind: str, reason: str) -> ParsedFile:
    """A file that cannot be loaded at all: one quarantine row saying why."""
    return ParsedFile(kind, quarantine=[Quarantined("file", reason, None)])


class _SuitesInBackground:
    """The suite runner, built in a thread once the first file with rows arrives: importing GX and building its
    context (about 4 s) then overlaps the parse of the files after it, and a load with nothing to check never pays it."""

    def __init__(self, lists: dict[str, pl.DataFrame]) -> None:
        self.lists = lists
        self.thread: threading.Thread | None = None
        self.runner = None
        self.error: BaseException | None = None

    def started_by_first_data(self, items: Iterator[_ParsedItem]) -> Iterator[_ParsedItem]:
        for item in items:
            if self.thread is None and item.parsed and item.parsed.tables:
                self._start()
            yield item

    def _start(self) -> None:
        self.thread = threading.Thread(target=self._build, name="claimscope-suites", daemon=True)
        self.thread.start()

    def _build(self) -> None:
        try:
            from etl.intake.validate import SuiteRunner  # pandas and GX: only when there is something to check

            self.runner = SuiteRunner(date.today(), code_lists=self.lists)
        except BaseException as error:  # handed to the loading thread, which raises it
            self.error = error

    def get(self):
        if self.thread is None:
            self._start()
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.runner


def _chunks(items: Iterator[_ParsedItem]) -> Iterator[list[_ParsedItem]]:
    """Group parsed files so the suites run once per group, not once per small file."""
    chunk, rows = [], 0
    for item in items:
        chunk.append(item)
        rows += sum(frame.height for frame in item.parsed.tables.values()) if item.parsed else 0
        if len(chunk) >= VALIDATION_CHUNK_FILES or rows >= VALIDATION_CHUNK_ROWS:
            yield chunk
            chunk, rows = [], 0
    if chunk:
        yield chunk


@dataclass
class _ParsedItem:
    """A file read and parsed, or the result it already has (unreadable, or loaded before)."""

    path: Path
    sha256: str = ""
    size: int = 0
    parsed: ParsedFile | None = None
    result: FileResult | None = None
    data: bytes = b""  # the file's bytes, until it is parsed


_worker: dict = {}


def _init_parser(known: dict[str, int], key: bytes, mapping: ColumnMapping, strict: bool, error_log: Path) -> None:
    _worker.update(known=known, hasher=PatientHasher(key), mapping=mapping, strict=strict, error_log=error_log)


@contextmanager
def _parser_pool(file_count: int, known: dict[str, int], key: bytes, mapping: ColumnMapping, strict: bool, error_log: Path):
    """Parse in worker processes when the batch is big enough to pay for starting them."""
    _init_parser(known, key, mapping, strict, error_log)
    workers = min(os.cpu_count() or 1, 4)
    if file_count < PARALLEL_FILES or workers < 2:
        yield None
        return
    # A spawned worker first runs the parent's __main__ file again (multiprocessing's spawn start method). Under the
    # dashboard, or a test that ran it, that is the Streamlit script, which must never run in a parse worker: a bare
    # module stands in for __main__ while the workers live.
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_parser,
                                 initargs=(known, key, mapping, strict, error_log)) as pool:
            yield pool
    finally:
        sys.modules["__main__"] = main


def _released_before_large(files: list[Path], session: _WriteSession, items: Iterator[_ParsedItem]) -> Iterator[_ParsedItem]:
    """Give up the write lock before waiting on a large file's parse."""
    for path in files:
        if path.is_file() and path.stat().st_size > LARGE_FILE_BYTES:
            session.release()
        yield next(items)


def _parse_groups(files: list[Path]) -> list[list[Path]]:
    """Consecutive small files in groups a worker parses together; each large file on its own."""
    groups: list[list[Path]] = []
    group_bytes = 0
    for path in files:
        size = path.stat().st_size if path.is_file() else 0
        if not groups or size > GROUP_FILE_BYTES or len(groups[-1]) >= GROUP_FILES or group_bytes + size > GROUP_BYTES:
            groups.append([])
            group_bytes = 0
        groups[-1].append(path)
        group_bytes += size
    return groups


def _read_and_parse_group(paths: list[Path]) -> list[_ParsedItem]:
    """Read and parse a group of files: the X12 files of one kind are parsed together (etl/intake/x12/parse.py
    parse_x12_files), every other file on its own. An error nobody foresaw rejects only the file that raised it."""
    items, x12 = [], {}
    for path in paths:
        item = _read(path)
        items.append(item)
        if item.result:
            continue
        try:
            text = decode(item.data, str(path))
            kind = detect_kind(text, str(path), _worker["mapping"])
        except LoadError as error:
            item.parsed = _rejected("unknown", str(error))
            continue
        except Exception as error:  # contained to its file, the traceback logged
            item.parsed = _rejected("unknown", internal_error(str(path), "reading it", error, _worker["error_log"]))
            continue
        if kind in X12_KINDS:
            x12.setdefault(kind, []).append((item, text))
        else:
            item.parsed = _parse_one(item)
    for kind, members in x12.items():
        from etl.intake.x12.parse import parse_x12_files  # X12 intake is imported only when an X12 file arrives

        named = [(str(item.path), text) for item, text in members]
        try:
            parsed_files = parse_x12_files(named, kind, _worker["hasher"], _worker["strict"])
        except Exception:  # whose file it was is found by parsing them one at a time
            parsed_files = [_parse_one(item) for item, _ in members]
        for (item, _), parsed in zip(members, parsed_files):
            item.parsed = parsed
    for item in items:
        if item.parsed:
            item.parsed.is_synthetic = item.parsed.is_synthetic or listed_as_synthetic(item.path, item.sha256)
        item.data = b""
    return items


def _parse_one(item: _ParsedItem) -> ParsedFile:
    """Parse one file alone; an error nobody foresaw rejects it, its traceback logged."""
    try:
        return parse_file(item.path, item.data, _worker["hasher"], _worker["mapping"], _worker["strict"])
    except Exception as error:  # contained to its file
        return _rejected("unknown", internal_error(str(item.path), "parsing it", error, _worker["error_log"]))


def _read(path: Path) -> _ParsedItem:
    """The file's bytes and hash, or the result it already has: unreadable, or loaded before."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return _ParsedItem(path, result=FileResult(str(path), "unknown", "failed", message=f"{path}: cannot read: {error.strerror}"))
    sha256 = hashlib.sha256(data).hexdigest()
    known = _worker["known"]
    if sha256 in known:
        return _ParsedItem(path, result=FileResult(str(path), "-", "skipped", message=f"already loaded as file {known[sha256]}", file_id=known[sha256]))
    return _ParsedItem(path, sha256, len(data), data=data)


def _write_chunk(chunk: list[_ParsedItem], session: _WriteSession, known: dict[str, int], refresh_ledger: bool) -> list[FileResult]:
    """Write a chunk's files in one transaction, so its fixed costs (inserts, the ledger refresh) are paid once; if that
    fails, the chunk is rolled back and its files are written one by one, each whole or not at all."""
    to_write = [item for item in chunk if not item.result]
    written: dict[int, FileResult] = {}
    if len(to_write) > 1:
        try:
            batch = write_batch(session.connection(), [(item.path, item.sha256, item.size, item.parsed) for item in to_write], refresh_ledger)
            written = {id(item): result for item, result in zip(to_write, batch)}
            for item, result in zip(to_write, batch):
                if result.file_id is not None:
                    known[item.sha256] = result.file_id
            session.release_if_held()
        except (duckdb.Error, pl.exceptions.PolarsError, ValueError):
            session.release()
    return [item.result or written.get(id(item)) or _write(item, session, known, refresh_ledger) for item in chunk]


def _write(item: _ParsedItem, session: _WriteSession, known: dict[str, int], refresh_ledger: bool) -> FileResult:
    """Write one parsed file and its quarantine atomically."""
    try:
        result = write_parsed(session.connection(), item.path, item.sha256, item.size, item.parsed, refresh_ledger)
    except (duckdb.Error, pl.exceptions.PolarsError, ValueError) as error:
        session.release()
        # The database's words, with any value it quotes masked; the whole traceback goes to the error log.
        said = str(error).strip().splitlines()
        logged = log_traceback(session.error_log, f"{item.path}: writing it", error)
        message = f"{item.path}: nothing written, the load was rolled back: {masked(said[0]) if said else error.__class__.__name__}; {logged}"
        return FileResult(str(item.path), item.parsed.kind, "failed", message=message)
    if result.file_id is not None:
        known[item.sha256] = result.file_id
    session.release_if_held()
    return result


class _WriteSession:
    """The write connection, opened on demand and given up often so readers get their turn."""

    def __init__(self, db: Path | str, error_log: Path) -> None:
        self.db = db
        self.error_log = error_log
        self.con: duckdb.DuckDBPyConnection | None = None
        self.opened_at = 0.0

    def __enter__(self) -> _WriteSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            self.con = database.connect_with_retry(self.db, read_only=False)
            self.opened_at = time.monotonic()
        return self.con

    def release(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def release_if_held(self) -> None:
        if self.con is not None and time.monotonic() - self.opened_at > LOCK_HOLD_SECONDS:
            self.release()
            time.sleep(READER_WINDOW_SECONDS)


def parse_file(path: Path, data: bytes, hasher: PatientHasher, mapping: ColumnMapping, strict: bool = False) -> ParsedFile:
    """Parse by detected kind; a file that cannot be read at all becomes one quarantined record."""
    try:
        text = decode(data, str(path))
        kind = detect_kind(text, str(path), mapping)
    except LoadError as error:
        return _rejected("unknown", str(error))
    try:
        return _parse_by_kind(kind, text, path, hasher, mapping, strict)
    except LoadError as error:
        return _rejected(kind, str(error))


def _parse_by_kind(kind: str, text: str, path: Path, hasher: PatientHasher, mapping: ColumnMapping, strict: bool) -> ParsedFile:
    if kind == "claims_csv":
        return parse_claims_csv(text, hasher, mapping)
    if kind == "remits_csv":
        return parse_remits_csv(text, mapping)
    if kind == "audits_csv":
        return parse_audits_csv(text, mapping)
    if kind == "coders_csv":
        return parse_coders_csv(text, mapping)
    if kind == "fee_schedules_csv":
        return parse_fee_schedules_csv(text, mapping)
    from etl.intake.x12.parse import parse_x12  # X12 intake is imported only when an X12 file arrives

    return parse_x12(text, str(path), kind, hasher, strict)


def write_parsed(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, size: int, parsed: ParsedFile, refresh_ledger: bool = True
) -> FileResult:
    """Insert one parsed file, its quarantine, its source_files row and its claims' ledger rows in one transaction."""
    [result] = write_batch(con, [(path, sha256, size, parsed)], refresh_ledger)
    return result


def write_batch(
    con: duckdb.DuckDBPyConnection, files: list[tuple[Path, str, int, ParsedFile]], refresh_ledger: bool = True
) -> list[FileResult]:
    """Insert many parsed files in one transaction: each table once for all of them, and one ledger refresh for every
    claim they touch. A failure rolls back every file of the batch (the caller retries them one by one)."""
    con.execute("begin transaction")
    try:
        hashes = [sha256 for _, sha256, _, _ in files]
        known = dict(con.execute("select sha256, file_id from source_files where list_contains(?, sha256)", [hashes]).fetchall())
        next_file_id = database.scalar(con, "select coalesce(max(file_id), 0) + 1 from source_files")
        offsets = {
            id_column: database.scalar(con, f"select coalesce(max({id_column}) + 1, 0) from {table}")
            for id_column, table in ID_OWNERS.items()
        }
        results, touched, quarantine, runs, warnings, sources = [], set(), [], [], [], []
        pieces: dict[str, list[tuple[int, pl.DataFrame]]] = {}
        file_ids: list[int] = []
        for path, sha256, size, parsed in files:
            if sha256 in known:
                results.append(FileResult(str(path), parsed.kind, "skipped", message=f"already loaded as file {known[sha256]}", file_id=known[sha256]))
                continue
            file_id = known[sha256] = next_file_id
            next_file_id += 1
            if parsed.kind == "audits_csv" and not parsed.is_synthetic and _about_synthetic_claims_only(con, parsed):
                parsed.is_synthetic = True  # a worksheet filled in on the demo stays demo data: it names no real patient
                parsed.warnings.append("every claim it audits comes from synthetic files: loaded as demo data, entered by hand")
            for table, frame in parsed.tables.items():
                if frame.height:
                    pieces.setdefault(table, []).append((len(file_ids), frame))
            file_ids.append(file_id)
            result = _file_result(path, file_id, parsed)
            results.append(result)
            touched |= _claims_touched(parsed)
            quarantine += [(file_id, item) for item in parsed.quarantine]
            runs += [{**run, "file_id": file_id} for run in parsed.validation]
            warnings += [(file_id, item.locator, item.warning) for item in parsed.structural_warnings]
            sources.append(_source_file_row(result, sha256, size, parsed))
        for table, incoming in _with_batch_load_ids(pieces, file_ids, offsets).items():
            _insert_frame(con, table, _one_row_per_patient(incoming) if table == "patients" else incoming)
        _insert_quarantine_rows(con, quarantine)
        if runs:
            _insert_frame(con, "validation_runs", pl.DataFrame(runs, infer_schema_length=None).with_columns(pl.col("file_id").cast(pl.Int32)))
        if warnings:
            _insert_frame(con, "load_warnings", pl.DataFrame(warnings, schema={"file_id": pl.Int32, "locator": pl.Utf8, "warning": pl.Utf8}, orient="row"))
        if sources:
            con.executemany(SOURCE_FILE_INSERT, sources)
        if refresh_ledger:
            ledger.refresh(con, touched)
        con.execute("commit")
        return results
    except BaseException:
        con.execute("rollback")
        raise


def _about_synthetic_claims_only(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> bool:
    """Whether every claim a coding-audit worksheet names was loaded from synthetic files only."""
    audits = parsed.tables.get("coding_audits")  # absent when the whole file was rejected
    claim_ids = [] if audits is None else audits["claim_id"].unique().to_list()
    return bool(claim_ids) and database.scalar(con, """
        select count(*) = 0 from unnest($ids::varchar[]) as named(claim_id)
        where not exists (select 1 from claims inner join source_files using (file_id)
                          where claims.claim_id = named.claim_id and source_files.is_synthetic)
           or exists (select 1 from claims inner join source_files using (file_id)
                      where claims.claim_id = named.claim_id and not source_files.is_synthetic)
    """, {"ids": claim_ids})


def _with_batch_load_ids(
    pieces: dict[str, list[tuple[int, pl.DataFrame]]], file_ids: list[int], offsets: dict[str, int]
) -> dict[str, pl.DataFrame]:
    """Each table's rows from every file of a batch, stacked, with file_id and every surrogate id shifted past the
    database's and the batch's earlier files' ids: one operation per table, whatever the number of files."""
    stacked = {
        table: pl.concat([frame for _, frame in parts], how="diagonal_relaxed").with_columns(
            pl.Series("_batch_file", numpy.repeat([index for index, _ in parts], [frame.height for _, frame in parts]), pl.Int64)
        )
        for table, parts in pieces.items()
    }
    shifts = []
    for id_column, base in offsets.items():
        highest = {}
        for frame in stacked.values():
            if id_column in frame.columns:
                for index, value in frame.group_by("_batch_file").agg(pl.col(id_column).max()).iter_rows():
                    if value is not None:
                        highest[index] = max(value, highest.get(index, value))
        shift = {}
        for index in range(len(file_ids)):
            shift[index] = base
            base += highest[index] + 1 if index in highest else 0
        offsets[id_column] = base
        shifts.append((id_column, shift))
    with_file_id = database.tables_with_file_id()
    shifted = {}
    for table, frame in stacked.items():
        frame = frame.with_columns(
            pl.col(id_column) + pl.col("_batch_file").replace_strict(shift, return_dtype=pl.Int64)
            for id_column, shift in shifts if id_column in frame.columns
        )
        if table in with_file_id:
            frame = frame.with_columns(pl.col("_batch_file").replace_strict(dict(enumerate(file_ids)), return_dtype=pl.Int32).alias("file_id"))
        # Columns starting with `_` are the parser's own bookkeeping, not part of the contract.
        shifted[table] = frame.select(pl.exclude("^_.*$"))
    return shifted


def _one_row_per_patient(patients: pl.DataFrame) -> pl.DataFrame:
    """One insert may not update a patient twice: keep each patient once, with a birth date when any file had one."""
    return patients.sort("birth_date", nulls_last=True, maintain_order=True).unique("patient_key", keep="first", maintain_order=True)


# The tables whose rows change a claim's ledger: its submissions, its payments and who coded it.
LEDGER_INPUTS = ("claims", "remit_claims", "claim_coders")


def _claims_touched(parsed: ParsedFile) -> set[str]:
    """The claim ids whose ledger rows a file's rows change."""
    return {claim_id for table in LEDGER_INPUTS if table in parsed.tables for claim_id in parsed.tables[table]["claim_id"].to_list()}


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, incoming: pl.DataFrame) -> None:
    # DuckDB reads `incoming` straight from this frame (replacement scan), with no copy.
    if table == "patients":
        # A patient seen before keeps their row; a later 837 may add the birth date an 835 lacked.
        con.execute(
            "insert into patients by name select * from incoming on conflict (patient_key) "
            "do update set birth_date = coalesce(patients.birth_date, excluded.birth_date)"
        )
    else:
        con.execute(f"insert into {table} by name select * from incoming")


def _file_result(path: Path, file_id: int, parsed: ParsedFile) -> FileResult:
    quarantined = len(parsed.quarantine)
    # "rejected" means nothing of the file reached the tables (a payment whose only claim failed still loaded).
    wrote_rows = any(frame.height for table, frame in parsed.tables.items() if table not in ("patients", "balancing_issues"))
    if quarantined and not parsed.records_loaded and not wrote_rows:
        status = "rejected"
    elif quarantined:
        status = "partial"
    else:
        status = "loaded"
    notes = parsed.warnings + [f"{item.locator}: {item.warning}" for item in parsed.structural_warnings]
    notes += [f"{item.locator}: {item.reason}" for item in parsed.quarantine[:1]]
    return FileResult(str(path), parsed.kind, status, parsed.records_loaded, quarantined, "; ".join(notes), file_id)


def _insert_quarantine_rows(con: duckdb.DuckDBPyConnection, rows: list[tuple[int, Quarantined]]) -> None:
    if not rows:
        return
    frame = pl.DataFrame(
        {
            "file_id": [file_id for file_id, _ in rows],
            "locator": [item.locator for _, item in rows],
            "reason": [item.reason for _, item in rows],
            "raw": [item.raw for _, item in rows],
            "quarantined_at": [datetime.now(timezone.utc).replace(tzinfo=None)] * len(rows),
        },
        schema_overrides={"file_id": pl.Int32, "raw": pl.Utf8},
    )
    _insert_frame(con, "quarantine", frame)


SOURCE_FILE_INSERT = (
    "insert into source_files (file_id, path, sha256, kind, loaded_at, status, records_loaded,"
    " records_quarantined, message, size_bytes, is_synthetic) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _source_file_row(result: FileResult, sha256: str, size: int, parsed: ParsedFile) -> list:
    return [
        result.file_id, result.path, sha256, result.kind, datetime.now(timezone.utc).replace(tzinfo=None),
        result.status, result.records_loaded, result.records_quarantined, result.message or None, size, parsed.is_synthetic,
    ]
