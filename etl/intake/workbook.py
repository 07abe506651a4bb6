"""An Excel workbook's first visible sheet as CSV text, bounded in rows, cells, memory and time, with formulas only as
the values Excel saved."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import resource
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import ParseError

from etl.intake.records import LoadError

# A sheet is held in memory whole, and a few kilobytes of XML can declare a million rows or columns: these bound what
# one workbook (a 50 MB upload) can cost. A longer export loads as CSV.
MAX_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELLS = 2_000_000
# The parts of an .xlsx are deflated XML; a zip bomb expands a few MB into gigabytes.
MAX_EXPANDED_BYTES = 100_000_000
# openpyxl builds every style and every shared string as objects before the first row is read, however few cells use
# them: 180 KB deflating to a million styles took 86 s and 830 MB; 170 KB of four million one-letter strings, 107 s.
# So the parts are bounded by their expanded size, read from the zip directory before anything is parsed. Excel keeps
# at most 64,000 cell formats (about 4 MB of styles.xml), and an audit worksheet's distinct texts, a few MB.
MAX_PART_BYTES = {"xl/styles.xml": 4_000_000, "xl/sharedstrings.xml": 20_000_000}  # by lower-case name
# Excel's own limit on the text of one cell: a longer one was not written by Excel, and is refused with its line.
MAX_CELL_CHARACTERS = 32_767
# zipfile builds an object for every entry its directory lists, before any size can be checked: 35 MB listing 400,000
# empty entries took 36 s and 310 MB. A workbook lists a few dozen parts (a few KB); a MB is thousands.
MAX_DIRECTORY_BYTES = 1_000_000
# Anything larger than this (expanded) is parsed in a child process held to PARSE_MEMORY_BYTES of address space and
# PARSE_SECONDS of time, at low priority, so one upload cannot take the server's memory or its other users' pages;
# below it, parsing in process costs less than starting the child (about a second) and at most a few seconds.
IN_PROCESS_BYTES = 1_000_000
PARSE_MEMORY_BYTES = 1024 * 1024 * 1024
PARSE_SECONDS = 180
_REFUSED_EXIT = 3  # the child's exit status when it refused the workbook with a LoadError, its message on stdout
# What a damaged archive raises from zipfile, zlib or openpyxl's readers.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, IndexError, ValueError, TypeError, AttributeError)


def first_sheet_as_csv(data: bytes, name: str) -> str:
    """The first sheet as CSV text, sheet row N as CSV line N; a workbook too large, unreadable, over the memory or time
    one upload may take, or holding formulas with no saved value is a LoadError naming the file and the reason."""
    try:
        expanded = _check_expanded_size(data, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise LoadError(f"{name}: a zip archive that is not a readable Excel workbook ({error.__class__.__name__})") from error
    if expanded <= IN_PROCESS_BYTES:
        return _sheet_as_csv(data, name)
    return _sheet_as_csv_in_child(data, name)


# The dashboard reads an upload twice (its content check, then the load): a workbook the child gave up on is refused
# the second time from here, not after another PARSE_SECONDS. Keyed by the bytes' digest (the load names the file by
# its stored path), a few entries, each for ten minutes (a retry once the server is less busy is read again).
_GIVEN_UP: dict[str, tuple[str, float]] = {}
_GIVEN_UP_KEPT = 16
_GIVEN_UP_SECONDS = 600
_GIVEN_UP_LOCK = threading.Lock()


def _sheet_as_csv_in_child(data: bytes, name: str) -> str:
    """_sheet_as_csv in a fresh interpreter (a fork would inherit the server's address space, and its threads' locks),
    held to PARSE_MEMORY_BYTES and PARSE_SECONDS."""
    key = hashlib.sha256(data).hexdigest()
    with _GIVEN_UP_LOCK:
        reason, at = _GIVEN_UP.get(key, ("", 0.0))
    if reason and time.monotonic() - at < _GIVEN_UP_SECONDS:
        raise LoadError(f"{name}: {reason}")
    try:
        return _run_child(data, name)
    except _GaveUp as refusal:
        with _GIVEN_UP_LOCK:
            _GIVEN_UP.pop(key, None)
            while len(_GIVEN_UP) >= _GIVEN_UP_KEPT:
                _GIVEN_UP.pop(next(iter(_GIVEN_UP)))
            _GIVEN_UP[key] = (str(refusal), time.monotonic())
        raise LoadError(f"{name}: {refusal}") from refusal


class _GaveUp(Exception):
    """The child ran out of its memory or its time: the reason, without the file's name."""


