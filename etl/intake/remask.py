"""Re-mask the messages a release before issue 21 wrote: a birth date, a patient's CSV value, a garbled NM1 or a first
line quoted in a quarantine reason, a file message or a load warning becomes the wording today's loader writes."""

from __future__ import annotations

import re

import duckdb

from etl.error_log import masked
from etl.intake.records import PHI_COLUMNS
from etl.intake.x12.parse import swallows_a_patient_segment
from etl.intake.tabular.claims import LAYOUT as CLAIMS_LAYOUT

# Fields whose value may identify a patient: the contract's columns, the claims CSV's, and DMG02 (a birth date).
PHI_FIELDS = sorted(PHI_COLUMNS | {column.name for column in CLAIMS_LAYOUT if column.holds_phi} | {"DMG02"}, key=len, reverse=True)
# Segments that carry names, member ids, birth dates or addresses (X12 loops 2010BA/CA, 2100 of the 835).
PHI_SEGMENTS = ("NM1", "DMG", "N3", "N4", "PER")
MASKED_SEGMENT = "… (masked: may hold patient data)"
UNQUOTED_ID = "invalid segment identifier (not 2-3 capital letters and digits; not quoted, it may hold patient data)"

_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_FIELD_VALUE = re.compile(rf"\b(?P<field>{'|'.join(map(re.escape, PHI_FIELDS))})(?::)? (?P<value>{_QUOTED})")
_GARBLED_ID = re.compile(rf"invalid segment identifier (?P<value>{_QUOTED}): (?P<text>.*?)(?P<sep>.){re.escape(MASKED_SEGMENT)}")
_QUOTED_ID = re.compile(rf"invalid segment identifier (?P<value>{_QUOTED})")
_FIRST_LINE = re.compile(rf"(not a claimscope CSV header): (?:{_QUOTED})")
_ANY_QUOTED = re.compile(_QUOTED)


def remask(message: str | None, raw: str | None = None) -> str | None:
    """The message as today's loader words it: fields that may identify a patient named, never quoted."""
    if not message:
        return message
    message = _without_swallowed_segments(message, raw)
    if "'" not in message and '"' not in message:
        return message
    text = _GARBLED_ID.sub(lambda found: _garbled(found), message)
    text = _QUOTED_ID.sub(lambda found: found[0] if _short_id(found["value"]) else UNQUOTED_ID, text)
    text = _FIELD_VALUE.sub(lambda found: found["field"], text)
    text = _FIRST_LINE.sub(r"\1", text)
    tokens = _patient_tokens(raw)
    return _ANY_QUOTED.sub(lambda found: "(masked)" if _unquoted(found[0]) in tokens else found[0], text)


def remask_database(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite every quarantine reason, file message and load warning an older release may have written with patient
    data; returns how many changed. Idempotent: today's wording has nothing left to mask."""
    changed = 0
    quoted = "regexp_matches({}, '[''\"]')"
    rows = con.execute(f"select rowid, reason, raw from quarantine where {quoted.format('reason')}").fetchall()
    for rowid, reason, raw in rows:
        masked = remask(reason, raw)
        if masked != reason:
            con.execute("update quarantine set reason = ? where rowid = ?", [masked, rowid])
            changed += 1
    for table, column in (("source_files", "message"), ("load_warnings", "warning")):
        found = con.execute(f"select rowid, file_id, {column} from {table} where {quoted.format(column)}").fetchall()
        for rowid, file_id, message in found:
            raw = con.execute("select string_agg(raw, chr(10)) from quarantine where file_id = ?", [file_id]).fetchone()[0]
            masked = remask(message, raw)
            if masked != message:
                con.execute(f"update {table} set {column} = ? where rowid = ?", [masked, rowid])
                changed += 1
    return changed


def _without_swallowed_segments(message: str, raw: str | None) -> str:
    """The message with each quoted segment that ran on into a patient segment (a lost terminator) cut to its id, and
    its quoted values masked, as the loader words it now (etl/intake/x12/parse.py)."""
    for segment in re.split(r"[~\n]", raw or ""):
        segment = segment.strip()
        separator = segment[3:4] if segment[:3].isalnum() and len(segment) > 3 else segment[2:3]
        if not separator or separator.isalnum() or segment not in message:
            continue
        elements = segment.split(separator)
        if swallows_a_patient_segment(elements):
            message = masked(message.replace(segment, f"{elements[0]}{separator}{MASKED_SEGMENT}"))
    return message


def _garbled(found: re.Match) -> str:
    if _short_id(found["value"]):
        return found[0]
    return f"{UNQUOTED_ID}: (no readable id){found['sep']}{MASKED_SEGMENT}"


def _short_id(quoted: str) -> bool:
    """A segment id as X12 spells one (2-3 capital letters and digits) cannot hold a name."""
    return re.fullmatch(r"[A-Z0-9]{2,3}", _unquoted(quoted)) is not None


def _unquoted(quoted: str) -> str:
    return quoted[1:-1]


def _patient_tokens(raw: str | None) -> set[str]:
    """Every element of the raw text's name, birth-date and address segments, and those segments whole."""
    if not raw:
        return set()
    tokens: set[str] = set()
    for segment in re.split(r"[~\n]", raw):
        segment = segment.strip()
        separator = segment[3:4] if segment[:3] in PHI_SEGMENTS else segment[2:3] if segment[:2] in PHI_SEGMENTS else ""
        if separator and not separator.isalnum():
            tokens |= {segment, segment + "~"} | {element for element in segment.split(separator)[1:] if len(element) > 1}
    return tokens
