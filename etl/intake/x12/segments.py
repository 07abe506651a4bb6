"""Split X12 text into numbered segments and check the ISA/GS/ST envelopes around them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from etl.intake.records import LoadError, LoadWarning, Quarantined
from etl.intake.values import shortened

_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_WHITESPACE = " \t\r\n"
_ENVELOPE_TAGS = ["ISA", "GS", "ST", "SE", "GE", "IEA"]
_NEVER_IN_X12 = "\x01"  # a control character: decode() rejects text with more than a trace of them


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str


@dataclass
class TransactionSet:
    """One ST..SE, by segment numbers; `problem` set means the whole set is rejected."""

    index: int
    control_number: str
    start: int
    end: int
    problem: tuple[int, str] | None = None
    cut: int | None = None  # the last segment, when the data ends inside this set (no SE): see keep_complete_claims

    def reject(self, segment_number: int, reason: str) -> None:
        if self.problem is None:
            self.problem = (segment_number, reason)


@dataclass
class Interchange:
    """A file's segments (one row each, numbered from 1), its transaction sets, and what fell outside them."""

    delimiters: Delimiters
    segments: pl.DataFrame
    first_number: int = 1  # the number of its first segment in the file (several interchanges: see split_interchanges)
    transaction_sets: list[TransactionSet] = field(default_factory=list)
    stray: list[Quarantined] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Envelope counts and control numbers that do not check out, by segment: warnings unless the load is strict.
    envelope_warnings: list[tuple[int, str]] = field(default_factory=list)
    # Where the data ends and what it leaves open ("ST at segment 3 has no SE", ...), when the file was cut.
    cut: tuple[int, list[str]] | None = None
    # Segments after a cut set's new end (a cut claim, claimless loops): out of the set, yet no strays.
    cut_tail: tuple[int, int] | None = None
    # Records quarantined on their own while their set loads (a cut claim, an unreadable PLB): (set index, segment, why).
    set_aside: list[tuple[int, int, Quarantined]] = field(default_factory=list)
    # Payments (by set index) whose BPR02 cannot balance against what loaded, and why: kept in balancing_issues.
    balance_notes: dict[int, str] = field(default_factory=dict)
    file_warnings: list[LoadWarning] = field(default_factory=list)

    def text_of(self, number: int) -> str:
        return self.segments["raw"][number - self.first_number]

    def elements_of(self, number: int) -> list[str]:
        return self.text_of(number).split(self.delimiters.element)

    def segment_lists(self, transaction_set: TransactionSet) -> list[tuple[int, list[str]]]:
        """One set's segments as Python lists, for the row-at-a-time 837 parser."""
        rows = self.segments.slice(transaction_set.start - self.first_number, transaction_set.end - transaction_set.start + 1)
        element = self.delimiters.element
        return [(number, raw.split(element)) for number, raw in zip(rows["segment"].to_list(), rows["raw"].to_list())]


def find_delimiters(text: str, name: str) -> tuple[Delimiters, list[str]]:
    """Delimiters from the ISA (padded or not), or guessed when the file starts at GS or ST."""
    if text.startswith("ISA"):
        element = text[3]
        position = 3
        for _ in range(15):
            position = text.find(element, position + 1)
            if position < 0:
                raise LoadError(f"{name}: segment 1: ISA is truncated (fewer than 16 elements)")
        component = text[position + 1 : position + 2]
        terminator = text[position + 2 : position + 3]
        if not component or not terminator:
            raise LoadError(f"{name}: segment 1: ISA is truncated (no ISA16 or segment terminator)")
        isa = text[:position].split(element)
        repetition = isa[11] if len(isa) > 11 and isa[12] >= "00501" and not isa[11].isalnum() else None
        segment = "\n" if terminator in "\r\n" else terminator
        return Delimiters(element, component, repetition, segment), []
    element = text[2]
    header_end = re.search(rf"[^A-Za-z0-9 {re.escape(element)}]", text[3:])
    if header_end is None:
        raise LoadError(f"{name}: segment 1: no segment terminator after the {text[:2]} header")
    segment = text[3 + header_end.start()]
    segment = "\n" if segment in "\r\n" else segment
    component = ">" if ":" not in text and ">" in text else ":"
    warning = f"no ISA envelope: file starts at {text[:2]}; delimiters guessed ({element} {component} {segment!r})"
    return Delimiters(element, component, None, segment), [warning]