def _run_child(data: bytes, name: str) -> str:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                                                os.environ.get("PYTHONPATH", "")]),
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # numpy (openpyxl imports it): no thread pool
    try:
        done = subprocess.run([sys.executable, "-m", "etl.intake.workbook", name, str(PARSE_MEMORY_BYTES),
                               str(PARSE_SECONDS)], input=data, capture_output=True, timeout=PARSE_SECONDS, env=environment)
    except subprocess.TimeoutExpired as error:
        raise _GaveUp(f"reading the workbook took longer than {PARSE_SECONDS} s, the most one upload may take; save "
                      "it as CSV") from error
    if done.returncode == 0:
        return done.stdout.decode("utf-8")
    if done.returncode == _REFUSED_EXIT:
        raise LoadError(done.stdout.decode("utf-8"))
    # MemoryError, or a C library that could not allocate; the child's stderr may quote the document, so it stays here
    raise _GaveUp(f"reading the workbook needed more than {PARSE_MEMORY_BYTES // 2**20:,} MB of memory, the most one "
                  "upload may use; save it as CSV")


def _child() -> None:
    """`python -m etl.intake.workbook NAME MEMORY_BYTES SECONDS` with the workbook on stdin: its first sheet as CSV on
    stdout (exit 0), or the LoadError's message (exit 3); held to the bounds before anything is read."""
    name, memory, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    os.nice(10)  # the server's own page runs come first
    try:
        text = _sheet_as_csv(sys.stdin.buffer.read(), name)
    except LoadError as refusal:
        sys.stdout.write(str(refusal))
        sys.stdout.flush()
        os._exit(_REFUSED_EXIT)
    except MemoryError:
        os._exit(4)
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def _sheet_as_csv(data: bytes, name: str) -> str:
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        rows = _rows(data, name, data_only=False)
        if any(isinstance(value, str) and value.startswith("=") for row in rows for value in row):
            rows = _with_saved_values(rows, _rows(data, name, data_only=True), name)
    except ParseError as error:  # expat's own words, never the document's: an entity bomb breaches its amplification limit
        raise LoadError(f"{name}: the workbook's XML cannot be read ({error})") from error
    except (InvalidFileException, *_UNREADABLE) as error:
        raise LoadError(f"{name}: a zip archive that is not a readable Excel workbook ({error.__class__.__name__})") from error
    while rows and not any(rows[-1]):
        rows.pop()
    # rows were read without their trailing empty cells; a CSV line holds every column, blank ones included
    width = max((len(row) for row in rows), default=0)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        [[_cell_text(value, name, line) for value in row] + [""] * (width - len(row)) for line, row in enumerate(rows, 1)])
    return text.getvalue()


def _check_expanded_size(data: bytes, name: str) -> int:
    """The workbook's expanded size, from the zip directory (nothing inflated); over a bound, a LoadError naming it.
    The sizes a directory declares are checked again as each part inflates (zipfile stops at the declared size)."""
    directory = _directory_size(data)
    if directory is not None and directory > MAX_DIRECTORY_BYTES:
        raise LoadError(f"{name}: the workbook's zip directory is {directory:,} bytes, over the {MAX_DIRECTORY_BYTES:,} "
                        "read (a workbook lists a few dozen parts); save it as CSV")
    parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    expanded = sum(info.file_size for info in parts)
    if expanded > MAX_EXPANDED_BYTES:
        raise LoadError(f"{name}: the workbook expands to {expanded:,} bytes, over the {MAX_EXPANDED_BYTES:,} read; save it as CSV")
    for info in parts:
        part = info.filename.lstrip("/").lower()
        if part in MAX_PART_BYTES and info.file_size > MAX_PART_BYTES[part]:
            raise LoadError(f"{name}: the workbook's {info.filename} ({_PART_MEANING[part]}) expands to "
                            f"{info.file_size:,} bytes, over the {MAX_PART_BYTES[part]:,} read; save it as CSV")
    return expanded


