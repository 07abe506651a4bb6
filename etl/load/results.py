"""What the loader's stages hand each other: a file read and parsed, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.intake.records import ParsedFile, Quarantined


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


@dataclass
class ParsedItem:
    """A file read and parsed, or the result it already has (unreadable, or loaded before)."""

    path: Path
    sha256: str = ""
    size: int = 0
    parsed: ParsedFile | None = None
    result: FileResult | None = None
    data: bytes = b""  # the file's bytes, until it is parsed


def rejected(kind: str, reason: str) -> ParsedFile:
    """A file that cannot be loaded at all: one quarantine row saying why."""
    return ParsedFile(kind, quarantine=[Quarantined("file", reason, None)])
