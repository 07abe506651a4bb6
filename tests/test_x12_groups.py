"""Small X12 files are parsed together (one stream of transaction sets, split again by file): each file's result must
be exactly what parsing it alone gives, good files and faulty ones alike."""

from pathlib import Path

import polars as pl
import pytest

from etl.intake.detect import decode, detect_kind
from etl.intake.patients import PatientHasher
from etl.intake.records import LoadError, ParsedFile, Quarantined
from etl.intake.tabular.mapping import ColumnMapping
from etl.intake.x12.parse import parse_x12, parse_x12_files
from tests.conftest import FIXTURES, SAMPLES

HASHER = PatientHasher(b"group-key")
IDS = ("claim_record_id", "payment_id", "remit_claim_id", "remit_line_id")


def x12_files() -> dict[str, list[tuple[str, str]]]:
    """Every public and hand-made X12 fixture and 80 files of the demo practice, by kind."""
    paths = [path for path in sorted((FIXTURES / "x12_public").rglob("*")) + sorted((FIXTURES / "x12").rglob("*"))
             if path.is_file() and path.suffix != ".md"]
    paths += sorted(SAMPLES.glob("835_*"))[:40] + sorted(SAMPLES.glob("837P_*"))[:40]
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for path in paths:
        try:
            text = decode(path.read_bytes(), str(path))
            kind = detect_kind(text, str(path), ColumnMapping())
        except LoadError:
            continue
        by_kind.setdefault(kind, []).append((str(path), text))
    return by_kind


def alone(name: str, text: str, kind: str) -> ParsedFile:
    try:
        return parse_x12(text, name, kind, HASHER)
    except LoadError as error:
        return ParsedFile(kind, quarantine=[Quarantined("file", str(error), None)])


def from_zero(parsed: ParsedFile) -> dict[str, pl.DataFrame]:
    """The tables with each surrogate id counted from the file's first (ids are unique within a file, not 0-based)."""
    firsts = {column: min([frame[column].min() for frame in parsed.tables.values() if column in frame.columns
                           and frame[column].min() is not None] or [0]) for column in IDS}
    return {table: frame.with_columns(pl.col(column) - firsts[column] for column in IDS if column in frame.columns)
            for table, frame in parsed.tables.items()}


FILES = x12_files()


@pytest.mark.parametrize("kind", sorted(FILES))
def test_files_parsed_together_give_each_what_it_gives_alone(kind):
    files = FILES[kind]

    together = parse_x12_files(files, kind, HASHER)

    assert len(together) == len(files)
    for (name, text), grouped in zip(files, together):
        single = alone(name, text, kind)
        assert (grouped.quarantine, grouped.warnings, grouped.structural_warnings) == (
            single.quarantine, single.warnings, single.structural_warnings), Path(name).name
        assert (grouped.records_loaded, grouped.is_synthetic) == (single.records_loaded, single.is_synthetic), Path(name).name
        grouped_tables, single_tables = from_zero(grouped), from_zero(single)
        assert set(grouped_tables) == set(single_tables), Path(name).name
        for table, frame in single_tables.items():
            assert grouped_tables[table].equals(frame), (Path(name).name, table)
    assert sum(parsed.records_loaded for parsed in together) > 0
    if kind in ("835", "837P"):  # the public samples hold faulty files of both kinds: rejected sets, unreadable files
        assert any(parsed.quarantine for parsed in together)