def _directory_size(data: bytes) -> int | None:
    """The size of the zip's central directory as its end record (APPNOTE 4.3.16) declares it, read before zipfile
    builds one object per entry; None where there is no end record (zipfile then says what is wrong)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if end < 0 or len(data) < end + 22:
        return None
    return int.from_bytes(data[end + 12 : end + 16], "little")  # 0xFFFFFFFF (zip64) is over any bound too


_PART_MEANING = {"xl/styles.xml": "its cell formats", "xl/sharedstrings.xml": "the texts its cells share"}


def _rows(data: bytes, name: str, data_only: bool) -> list[tuple]:
    """The first sheet's rows, trailing empty cells dropped; stop with a LoadError past the bounds."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        # the first sheet a person sees: a hidden or very hidden one (a lookup list, an old copy) is not the data
        sheet = next((sheet for sheet in workbook.worksheets if getattr(sheet, "sheet_state", "visible") == "visible"), None)
        if sheet is None:
            raise LoadError(f"{name}: the workbook has no visible sheet")
        if (sheet.max_column or 0) > MAX_COLUMNS or (sheet.max_row or 0) > MAX_ROWS:
            sheet.reset_dimensions()  # a declared range pads every row to it; count the cells actually there
        rows, cells = [], 0
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
            while row and row[-1] is None:
                row = row[:-1]
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise LoadError(f"{name}: the first sheet has more than {MAX_ROWS:,} rows; save it as CSV")
            if len(row) > MAX_COLUMNS:
                raise LoadError(f"{name}: line {len(rows)}: the row has more than {MAX_COLUMNS} columns")
            if cells > MAX_CELLS:
                raise LoadError(f"{name}: the first sheet has more than {MAX_CELLS:,} cells; save it as CSV")
            if any(isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS for value in row):
                raise LoadError(f"{name}: line {len(rows)}: a cell holds more than {MAX_CELL_CHARACTERS:,} characters, "
                                "more than Excel keeps in one cell")
        return rows
    finally:
        workbook.close()


def _with_saved_values(formulas: list[tuple], saved: list[tuple], name: str) -> list[tuple]:
    """The values Excel saved for the formula cells; a formula never calculated (written by a script, say) has none,
    and loading it as blank would record, for instance, an audit finding of nothing as "agree"."""
    for number, (formula_row, saved_row) in enumerate(zip(formulas, saved), start=1):
        for column, (formula, value) in enumerate(zip(formula_row, saved_row + (None,) * len(formula_row)), start=1):
            if isinstance(formula, str) and formula.startswith("=") and value is None:
                raise LoadError(
                    f"{name}: line {number}: column {column} holds a formula with no saved value; open the workbook "
                    "in Excel, save it, and load it again"
                )
    return saved


# Excel keeps 15 significant digits of a number: a longer id typed as a number (a 20-digit claim id) is already
# rounded in the workbook, and no reading of it gives the digits back.
EXACT_DIGITS = 15


def _cell_text(value: object, name: str, line: int) -> str:
    """A cell as the text a CSV export of it would hold: a whole number without `.0`, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float):
        if abs(value) >= 10**EXACT_DIGITS:
            raise LoadError(f"{name}: line {line}: the number {value:.{EXACT_DIGITS}g} has more digits than Excel keeps "
                            f"({EXACT_DIGITS}), so its last digits are lost; store ids as text and save the sheet again")
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


if __name__ == "__main__":
    _child()