_ISA_START = re.compile(r"(?:^|(?<=[^A-Za-z0-9]))ISA")
# The longest ISA with every field at its maximum length: its 16 separators, ISA16 and the terminator lie within it.
_ISA_LONGEST = 108


# Text above the interchange (a clearinghouse's banner or a note) is looked past within this many characters; further
# down, a file is not taken for X12.
_PREFIX_SEARCHED = 65_536
_ENVELOPE_START = re.compile(r"(ISA|GS|ST)[^A-Za-z0-9\s]")


def interchange_start(text: str) -> int | None:
    """Where the first ISA begins below a few lines of text that is not X12 (a banner); None when there is no ISA, or
    the text above it reads as segments: an interchange whose own ISA was damaged, whose claims are not a banner."""
    for match in _ISA_START.finditer(text, 0, _PREFIX_SEARCHED):
        if isa := _isa_at(text, match.start()):
            return None if _holds_segments(text[: match.start()], isa[0]) else match.start()
    return None


def _holds_segments(text: str, delimiters: Delimiters) -> bool:
    """Whether a segment id (two or three capitals and digits) opens a line or follows a terminator, then the element
    separator, as in `GS*HP*`; a banner's `***** ERA *****` does not."""
    starts = re.escape(delimiters.segment + "\r\n")
    return re.search(rf"(?:^|[{starts}])[ \t]*[A-Z][A-Z0-9]{{1,2}}{re.escape(delimiters.element)}", text) is not None


def _text_before_isa(text: str) -> tuple[int, str] | None:
    """Where the first ISA begins in text that does not start at an envelope, and what lies above it in lines and
    characters (never quoted: a banner can name a patient); None for text that starts at one, or holds no ISA."""
    if _ENVELOPE_START.match(text.lstrip(_WHITESPACE + "\ufeff")):
        return None
    start = interchange_start(text)
    if start is None:
        return None
    lines = text[:start].splitlines()
    at_line = len(lines) + 1 if text[:start].endswith(("\n", "\r")) else len(lines)
    return start, (f"{len(lines):,} line{'s' if len(lines) != 1 else ''} ({start:,} characters) of text before the ISA "
                   f"at line {at_line:,}")


def split_interchanges(text: str) -> list[str]:
    """The file's text, or one text per interchange when its ISAs declare different delimiters: each is then read
    with its own (X12.5: the delimiters hold from an ISA to its IEA)."""
    if text.count("ISA", 1) == 0:  # one interchange: no scan of a large file
        return [text]
    found, covered = [], 0
    for match in _ISA_START.finditer(text):
        isa = None if match.start() < covered else _isa_at(text, match.start())  # inside an ISA: an element of it
        if isa:
            found.append((match.start(), isa[0]))
            covered = isa[1]
    if len({delimiters for _, delimiters in found}) < 2:
        return [text]
    bounds = [0 if index == 0 else start for index, (start, _) in enumerate(found)] + [len(text)]
    return [text[begin:end] for begin, end in zip(bounds, bounds[1:])]


def _isa_at(text: str, start: int) -> tuple[Delimiters, int] | None:
    """The delimiters an ISA at `start` declares (ISA11's repetition separator included) and where it ends, whether its
    fields are padded to the fixed length or, as some senders send them, trimmed; None where the letters only look
    like an ISA."""
    separator = text[start + 3 : start + 4]
    if not separator or separator.isalnum() or separator.isspace():
        return None
    position = start + 3
    for _ in range(15):
        position = text.find(separator, position + 1, start + _ISA_LONGEST)
        if position < 0:
            return None
    end = position + 3  # ISA16 and the segment terminator follow the 16th separator
    try:
        return find_delimiters(text[start:end], "")[0], end
    except LoadError:
        return None


