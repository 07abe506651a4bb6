"""An independent reader of X12 835 and 837 files, for checking what the loader wrote (issue 32).

It imports nothing from etl/: claimscope's parser is not used to check claimscope's parser. It reads only what the
money and the counts need, straight from the segments:

- 835: CLP and SVC counts, and the sums of BPR02, CLP04, every CAS amount (CAS03, 06, 09, 12, 15, 18), SVC03 and
  every PLB amount (PLB04, 06, 08, 10, 12, 14);
- 837: CLM count, the sum of CLM02, and the count of service lines (SV1, SV2, SV3).

How it reads a file (X12.5): an interchange starts at `ISA`, and the ISA declares its own delimiters. In a fixed-width
ISA of 106 characters the element separator is at position 3, the component separator (ISA16) at 104 and the segment
terminator at 105; an ISA whose fields were sent unpadded is read by counting its 16 element separators instead.
Whitespace (CR, LF, indentation) around a segment is ignored, text above the first ISA is skipped, and every ISA in
the file starts an interchange with its own delimiters. A file with no ISA that starts at GS or ST is read with the
element separator after its first two letters and the first other punctuation as terminator.

Segments are numbered from 1 at the first ISA (or GS/ST), blank ones not counted, so a number can be compared with a
quarantine row's `segment N`. Every figure is also kept per record (a transaction set's payment, a claim with its
adjustments and lines, a PLB segment), so a test can take away what a quarantined record held.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path

_AMOUNT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")  # X12 type R: digits, an optional point and sign; no exponent
_CAS_AMOUNTS = (3, 6, 9, 12, 15, 18)
_PLB_AMOUNTS = (4, 6, 8, 10, 12, 14)
_SERVICE_LINES_837 = ("SV1", "SV2", "SV3")
_WHITESPACE = " \t\r\n"


@dataclass
class Figures:
    """Counts and sums of one file or one record."""

    clp: int = 0
    svc: int = 0
    bpr02: Decimal = Decimal(0)
    clp04: Decimal = Decimal(0)
    cas: Decimal = Decimal(0)
    svc03: Decimal = Decimal(0)
    plb: Decimal = Decimal(0)
    clm: int = 0
    clm02: Decimal = Decimal(0)
    service_lines_837: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))


@dataclass
class Record:
    """What one record of the file holds: `tag` is ST (an 835 payment's BPR02), CLP or CLM (a claim with its CAS and
    service lines), or PLB; `segment` is the number of that segment, `end` of the record's last segment."""

    tag: str
    segment: int
    end: int
    figures: Figures = field(default_factory=Figures)


@dataclass
class FileSums:
    kinds: set[str]                      # the ST01 values seen: {"835"}, {"837"}, ...
    total: Figures
    records: list[Record]
    sets: list[tuple[int, int | None]]   # each transaction set's ST and SE segment numbers (None: no SE)
    unreadable: list[str]                # "segment N CLP04 'XX'": an amount that is not a number, left out of the sums
    delimiters: list[tuple[str, str, str]]  # (element, component, terminator) of each interchange, in order


