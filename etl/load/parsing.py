"""Read and parse files, in worker processes when a batch is big enough: the parser's settings live in `_worker`,
set in each process by init_parser."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from etl.error_log import internal_error
from etl.intake.archives import Skipped, SourcePath, read_source, refusal_key, source_size
from etl.intake.detect import decode, detect_kind
from etl.intake.patients import PatientHasher
from etl.intake.records import LoadError, ParsedFile, listed_as_synthetic
from etl.intake.tabular.audits import parse_audits_csv
from etl.intake.tabular.claims import parse_claims_csv
from etl.intake.tabular.coders import parse_coders_csv
from etl.intake.tabular.fee_schedules import parse_fee_schedules_csv
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.tabular.remits import parse_remits_csv
from etl.load.checking import warn_of_impossible_birth_dates
from etl.load.results import FileResult, ParsedItem, rejected

# Batches of at least this many files are parsed in worker processes.
PARALLEL_FILES = 16
X12_KINDS = ("835", "837P", "837I")

_worker: dict = {}


def init_parser(known: dict[str, int], key: bytes, mapping: ColumnMapping, strict: bool, error_log: Path) -> None:
    """Set this process's parser: the hashes already loaded, the patient key, the CSV mapping, strictness, the log."""
    _worker.update(known=known, hasher=PatientHasher(key), mapping=mapping, strict=strict, error_log=error_log)


@contextmanager
def parser_pool(file_count: int, known: dict[str, int], key: bytes, mapping: ColumnMapping, strict: bool, error_log: Path):
    """Parse in worker processes when the batch is big enough to pay for starting them."""
    init_parser(known, key, mapping, strict, error_log)
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
        with ProcessPoolExecutor(workers, mp_context=context, initializer=init_parser,
                                 initargs=(known, key, mapping, strict, error_log)) as pool:
            try:
                yield pool
            except BaseException:
                pool.shutdown(cancel_futures=True)  # a load that stopped (a full disk) parses no more of its files
                raise
    finally:
        sys.modules["__main__"] = main


def read_and_parse_group(paths: list[Path]) -> list[ParsedItem]:
    """Read and parse a group of files: the X12 files of one kind are parsed together (etl/intake/x12/parse.py
    parse_x12_files), every other file on its own. An error nobody foresaw rejects only the file that raised it."""
    items, x12 = [], {}
    for path in paths:
        item = _read(path)
        items.append(item)
        if item.result or item.parsed:
            continue
        try:
            text = decode(item.data, str(path))
            kind = detect_kind(text, str(path), _worker["mapping"])
        except LoadError as error:
            item.parsed = rejected("unknown", str(error))
            continue
        except Exception as error:  # contained to its file, the traceback logged
            item.parsed = rejected("unknown", internal_error(str(path), "reading it", error, _worker["error_log"]))
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
            warn_of_impossible_birth_dates(item.parsed, date.today())
        item.data = b""
    return items


def _parse_one(item: ParsedItem) -> ParsedFile:
    """Parse one file alone; an error nobody foresaw rejects it, its traceback logged."""
    try:
        return parse_file(item.path, item.data, _worker["hasher"], _worker["mapping"], _worker["strict"])
    except Exception as error:  # contained to its file
        return rejected("unknown", internal_error(str(item.path), "parsing it", error, _worker["error_log"]))


def _read(path: Path) -> ParsedItem:
    """The file's bytes (a compressed one's expanded) and hash, or the result it already has: unreadable, skipped as
    documentation, or loaded before; a refused archive or member is parsed already, as rejected with its reason."""
    try:
        data = read_source(path)
    except OSError as error:
        return ParsedItem(path, result=FileResult(str(path), "unknown", "failed", message=f"{path}: cannot read: {error.strerror}"))
    except Skipped as note:
        return ParsedItem(path, result=FileResult(str(path), "-", "skipped", message=str(note)))
    except LoadError as refusal:
        key = refusal_key(path)
        return _known(path, key) or ParsedItem(path, key, source_size(path), parsed=rejected("unknown", str(refusal)))
    sha256 = hashlib.sha256(data).hexdigest()
    return _known(path, sha256) or ParsedItem(SourcePath(path), sha256, len(data), data=data)


def _known(path: Path, sha256: str) -> ParsedItem | None:
    """A file whose content was loaded before: skipped, with the file id it has."""
    if sha256 not in _worker["known"]:
        return None
    file_id = _worker["known"][sha256]
    return ParsedItem(path, result=FileResult(str(path), "-", "skipped", message=f"already loaded as file {file_id}", file_id=file_id))


def parse_file(path: Path, data: bytes, hasher: PatientHasher, mapping: ColumnMapping, strict: bool = False) -> ParsedFile:
    """Parse by detected kind; a file that cannot be read at all becomes one quarantined record."""
    try:
        text = decode(data, str(path))
        kind = detect_kind(text, str(path), mapping)
    except LoadError as error:
        return rejected("unknown", str(error))
    try:
        return _parse_by_kind(kind, text, path, hasher, mapping, strict)
    except LoadError as error:
        return rejected(kind, str(error))


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