def segment_count(text: str) -> int:
    """How many segments an interchange's text holds, split at the terminator its ISA declares (1 if it declares none)."""
    isa = _isa_at(text, 0)
    if isa is None:
        return 1
    return sum(1 for piece in text.split(isa[0].segment) if piece.strip())


def numbered_segments(text: str, name: str) -> dict[int, str]:
    """Every segment's text by its number in the file, each interchange split with its own delimiters."""
    numbered, first = {}, 1
    for chunk in split_interchanges(text):
        _, segments, _ = split_segments(chunk, name, first)
        numbered.update(segments.select("segment", "raw").rows())
        first += segments.height
    return numbered


def split_segments(text: str, name: str, first_number: int = 1) -> tuple[Delimiters, pl.DataFrame, list[str]]:
    """Number every segment from first_number, from the first ISA when text sits above it; indentation, CR/LF and a
    trailing terminator are ignored."""
    skipped = []
    if before := _text_before_isa(text):
        text = text[before[0]:]
        skipped.append(f"{before[1]} skipped: not X12, as a banner a clearinghouse puts above the interchange")
    text = text.lstrip(_WHITESPACE + "\ufeff")
    delimiters, warnings = find_delimiters(text, name)
    warnings = skipped + warnings
    raw = segment_texts(text, delimiters.segment).str.strip_chars(_WHITESPACE)
    segments = (
        raw.to_frame()
        .filter(pl.col("raw") != "")
        # Only the segment id is taken here; elements are split later, per segment type, where needed.
        .with_columns(pl.col("raw").str.slice(0, pl.col("raw").str.find(delimiters.element, literal=True)).alias("tag"))
        .with_row_index("segment", offset=first_number)
        .with_columns(pl.col("segment").cast(pl.Int64))
    )
    return delimiters, segments, warnings


def segment_texts(text: str, terminator: str) -> pl.Series:
    """The text between terminators. polars' CSV reader, with the terminator as its line end and a field separator
    the text never holds, does this about thirty times faster than splitting one big string."""
    if len(terminator.encode()) != 1 or _NEVER_IN_X12 in text:
        return pl.Series("raw", [text]).str.split(terminator).explode()
    rows = pl.read_csv(
        text.encode(), has_header=False, separator=_NEVER_IN_X12, eol_char=terminator, quote_char=None,
        schema={"raw": pl.String}, infer_schema=False,
    )
    return rows["raw"].fill_null("")


def read_interchange(text: str, name: str, strict: bool = False, first_number: int = 1) -> Interchange:
    """Find the transaction sets and check their envelopes (SNIP 1). A file cut mid-set keeps its complete claims with
    a warning; that, or a count or control number that does not check out, is a warning, or, when strict, rejects the
    sets it covers, as text above the ISA rejects the file."""
    if strict and (before := _text_before_isa(text)):
        raise LoadError(f"{name}: line 1: {before[1]} is not X12, and --strict refuses text outside the interchange")
    delimiters, segments, warnings = split_segments(text, name, first_number)
    interchange = Interchange(delimiters, segments, first_number, warnings=warnings)
    envelope = [
        (number, raw.split(delimiters.element))
        for number, raw in segments.filter(pl.col("tag").is_in(_ENVELOPE_TAGS)).select("segment", "raw").rows()
    ]
    _EnvelopeWalker(interchange, first_number + len(segments) - 1, strict).walk(envelope)
    if interchange.cut:
        keep_complete_claims(interchange, name)
    _check_segment_ids_and_strays(interchange)
    return interchange


def segments_with_set_index(interchange: Interchange) -> pl.DataFrame:
    """The segments plus `set_index`: the transaction set holding each one, or null outside every set."""
    if "set_index" in interchange.segments.columns:
        return interchange.segments
    sets = pl.DataFrame(
        {
            "start": [ts.start for ts in interchange.transaction_sets],
            "end": [ts.end for ts in interchange.transaction_sets],
            "set_index": [ts.index for ts in interchange.transaction_sets],
        },
        schema={"start": pl.Int64, "end": pl.Int64, "set_index": pl.Int64},
    )
    located = interchange.segments.join_asof(sets, left_on="segment", right_on="start", strategy="backward")
    inside = pl.col("segment") <= pl.col("end")
    interchange.segments = located.with_columns(pl.when(inside).then(pl.col("set_index")).alias("set_index")).drop("start", "end")
    return interchange.segments