def decode(data: bytes) -> str:
    """The file's text: UTF-16 with a byte-order mark, UTF-8 (with or without a BOM), else Latin-1 byte for byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def isa_delimiters(text: str, start: int) -> tuple[str, str, str, int] | None:
    """(element, component, terminator, where the ISA ends) of an ISA at `start`; None if it is not an ISA."""
    element = text[start + 3 : start + 4]
    if not element or element.isalnum() or element.isspace():
        return None
    if len(text) >= start + 106 and text[start + 103] == element and text[start + 3 : start + 104].count(element) == 16:
        return element, text[start + 104], text[start + 105], start + 106  # fixed width: positions 3, 104, 105
    position = start + 3
    for _ in range(15):  # unpadded: ISA16 and the terminator follow the 16th element separator
        position = text.find(element, position + 1, start + 120)
        if position < 0:
            return None
    if len(text) < position + 3:
        return None
    return element, text[position + 1], text[position + 2], position + 3


def _first_envelope(text: str) -> int | None:
    """Where the first ISA begins (past any banner above it), else where a file without ISA starts at GS or ST."""
    for match in re.finditer(r"ISA", text):
        if (match.start() == 0 or not text[match.start() - 1].isalnum()) and isa_delimiters(text, match.start()):
            return match.start()
    stripped = len(text) - len(text.lstrip(_WHITESPACE))
    if re.match(r"(GS|ST)[^A-Za-z0-9\s]", text[stripped:]):
        return stripped
    return None


def segments(data: bytes | str) -> tuple[list[tuple[int, list[str]]], list[tuple[str, str, str]]]:
    """Every segment as (number, elements), and the delimiters of each interchange."""
    text = data if isinstance(data, str) else decode(data)
    text = text.lstrip("\ufeff")
    position = _first_envelope(text)
    if position is None:
        return [], []
    found, interchanges = [], []
    if text.startswith("ISA", position):
        element, component, terminator, _ = isa_delimiters(text, position)
    else:
        element = text[position + 2]
        after = re.search(rf"[^A-Za-z0-9 {re.escape(element)}]", text[position + 3 :])
        terminator = text[position + 3 + after.start()] if after else "~"
        component = ":"
    interchanges.append((element, component, terminator))
    number = 0
    while position < len(text):
        while position < len(text) and text[position] in _WHITESPACE:
            position += 1
        if position >= len(text):
            break
        isa = isa_delimiters(text, position) if text.startswith("ISA", position) else None
        if isa:
            if number:  # a further interchange: its own delimiters from here
                element, component, terminator, _ = isa
                interchanges.append((element, component, terminator))
            end = isa[3] - 1  # the ISA ends at its own terminator
        else:
            end = text.find(terminator, position)
            end = len(text) if end < 0 else end
        raw = text[position:end].strip(_WHITESPACE)
        position = end + 1
        if raw:
            number += 1
            found.append((number, raw.split(element)))
    return found, interchanges


def _amount(elements: list[str], index: int, number: int, unreadable: list[str]) -> Decimal:
    value = elements[index].strip() if len(elements) > index else ""
    if not value:
        return Decimal(0)
    if not _AMOUNT.match(value):
        unreadable.append(f"segment {number} {elements[0]}{index:02} {value[:20]!r}")
        return Decimal(0)
    return Decimal(value)


def file_sums(data: bytes | str) -> FileSums:
    """The counts and sums of a whole file (see the module's docstring), and per record."""
    numbered, delimiters = segments(data)
    records: list[Record] = []
    sets: list[tuple[int, int | None]] = []
    unreadable: list[str] = []
    kinds: set[str] = set()
    kind = None
    current: Record | None = None  # the claim (CLP or CLM) that CAS and service lines belong to
    payment: Record | None = None  # the 835 set's record, holding BPR02 and anything before its first claim

    def close(upto: int) -> None:
        nonlocal current
        if current is not None:
            current.end = upto
            current = None

    def opened(tag: str, number: int) -> Record:
        record = Record(tag, number, number)
        records.append(record)
        return record

    def holding(tag: str, number: int, *owners: Record | None) -> Record:
        """The record a segment counts toward: its claim, else its payment, else one of its own (a stray segment)."""
        return next((owner for owner in owners if owner), None) or opened(tag, number)

    for number, elements in numbered:
        tag = elements[0]
        if tag == "ST":
            close(number - 1)
            kind = elements[1][:3] if len(elements) > 1 else None
            kinds.add(kind or "")
            sets.append((number, None))
            payment = Record("ST", number, number) if kind == "835" else None
            if payment:
                records.append(payment)
        elif tag in ("SE", "GE", "IEA", "GS", "ISA"):
            close(number - 1)
            if tag == "SE":
                if sets and sets[-1][1] is None:
                    sets[-1] = (sets[-1][0], number)
                if payment:
                    payment.end = number
                payment, kind = None, None
        elif kind == "835":
            if tag in ("CLP", "PLB", "LX", "TS3", "TS2"):  # a claim ends where the next claim, header or PLB begins
                close(number - 1)
            if tag == "CLP":
                current = opened("CLP", number)
                current.figures.clp += 1
                current.figures.clp04 += _amount(elements, 4, number, unreadable)
            elif tag == "BPR" and payment:
                payment.figures.bpr02 += _amount(elements, 2, number, unreadable)
            elif tag == "PLB":
                opened("PLB", number).figures.plb = sum((_amount(elements, i, number, unreadable) for i in _PLB_AMOUNTS), Decimal(0))
            elif tag == "CAS":
                cas = sum((_amount(elements, i, number, unreadable) for i in _CAS_AMOUNTS), Decimal(0))
                holding("CAS", number, current, payment).figures.cas += cas
            elif tag == "SVC":
                holder = holding("SVC", number, current, payment)
                holder.figures.svc += 1
                holder.figures.svc03 += _amount(elements, 3, number, unreadable)
        elif kind and kind.startswith("837"):
            if tag in ("CLM", "HL"):  # a claim ends at the next claim or the next hierarchical level
                close(number - 1)
            if tag == "CLM":
                current = opened("CLM", number)
                current.figures.clm += 1
                current.figures.clm02 += _amount(elements, 2, number, unreadable)
            elif tag in _SERVICE_LINES_837:
                holding(tag, number, current).figures.service_lines_837 += 1
    close(numbered[-1][0] if numbered else 0)
    total = sum((record.figures for record in records), Figures())
    return FileSums(kinds - {""}, total, records, sets, unreadable, delimiters)


def path_sums(path: Path) -> FileSums:
    return file_sums(path.read_bytes())
