"""Tell what a file is from its content: X12 835/837P/837I or one of the claimscope CSV layouts."""

from __future__ import annotations

import codecs
import csv
import re

from etl.intake.tabular import audits, claims, coders, fee_schedules, remits
from etl.intake.tabular.common import csv_lines
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.records import LoadError
from etl.intake.workbook import first_sheet_as_csv
from etl.intake.x12.segments import interchange_start

CSV_SIGNATURES = {
    "claims_csv": claims.SIGNATURE,
    "remits_csv": remits.SIGNATURE,
    "audits_csv": audits.SIGNATURE,
    "fee_schedules_csv": fee_schedules.SIGNATURE,
    # last: its two columns are a subset of a claims export's
    "coders_csv": coders.SIGNATURE,
}
_ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
_X12_START = re.compile(r"^(ISA|GS|ST)([^A-Za-z0-9\s])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes, name: str) -> str:
    """Bytes to text (an Excel workbook's first sheet as CSV); an empty or binary file is a LoadError naming the file."""
    if not data.strip():
        raise LoadError(f"{name}: file is empty")
    if data.startswith(_ZIP_MAGIC):
        return first_sheet_as_csv(data, name)
    text = _text(data, name)
    if "\x00" in text or len(_CONTROL.findall(text[:65536])) > 0.01 * min(len(text), 65536):
        raise LoadError(f"{name}: binary content, not an X12 or CSV file")
    return text


def _text(data: bytes, name: str) -> str:
    """The bytes as text: UTF-16 behind its byte-order mark, otherwise UTF-8, Windows-1252 or latin-1."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Windows tools save "Unicode" text as UTF-16 behind a byte-order mark; read as UTF-8 it is half NUL bytes.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise LoadError(f"{name}: UTF-16 text (it starts with a byte-order mark) that cannot be decoded at byte "
                            f"{error.start:,}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older PM exports are often Windows-1252, whose curly quotes and dashes (0x80-0x9F) latin-1 would read as C1
        # control characters; latin-1, which decodes any byte, takes the few files with bytes cp1252 leaves undefined,
        # and the binary test below judges them.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def detect_kind(text: str, name: str, mapping: ColumnMapping) -> str:
    """Return 835, 837P, 837I, claims_csv, remits_csv, audits_csv, fee_schedules_csv or coders_csv; otherwise raise
    LoadError."""
    start = _X12_START.match(text.lstrip())
    if start:
        return _x12_kind(text, start.group(2), name)
    try:
        header = mapping.rename(next(csv.reader(csv_lines(text)), []))
    except csv.Error as error:  # a header field over csv.field_size_limit()
        raise LoadError(f"{name}: line 1: cannot be read as CSV: {error}") from error
    for kind, signature in CSV_SIGNATURES.items():
        if signature <= set(header):
            _reject_repeated_columns(header, name)
            return kind
    # A banner above the interchange (some clearinghouse downloads): the X12 parser reads from the ISA and says so.
    if (isa := interchange_start(text)) is not None:
        return _x12_kind(text[isa:], text[isa + 3], name)
    # The line itself is not quoted: an unrecognised file can be anything, an NM1 with a patient's name included.
    raise LoadError(f"{name}: line 1: not X12 (no ISA, GS or ST) and not a claimscope CSV header")


def _reject_repeated_columns(header: list[str], name: str) -> None:
    """A column named twice is ambiguous: the last one would win silently (13 claims once became claim id OTHER)."""
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    if repeated:
        raise LoadError(f"{name}: line 1: the header names {', '.join(repeated)} more than once")


def _x12_kind(text: str, element_separator: str, name: str) -> str:
    sep = re.escape(element_separator)
    transaction = re.search(rf"(?:^|[^A-Za-z0-9])ST{sep}(\d{{3}})", text)
    if transaction is None:
        raise LoadError(f"{name}: X12 interchange with no ST transaction set header")
    if transaction.group(1) == "835":
        return "835"
    if transaction.group(1) == "837":
        # GS08 is sometimes wrong in the wild (X222 on an institutional claim); SV2/CL1 are 837I only. The substring
        # tests spare a regular-expression scan of a large professional file that has none of them.
        maybe = "X223" in text or f"SV2{element_separator}" in text or f"CL1{element_separator}" in text
        institutional = maybe and re.search(rf"X223|(?:^|[^A-Za-z0-9])(?:SV2|CL1){sep}", text)
        return "837I" if institutional else "837P"
    raise LoadError(f"{name}: X12 transaction set {transaction.group(1)} is not supported (835 or 837 only)")