def _check_segment_ids_and_strays(interchange: Interchange) -> None:
    """An invalid segment id rejects its set; a segment outside every set is quarantined on its own."""
    located = segments_with_set_index(interchange)
    valid_id = pl.col("tag").str.contains(_SEGMENT_ID.pattern)
    bad_ids = located.filter(pl.col("set_index").is_not_null() & ~valid_id).select("set_index", "segment", "tag")
    for set_index, number, tag in bad_ids.rows():
        interchange.transaction_sets[set_index].reject(number, invalid_identifier(tag))
    strays = located.filter(pl.col("set_index").is_null() & ~pl.col("tag").is_in(_ENVELOPE_TAGS))
    if interchange.cut_tail:  # set aside with its cut claim, or a claimless loop after the last claim
        strays = strays.filter(~pl.col("segment").is_between(*interchange.cut_tail))
    for number, tag, raw in strays.select("segment", "tag", "raw").rows():
        reason = "segment outside a transaction set" if _SEGMENT_ID.match(tag) else invalid_identifier(tag)
        interchange.stray.append(Quarantined(f"segment {number}", reason, raw))


def invalid_identifier(tag: str | None) -> str:
    """The reason for a segment id that is not two or three capitals and digits; a longer one is not quoted, since
    with its separator lost it may be a whole NM1 or DMG (names, birth dates)."""
    if tag is not None and len(tag) <= 3:
        return f"invalid segment identifier {tag!r}"
    return "invalid segment identifier (not 2-3 capital letters and digits; not quoted, it may hold patient data)"


