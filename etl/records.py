"""What a parser hands the loader: typed frames per contract table, plus what it set aside."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


# ISA06/ISA08 of every file `claimscope synth` writes: how generated data is told apart from real data.
SYNTHETIC_SENDER_ID = "CLAIMSCOPESYNTH"


class LoadError(Exception):
    """A file that cannot be read at all; the message names the file and where it failed."""


@dataclass(frozen=True)
class Quarantined:
    """One input record set aside, with where it was and why."""

    locator: str
    reason: str
    raw: str | None = None


@dataclass
class ParsedFile:
    """A parsed file. Surrogate ids in `tables` start at 0; the loader shifts them at insert."""

    kind: str
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    quarantine: list[Quarantined] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records_loaded: int = 0
    is_synthetic: bool = False
    validation: list[dict] = field(default_factory=list)
