"""What a parser hands the loader: typed frames per contract table, plus what it set aside."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


# ISA06/ISA08 of every X12 file `claimscope synth` writes: how generated data is told apart from real data.
SYNTHETIC_SENDER_ID = "CLAIMSCOPESYNTH"
# Beside the files it writes, `claimscope synth` lists their sha256 here; a CSV has no envelope to carry a mark.
SYNTHETIC_MANIFEST = "claimscope-synthetic.sha256"


def write_synthetic_manifest(folder: Path) -> None:
    """List the sha256 of every file in the folder, as `sha256sum` would, to mark them synthetic."""
    lines = [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}"
             for path in sorted(folder.iterdir()) if path.is_file() and path.name != SYNTHETIC_MANIFEST]
    (folder / SYNTHETIC_MANIFEST).write_text("\n".join(lines) + "\n")


def listed_as_synthetic(path: Path, sha256: str) -> bool:
    """True when the file's folder has a synth manifest naming this exact content."""
    return sha256 in _manifest_hashes(path.parent / SYNTHETIC_MANIFEST)


@lru_cache(maxsize=32)
def _manifest_hashes(manifest: Path) -> frozenset[str]:
    if not manifest.is_file():
        return frozenset()
    return frozenset(line.split()[0] for line in manifest.read_text().splitlines() if line.strip())


# Columns that name or identify a patient: their values stay in the patients table and quarantine.raw, never in a
# reason, a message or a sample (HIPAA's identifiers: names, member ids, birth dates).
PHI_COLUMNS = {"member_id", "last_name", "first_name", "birth_date"}


class LoadError(Exception):
    """A file that cannot be read at all; the message names the file and where it failed."""


@dataclass(frozen=True)
class Quarantined:
    """One input record set aside, with where it was and why."""

    locator: str
    reason: str
    raw: str | None = None


@dataclass(frozen=True)
class LoadWarning:
    """Something wrong with a file that did not stop its records loading, and where it is."""

    locator: str
    warning: str


@dataclass
class ParsedFile:
    """A parsed file. Surrogate ids in `tables` are unique within the file, from 0 up; the loader shifts them at insert."""

    kind: str
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    quarantine: list[Quarantined] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    structural_warnings: list[LoadWarning] = field(default_factory=list)
    records_loaded: int = 0
    is_synthetic: bool = False
    validation: list[dict] = field(default_factory=list)