class _EnvelopeWalker:
    """Walks only the envelope segments (ISA GS ST SE GE IEA); set bodies are never touched here."""

    def __init__(self, interchange: Interchange, last_segment: int, strict: bool) -> None:
        self.x = interchange
        self.strict = strict
        self.last_segment = last_segment
        self.isa: tuple[int, list[str]] | None = None
        self.gs: tuple[int, list[str]] | None = None
        self.group_sets: list[TransactionSet] = []
        self.interchange_sets: list[TransactionSet] = []
        self.group_count = 0
        self.current: TransactionSet | None = None

    def walk(self, envelope: list[tuple[int, list[str]]]) -> None:
        for number, elements in envelope:
            getattr(self, f"_on_{elements[0]}")(number, elements)
        self._close_at_end()

    def _close_at_end(self) -> None:
        """The data ends with a set, group or interchange open: the file was cut. Its complete claims still load (the
        money is real; keep_complete_claims decides what is complete) with a file warning; strict refuses them."""
        open_parts = [f"{tag} at segment {opened[0]} has no {closer}" for tag, opened, closer in
                      (("ST", (self.current.start,) if self.current else None, "SE"), ("GS", self.gs, "GE"), ("ISA", self.isa, "IEA"))
                      if opened]
        if not open_parts:
            return
        if self.strict:
            refused = " (the file was cut; refused: --strict)"
            if self.current is not None:
                self.current.end = self.last_segment
                self.current.reject(self.last_segment, f"truncated: ST at segment {self.current.start} has no SE{refused}")
            if self.gs:
                self._reject_all(self.group_sets, self.gs[0], f"truncated: GS at segment {self.gs[0]} has no GE{refused}")
            if self.isa:
                self._reject_all(self.interchange_sets, self.isa[0], f"truncated: ISA at segment {self.isa[0]} has no IEA{refused}")
        else:
            if self.current is not None:
                self.current.end = self.current.cut = self.last_segment
            self.x.cut = (self.last_segment, open_parts)
        self.current = None

    def _on_ISA(self, number: int, elements: list[str]) -> None:
        self._close_open_set(number)
        self.isa, self.interchange_sets, self.group_count = (number, elements), [], 0

    def _on_GS(self, number: int, elements: list[str]) -> None:
        self._close_open_set(number)
        self.gs, self.group_sets = (number, elements), []
        self.group_count += 1

    def _on_ST(self, number: int, elements: list[str]) -> None:
        self._close_open_set(number)
        self.current = TransactionSet(len(self.x.transaction_sets), _get(elements, 2), number, number)
        self.x.transaction_sets.append(self.current)
        self.group_sets.append(self.current)
        self.interchange_sets.append(self.current)

    def _on_SE(self, number: int, elements: list[str]) -> None:
        current = self.current
        if current is None:
            self.x.stray.append(Quarantined(f"segment {number}", "SE without ST", self.x.text_of(number)))
            return
        current.end = number
        count = number - current.start + 1
        declared = _get(elements, 1)
        if declared != str(count):
            self._count_problem([current], number, f"SE01 says {declared or 'nothing'} segments but the set has {count}")
        if _get(elements, 2) != current.control_number:
            self._count_problem([current], number, f"SE02 does not match ST02 {shortened(current.control_number)!r}")
        self.current = None

    def _on_GE(self, number: int, elements: list[str]) -> None:
        self._close_open_set(number)
        if self.gs is None:
            self.x.stray.append(Quarantined(f"segment {number}", "GE without GS", self.x.text_of(number)))
            return
        declared = _get(elements, 1)
        if declared != str(len(self.group_sets)):
            self._count_problem(self.group_sets, number, f"GE01 says {declared} transaction sets but the group has {len(self.group_sets)}")
        if _get(elements, 2) != _get(self.gs[1], 6):
            self._count_problem(self.group_sets, number, f"GE02 does not match GS06 {shortened(_get(self.gs[1], 6))!r}")
        self.gs = None

    def _on_IEA(self, number: int, elements: list[str]) -> None:
        self._close_open_set(number)
        if self.isa is None:
            self.x.stray.append(Quarantined(f"segment {number}", "IEA without ISA", self.x.text_of(number)))
            return
        declared = _get(elements, 1)
        if declared != str(self.group_count):
            self._count_problem(self.interchange_sets, number, f"IEA01 says {declared} groups but the interchange has {self.group_count}")
        if _get(elements, 2) != _get(self.isa[1], 13):
            self._count_problem(self.interchange_sets, number, f"IEA02 does not match ISA13 {shortened(_get(self.isa[1], 13))!r}")
        self.isa = None

    def _close_open_set(self, next_envelope_segment: int) -> None:
        """A set still open when the next envelope segment (or the end) arrives was truncated."""
        if self.current is not None:
            self.current.end = next_envelope_segment - 1
            self.current.reject(self.current.end, f"truncated: ST at segment {self.current.start} has no SE")
            self.current = None

    def _count_problem(self, sets: list[TransactionSet], number: int, reason: str) -> None:
        """A provider cannot send an ERA back, so paperwork alone does not refuse its money: warn, unless strict."""
        if self.strict:
            self._reject_all(sets, number, reason)
        else:
            self.x.envelope_warnings.append((number, reason))

    @staticmethod
    def _reject_all(sets: list[TransactionSet], number: int, reason: str) -> None:
        for transaction_set in sets:
            transaction_set.reject(number, reason)


# What ends a claim loop before its set's SE: a new HL (837, 005010X222A1/X223A2 2000A-C) or, in an 835
# (005010X221A1), a new header number LX (2000), TS3/TS2, or the PLB after the last claim (2100 ends there).
_CLAIM_LOOP_CLOSERS = {"CLM": ("HL",), "CLP": ("LX", "TS3", "TS2", "PLB")}


def keep_complete_claims(interchange: Interchange, name: str) -> None:
    """After a cut, end the cut set before the claim the data ends in and quarantine that claim alone; every claim
    before it is complete (another CLM, HL or CLP followed it). A set with no complete claim is rejected as before."""
    last, open_parts = interchange.cut
    cut_set = next((ts for ts in interchange.transaction_sets if ts.cut), None)
    tag_at_cut = interchange.segments["tag"][last - interchange.first_number]
    shown = tag_at_cut if tag_at_cut and _SEGMENT_ID.match(tag_at_cut) else "an unreadable segment"
    where = f"the file was cut: it ends at segment {last} ({shown}), where {', '.join(open_parts)}"
    outcome = "its transaction sets loaded"
    if cut_set is not None:
        outcome = _set_aside_the_cut(interchange, cut_set, f"{name}: the file was cut at segment {last} ({shown})")
    refused = cut_set is not None and cut_set.problem is not None
    interchange.file_warnings.append(LoadWarning("file", f"{where}; {outcome}" + ("" if refused else " (loaded: --strict refuses a cut file)")))


