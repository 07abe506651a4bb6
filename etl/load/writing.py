"""Write parsed files: a batch of files per transaction (raw rows, quarantine, source_files rows, the ledger refresh),
through a write connection given up often so readers get their turn."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from etl import db as database
from etl import ledger, settings
from etl.error_log import log_traceback, masked
from etl.intake.records import ParsedFile, Quarantined
from etl.intake.values import shortened
from etl.load.ids import first_free_ids, with_batch_load_ids
from etl.load.results import FileResult, ParsedItem

# The write lock is given up after this long, and readers get this window before it is taken again.
LOCK_HOLD_SECONDS = 0.5
READER_WINDOW_SECONDS = 0.02
# Files bigger than this are parsed without holding the write lock.
LARGE_FILE_BYTES = 1_000_000
# Where a reason or message is stored (quarantine.reason, source_files.message, the screen) it is cut to this length:
# each intake cuts the values it quotes itself (etl/intake/values.py shortened); this bounds any it did not, such as an
# expectation's failure quoting a 10 MB procedure code.
STORED_TEXT_CHARACTERS = 2_000
# The tables whose rows change a claim's ledger: its submissions, its payments and who coded it.
LEDGER_INPUTS = ("claims", "remit_claims", "claim_coders")
SOURCE_FILE_INSERT = (
    "insert into source_files (file_id, path, sha256, kind, loaded_at, status, records_loaded,"
    " records_quarantined, message, size_bytes, is_synthetic) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class WriteSession:
    """The write connection, opened on demand and given up often so readers get their turn."""

    def __init__(self, db: Path | str, error_log: Path) -> None:
        self.db = db
        self.error_log = error_log
        self.con: duckdb.DuckDBPyConnection | None = None
        self.opened_at = 0.0

    def __enter__(self) -> WriteSession:
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


def released_before_large(files: list[Path], session: WriteSession, items: Iterator[ParsedItem]) -> Iterator[ParsedItem]:
    """Give up the write lock before waiting on a large file's parse."""
    for path in files:
        if path.is_file() and path.stat().st_size > LARGE_FILE_BYTES:
            session.release()
        yield next(items)


def write_chunk(chunk: list[ParsedItem], session: WriteSession, known: dict[str, int], refresh_ledger: bool) -> list[FileResult]:
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
        except (duckdb.Error, pl.exceptions.PolarsError, ValueError) as error:
            session.release()
            if stops_the_batch(error):
                raise
    return [item.result or written.get(id(item)) or _write_one(item, session, known, refresh_ledger) for item in chunk]


def _write_one(item: ParsedItem, session: WriteSession, known: dict[str, int], refresh_ledger: bool) -> FileResult:
    """Write one parsed file and its quarantine atomically."""
    try:
        result = write_parsed(session.connection(), item.path, item.sha256, item.size, item.parsed, refresh_ledger)
    except (duckdb.Error, pl.exceptions.PolarsError, ValueError) as error:
        session.release()
        if stops_the_batch(error):
            raise
        # The database's words, with any value it quotes masked; the whole traceback goes to the error log.
        said = str(error).strip().splitlines()
        logged = log_traceback(session.error_log, f"{item.path}: writing it", error)
        message = f"{item.path}: nothing written, the load was rolled back: {masked(said[0]) if said else error.__class__.__name__}; {logged}"
        return FileResult(str(item.path), item.parsed.kind, "failed", message=message)
    if result.file_id is not None:
        known[item.sha256] = result.file_id
    session.release_if_held()
    return result


def stops_the_batch(error: BaseException) -> bool:
    """Whether a write failed for a reason outside its file (a full disk, a read-only or vanished file, a database DuckDB
    has invalidated): every later file would fail the same way, so the load stops at it instead of trying each one."""
    said = str(error).lower()
    return isinstance(error, (OSError, duckdb.IOException, duckdb.FatalException)) or any(
        words in said for words in ("no space left", "could not write file", "read-only file system", "has been invalidated")
    )


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
        offsets = first_free_ids(con)
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
                parsed.warnings.append(synthetic_claims_note())
            if parsed.kind == "audits_csv" and (replaced := _replaced_findings(con, parsed)):
                parsed.warnings.append(replaced)  # a worksheet loaded again: its latest load wins (issue 30)
            for table, frame in parsed.tables.items():
                if frame.height:
                    pieces.setdefault(table, []).append((len(file_ids), frame))
            file_ids.append(file_id)
            result = file_result(path, file_id, parsed)
            results.append(result)
            touched |= claims_touched(parsed)
            quarantine += [(file_id, item) for item in parsed.quarantine]
            runs += [{**run, "file_id": file_id, "sample_values": _shortened_samples(run["sample_values"])} for run in parsed.validation]
            warnings += [(file_id, item.locator, item.warning) for item in parsed.structural_warnings]
            sources.append(source_file_row(result, sha256, size, parsed))
        for table, incoming in with_batch_load_ids(pieces, file_ids, offsets).items():
            insert_frame(con, table, one_row_per_patient(incoming) if table == "patients" else incoming)
        _insert_quarantine_rows(con, quarantine)
        if runs:
            insert_frame(con, "validation_runs", pl.DataFrame(runs, infer_schema_length=None).with_columns(pl.col("file_id").cast(pl.Int32)))
        if warnings:
            insert_frame(con, "load_warnings", pl.DataFrame(warnings, schema={"file_id": pl.Int32, "locator": pl.Utf8, "warning": pl.Utf8}, orient="row"))
        if sources:
            con.executemany(SOURCE_FILE_INSERT, sources)
        if refresh_ledger:
            ledger.refresh(con, touched)
        con.execute("commit")
        return results
    except BaseException:
        _roll_back(con)
        raise


