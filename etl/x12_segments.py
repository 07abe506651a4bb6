"""Split X12 text into numbered segments and check the ISA/GS/ST envelopes around them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.records import LoadError, Quarantined

_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str


@dataclass
class TransactionSet:
    """One ST..SE; `problem` set means the whole set is rejected."""

    index: int
    control_number: str
    segments: list[tuple[int, list[str]]]
    problem: tuple[int, str] | None = None

    def reject(self, segment_number: int, reason: str) -> None:
        if self.problem is None:
            self.problem = (segment_number, reason)


@dataclass
class Interchange:
    """Every transaction set in a file, plus what fell outside any set."""

    delimiters: Delimiters
    segments: list[tuple[int, list[str]]]
    transaction_sets: list[TransactionSet] = field(default_factory=list)
    stray: list[Quarantined] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def text_of(self, number: int) -> str:
        return self.delimiters.element.join(self.segments[number - 1][1])


def find_delimiters(text: str, name: str) -> tuple[Delimiters, list[str]]:
    """Delimiters from the ISA (padded or not), or guessed when the file starts at GS or ST."""
    if text.startswith("ISA"):
        element = text[3]
        position = 3
        for _ in range(15):
            position = text.find(element, position + 1)
            if position < 0:
                raise LoadError(f"{name}: segment 1: ISA is truncated: {text[:106]!r}")
        component = text[position + 1 : position + 2]
        terminator = text[position + 2 : position + 3]
        if not component or not terminator:
            raise LoadError(f"{name}: segment 1: ISA is truncated: {text[:106]!r}")
        isa = text[:position].split(element)
        repetition = isa[11] if len(isa) > 11 and isa[12] >= "00501" and not isa[11].isalnum() else None
        segment = "\n" if terminator in "\r\n" else terminator
        return Delimiters(element, component, repetition, segment), []
    element = text[2]
    header_end = re.search(rf"[^A-Za-z0-9 {re.escape(element)}]", text[3:])
    if header_end is None:
        raise LoadError(f"{name}: segment 1: no segment terminator after {text[:40]!r}")
    segment = text[3 + header_end.start()]
    segment = "\n" if segment in "\r\n" else segment
    component = ">" if ":" not in text and ">" in text else ":"
    warning = f"no ISA envelope: file starts at {text[:2]}; delimiters guessed ({element} {component} {segment!r})"
    return Delimiters(element, component, None, segment), [warning]


def split_segments(text: str, name: str) -> tuple[Delimiters, list[tuple[int, list[str]]], list[str]]:
    """Number every segment from 1; indentation, CR/LF and a trailing terminator are ignored."""
    text = text.lstrip(_WHITESPACE + "\ufeff")
    delimiters, warnings = find_delimiters(text, name)
    pieces = text.split(delimiters.segment)
    segments = []
    for piece in pieces:
        piece = piece.strip(_WHITESPACE)
        if piece:
            segments.append((len(segments) + 1, piece.split(delimiters.element)))
    return delimiters, segments, warnings


def read_interchange(text: str, name: str) -> Interchange:
    """Split into transaction sets, rejecting the ones whose envelopes do not check out (SNIP 1)."""
    delimiters, segments, warnings = split_segments(text, name)
    interchange = Interchange(delimiters, segments, warnings=warnings)
    _EnvelopeWalker(interchange).walk()
    return interchange


class _EnvelopeWalker:
    def __init__(self, interchange: Interchange) -> None:
        self.x = interchange
        self.isa: tuple[int, list[str]] | None = None
        self.gs: tuple[int, list[str]] | None = None
        self.group_sets: list[TransactionSet] = []
        self.interchange_sets: list[TransactionSet] = []
        self.group_count = 0
        self.current: TransactionSet | None = None

    def walk(self) -> None:
        for number, elements in self.x.segments:
            tag = elements[0]
            if self.current is not None and tag not in ("SE", "ST", "GE", "IEA", "ISA", "GS"):
                if not _SEGMENT_ID.match(tag):
                    self.current.reject(number, f"invalid segment identifier {tag!r}")
                self.current.segments.append((number, elements))
                continue
            handler = getattr(self, f"_on_{tag}", None)
            if handler:
                handler(number, elements)
            else:
                reason = "segment outside a transaction set" if _SEGMENT_ID.match(tag) else f"invalid segment identifier {tag!r}"
                self.x.stray.append(Quarantined(f"segment {number}", reason, self.x.text_of(number)))
        self._close_set_at_end()
        if self.gs:
            self._reject_all(self.group_sets, self.gs[0], f"truncated: GS at segment {self.gs[0]} has no GE")
        if self.isa:
            self._reject_all(self.interchange_sets, self.isa[0], f"truncated: ISA at segment {self.isa[0]} has no IEA")

    def _on_ISA(self, number: int, elements: list[str]) -> None:
        self._close_set_at_end()
        self.isa, self.interchange_sets, self.group_count = (number, elements), [], 0

    def _on_GS(self, number: int, elements: list[str]) -> None:
        self._close_set_at_end()
        self.gs, self.group_sets = (number, elements), []
        self.group_count += 1

    def _on_ST(self, number: int, elements: list[str]) -> None:
        self._close_set_at_end()
        control = elements[2] if len(elements) > 2 else ""
        self.current = TransactionSet(len(self.x.transaction_sets), control, [(number, elements)])
        self.x.transaction_sets.append(self.current)
        self.group_sets.append(self.current)
        self.interchange_sets.append(self.current)

    def _on_SE(self, number: int, elements: list[str]) -> None:
        current = self.current
        if current is None:
            self.x.stray.append(Quarantined(f"segment {number}", "SE without ST", self.x.text_of(number)))
            return
        current.segments.append((number, elements))
        count = len(current.segments)
        declared = elements[1] if len(elements) > 1 else ""
        if declared != str(count):
            current.reject(number, f"SE01 says {declared or 'nothing'} segments but the set has {count}")
        if (elements[2] if len(elements) > 2 else "") != current.control_number:
            current.reject(number, f"SE02 does not match ST02 {current.control_number!r}")
        self.current = None

    def _on_GE(self, number: int, elements: list[str]) -> None:
        self._close_set_at_end()
        if self.gs is None:
            self.x.stray.append(Quarantined(f"segment {number}", "GE without GS", self.x.text_of(number)))
            return
        declared = elements[1] if len(elements) > 1 else ""
        if declared != str(len(self.group_sets)):
            self._reject_all(self.group_sets, number, f"GE01 says {declared} transaction sets but the group has {len(self.group_sets)}")
        gs_control = self.gs[1][6] if len(self.gs[1]) > 6 else ""
        if (elements[2] if len(elements) > 2 else "") != gs_control:
            self._reject_all(self.group_sets, number, f"GE02 does not match GS06 {gs_control!r}")
        self.gs = None

    def _on_IEA(self, number: int, elements: list[str]) -> None:
        self._close_set_at_end()
        if self.isa is None:
            self.x.stray.append(Quarantined(f"segment {number}", "IEA without ISA", self.x.text_of(number)))
            return
        declared = elements[1] if len(elements) > 1 else ""
        if declared != str(self.group_count):
            self._reject_all(self.interchange_sets, number, f"IEA01 says {declared} groups but the interchange has {self.group_count}")
        isa_control = self.isa[1][13] if len(self.isa[1]) > 13 else ""
        if (elements[2] if len(elements) > 2 else "") != isa_control:
            self._reject_all(self.interchange_sets, number, f"IEA02 does not match ISA13 {isa_control!r}")
        self.isa = None

    def _close_set_at_end(self) -> None:
        if self.current is not None:
            start = self.current.segments[0][0]
            self.current.reject(self.current.segments[-1][0], f"truncated: ST at segment {start} has no SE")
            self.current = None

    @staticmethod
    def _reject_all(sets: list[TransactionSet], number: int, reason: str) -> None:
        for transaction_set in sets:
            transaction_set.reject(number, reason)