def _set_aside_the_cut(interchange: Interchange, cut_set: TransactionSet, where: str) -> str:
    """Trim the cut set to its complete claims, quarantining what the data ended in; what happened, in words."""
    first = interchange.first_number
    tags = interchange.segments["tag"].slice(cut_set.start - first, cut_set.end - cut_set.start + 1).to_list()
    claims = [cut_set.start + offset for offset, tag in enumerate(tags) if tag in _CLAIM_LOOP_CLOSERS]
    if not claims:
        cut_set.reject(cut_set.end, f"truncated: ST at segment {cut_set.start} has no SE")
        return "the cut set holds no claim and is rejected"
    last_claim = claims[-1]
    closers = _CLAIM_LOOP_CLOSERS[interchange.segments["tag"][last_claim - first]]
    closed = [last_claim + 1 + offset for offset, tag in enumerate(tags[last_claim - cut_set.start + 1:]) if tag in closers]
    is_835 = tags[claims[0] - cut_set.start] == "CLP"
    if is_835:
        interchange.balance_notes[cut_set.index] = f"unverifiable: the set was cut at segment {cut_set.end}, with no SE"
    if closed and not is_835:
        # The loops after the last claim (a new subscriber or patient HL) hold no claim and may end inside a
        # required element: they are dropped with the cut, so they cannot refuse the claims before them.
        interchange.cut_tail, cut_set.end = (closed[0], cut_set.end), closed[0] - 1
        return f"every claim ({_claims(len(claims))}) was complete and loaded; the loops after the last one hold no claim"
    if closed:
        if tags[-1] != "PLB":
            return f"every claim ({_claims(len(claims))}) was complete and loaded"
        # Only a PLB follows the last claim: the last PLB may have been cut inside its amounts.
        reason = (f"{where}, inside this provider adjustment (PLB): transaction set {shortened(cut_set.control_number) or '?'} "
                  f"has no SE, so its amounts may be cut short; it is quarantined and the claims before it loaded")
        interchange.set_aside.append((cut_set.index, cut_set.end, Quarantined(f"segment {cut_set.end}", reason, interchange.text_of(cut_set.end))))
        interchange.balance_notes[cut_set.index] += f"; the PLB at segment {cut_set.end} is quarantined"
        interchange.cut_tail, cut_set.end = (cut_set.end, cut_set.end), cut_set.end - 1
        return f"every claim ({_claims(len(claims))}) was complete and loaded; the PLB at segment {interchange.cut_tail[0]} is quarantined"
    if len(claims) == 1:
        cut_set.reject(cut_set.end, f"truncated: ST at segment {cut_set.start} has no SE")
        return "its only claim was cut short, and the set is rejected"
    # The data ends inside the last claim: its lines, adjustments or amounts may be missing or cut inside a segment.
    reason = (f"{where}, inside this claim: transaction set {shortened(cut_set.control_number) or '?'} has no SE, so the "
              f"claim may have lost segments or amounts; it is quarantined and the {_claims(len(claims) - 1)} before it loaded")
    interchange.set_aside.append((cut_set.index, last_claim, Quarantined(f"segment {last_claim}", reason, interchange.text_of(last_claim))))
    if is_835:
        interchange.balance_notes[cut_set.index] += f"; the claim at segment {last_claim} is quarantined"
    interchange.cut_tail, cut_set.end = (last_claim, cut_set.end), last_claim - 1
    return f"the claim at segment {last_claim} was cut short and is quarantined; the {_claims(len(claims) - 1)} before it loaded"


def _claims(count: int) -> str:
    return f"{count} claim{'' if count == 1 else 's'}"


def _get(elements: list[str], position: int) -> str:
    return elements[position] if len(elements) > position else ""
