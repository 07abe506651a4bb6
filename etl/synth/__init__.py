"""Synthetic practice data: claims, remittances and audits that behave like a real practice's."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

from etl.intake.records import write_synthetic_manifest
from etl.synth.profile import DEFAULT_PROFILE, read_profile
from etl.synth.simulate import Practice
from etl.synth.writers import CsvWriter, X12Writer

FORMATS = ("x12", "csv", "both")


class _Both:
    """Send every event to each writer."""

    def __init__(self, *writers) -> None:
        self.writers = writers

    def __getattr__(self, name):
        return lambda *args: [getattr(writer, name)(*args) for writer in self.writers]


def synthesize(out: Path, claims: int, seed: int, months: int, end: date, output_format: str = "x12", profile_path: Path = DEFAULT_PROFILE) -> Path:
    """Write a synthetic practice's files under `out` (x12/ and csv/ subfolders when format is both)."""
    profile = read_profile(profile_path)
    folders = {"x12": [out], "csv": [out], "both": [out / "x12", out / "csv"]}[output_format]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    if output_format == "both":
        writers = [X12Writer(folders[0], profile), CsvWriter(folders[1], profile)]
    else:
        writers = [X12Writer(out, profile) if output_format == "x12" else CsvWriter(out, profile)]
    sink = writers[0] if len(writers) == 1 else _Both(*writers)
    # The simulation makes millions of small objects and no reference cycles; the cyclic collector's
    # repeated scans of them cost a third of the run, so it is paused until the files are written.
    collecting = gc.isenabled()
    gc.disable()
    try:
        Practice(profile, claims, seed, months, end).run(sink)
    finally:
        for writer in writers:
            writer.close()
        if collecting:
            gc.enable()
    for folder in folders:
        write_synthetic_manifest(folder)
    return out
