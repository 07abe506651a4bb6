"""Load files into DuckDB: parse outside the write lock, then one transaction per file: its raw rows, its quarantine
and the ledger rows of the claims it touches. Its stages: files, parsing, checking, ids and writing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from etl import code_lists
from etl import db as database
from etl import ledger
from etl.error_log import error_log_path
from etl.intake.patients import key_for_database
from etl.intake.tabular.mapping import ColumnMapping
from etl.lake import LakeError
from etl.lake_attach import reads_lake
from etl.load.checking import SuitesInBackground, validate_items, validation_chunks
from etl.load.files import expand_paths, groups_to_parse
from etl.load.ids import ID_OWNERS, with_batch_load_ids
from etl.load.parsing import init_parser, parse_file, parser_pool, read_and_parse_group
from etl.load.results import FileResult, ParsedItem, rejected
from etl.load.writing import (WriteSession, claims_touched, file_result, one_row_per_patient, released_before_large,
                              source_file_row, write_batch, write_chunk, write_parsed)

__all__ = [
    "ID_OWNERS", "FileResult", "ParsedItem", "claims_touched", "expand_paths", "file_result", "groups_to_parse",
    "init_parser", "load_files", "one_row_per_patient", "parse_file", "read_and_parse_group", "rejected",
    "source_file_row", "with_batch_load_ids", "write_batch", "write_parsed",
]


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
    its sets, as it once did, and a warning the suites class (a negative line payment, a BHT04 before the services, a
    procedure code outside its shape) refuses its record.

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
    files = expand_paths(paths, db)
    results = []
    runner = SuitesInBackground(lists)
    with WriteSession(db, error_log) as session, parser_pool(len(files), known, key, mapping, strict, error_log) as pool:
        groups = groups_to_parse(files)
        parsed_groups = pool.map(read_and_parse_group, groups) if pool else map(read_and_parse_group, groups)
        items = released_before_large(files, session, (item for group in parsed_groups for item in group))
        try:
            for chunk in validation_chunks(runner.started_by_first_data(items) if validate else items):
                to_check = [item for item in chunk if item.parsed and item.parsed.tables]
                if validate and to_check:
                    session.release()  # validation is slow; readers may have the file meanwhile
                    validate_items(runner.get(), to_check, error_log, strict)
                for result in write_chunk(chunk, session, known, refresh_ledger=not first_load):
                    results.append(result)
                    if on_file_done:
                        on_file_done(result)
        finally:
            runner.release()
    if first_load and any(result.file_id is not None and result.status != "skipped" for result in results):
        with database.write_connection(db) as con:
            ledger.derive_if_missing(con)
    return results