def _shortened_samples(samples: str | None) -> str | None:
    """validation_runs.sample_values (a JSON list of quoted values) with each value cut as a reason's would be."""
    return json.dumps([shortened(sample) for sample in json.loads(samples)]) if samples else samples


def _roll_back(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction. A commit that failed (a full disk) has already ended it, and DuckDB then refuses the
    rollback ("no transaction is active"): that refusal must not take the place of why the commit failed."""
    try:
        con.execute("rollback")
    except duckdb.TransactionException:
        pass


def synthetic_claims_note() -> str:
    """What a load says of a worksheet whose claims all come from synthetic files: demo data on the demo; elsewhere (a
    signed-in server, the command line) the findings are marked synthetic like the claims, which is all that is true."""
    if settings.demo_mode():
        return "every claim it audits comes from synthetic files: loaded as demo data, entered by hand"
    return "every claim it audits comes from synthetic files (claimscope synth), so its findings are marked synthetic like them"


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


def _replaced_findings(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> str:
    """What a coding-audit file replaces: the current findings of the same claims and codes (the key of
    sql/intermediate/int_coding_audits__current_findings), with the samples they were loaded for; blank when none."""
    incoming = parsed.tables.get("coding_audits")  # noqa: F841 - read by the query below
    if incoming is None or not incoming.height:
        return ""
    count, samples = con.execute("""
        with replaced as (
            select * from int_coding_audits__current_findings as found
            where exists (select 1 from incoming
                          where incoming.claim_id = found.claim_id and incoming.code_type = found.code_type
                            and incoming.original_code is not distinct from found.original_code
                            and (found.original_code is not null or incoming.audited_code is not distinct from found.audited_code))
        )
        select (select count(*) from replaced),
               (select list(distinct drawn.sample_id) from replaced
                inner join stg_audit__sample_claims as drawn on drawn.claim_id = replaced.claim_id
                inner join stg_audit__samples as samples on samples.sample_id = drawn.sample_id
                where samples.drawn_at < replaced.loaded_at)
    """).fetchall()[0]
    if not count:
        return ""
    named = sorted(samples or [])
    of = f" of sample{'s' if len(named) > 1 else ''} {', '.join(map(str, named))}" if named else ""
    return (f"replaces {count:,} earlier finding{'s' if count != 1 else ''}{of} for the same claims and codes "
            "(the latest load wins; the earlier rows stay on file)")


def one_row_per_patient(patients: pl.DataFrame) -> pl.DataFrame:
    """One insert may not update a patient twice: keep each patient once, with a birth date when any file had one."""
    return patients.sort("birth_date", nulls_last=True, maintain_order=True).unique("patient_key", keep="first", maintain_order=True)


def claims_touched(parsed: ParsedFile) -> set[str]:
    """The claim ids whose ledger rows a file's rows change."""
    return {claim_id for table in LEDGER_INPUTS if table in parsed.tables for claim_id in parsed.tables[table]["claim_id"].to_list()}


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, incoming: pl.DataFrame) -> None:
    """Append a frame's rows to a table by column name; a patient seen before is updated, not added."""
    # DuckDB reads `incoming` straight from this frame (replacement scan), with no copy.
    if table == "patients":
        # A patient seen before keeps their row; a later 837 may add the birth date an 835 lacked.
        con.execute(
            "insert into patients by name select * from incoming on conflict (patient_key) "
            "do update set birth_date = coalesce(patients.birth_date, excluded.birth_date)"
        )
    else:
        con.execute(f"insert into {table} by name select * from incoming")


def file_result(path: Path, file_id: int, parsed: ParsedFile) -> FileResult:
    """What became of a file given its file id: loaded, partial or rejected, with its first notes."""
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
    message = shortened("; ".join(notes), STORED_TEXT_CHARACTERS)
    return FileResult(str(path), parsed.kind, status, parsed.records_loaded, quarantined, message, file_id)


def _insert_quarantine_rows(con: duckdb.DuckDBPyConnection, rows: list[tuple[int, Quarantined]]) -> None:
    if not rows:
        return
    frame = pl.DataFrame(
        {
            "file_id": [file_id for file_id, _ in rows],
            "locator": [item.locator for _, item in rows],
            "reason": [shortened(item.reason, STORED_TEXT_CHARACTERS) for _, item in rows],
            "raw": [item.raw for _, item in rows],
            "quarantined_at": [datetime.now(timezone.utc).replace(tzinfo=None)] * len(rows),
        },
        schema_overrides={"file_id": pl.Int32, "raw": pl.Utf8},
    )
    insert_frame(con, "quarantine", frame)


def source_file_row(result: FileResult, sha256: str, size: int, parsed: ParsedFile) -> list:
    """A file's source_files values, in SOURCE_FILE_INSERT's column order."""
    return [
        result.file_id, result.path, sha256, result.kind, datetime.now(timezone.utc).replace(tzinfo=None),
        result.status, result.records_loaded, result.records_quarantined, result.message or None, size, parsed.is_synthetic,
    ]
