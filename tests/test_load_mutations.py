"""Property tests: the fuzz harness's mutations (bench/fuzz_load.py) of the public samples and the CSV layouts never
raise out of the parse or the whole load, and every claim or CSV line of the input is loaded or in quarantine."""

import random
from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings, strategies as st

from bench.fuzz_load import MUTATIONS, input_records, mutate, records_accounted, seeds, vanished_in
from etl.intake.patients import PatientHasher
from etl.intake.tabular.mapping import ColumnMapping
from etl.load import load_files, parse_file

HASHER = PatientHasher(b"mutation-key")
# The 10 MB segment is left to the bench: it costs seconds, not coverage.
QUICK = sorted(name for name in MUTATIONS if name != "big_segment")
SEEDS = {name: data for name, data in seeds() if len(data) < 200_000}


def claims_or_lines_loaded(parsed) -> int:
    """The claims (X12) or data lines (CSV, workbook) a parse kept."""
    table = {"835": "remit_claims", "837P": "claims", "837I": "claims"}.get(parsed.kind)
    if table is None:
        return parsed.records_loaded
    return parsed.tables[table].height if table in parsed.tables else 0


# 300 examples, the count the README gives: about 7 s on this shared two-core machine, over 90 seeds and 9 mutations.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)), st.lists(st.sampled_from(QUICK), min_size=1, max_size=3), st.randoms(use_true_random=False))
def test_a_mutated_file_raises_nothing_and_loses_no_record(seed, mutations, rng):
    """parse_file turns the loader's own LoadError into quarantine, so any exception here is one nobody foresaw."""
    name, data = seed, SEEDS[seed]
    for mutation in mutations:
        data = MUTATIONS[mutation][0](data, rng) if data else data

    parsed = parse_file(Path(name), data, HASHER, ColumnMapping())

    counted = input_records(name, data)
    quarantine = [(item.locator, item.reason) for item in parsed.quarantine]
    came, accounted = records_accounted(counted, claims_or_lines_loaded(parsed), quarantine)
    assert accounted >= came, (mutations, quarantine[:3])


@pytest.mark.parametrize("seed", [21])
def test_a_batch_of_mutated_files_loads_whole_with_no_record_lost(tmp_path, seed):
    """Through validation and the insert too, where a record once vanished (6 CSV lines in the fuzz run of 2026-12-01)."""
    rng = random.Random(seed)
    folder = tmp_path / "mutated"
    folder.mkdir()
    counted = {}
    for number in range(30):
        name = rng.choice(sorted(SEEDS))
        data, _ = mutate(SEEDS[name], rng)
        path = folder / f"{number:02}_{name}"
        path.write_bytes(data)
        counted[str(path)] = input_records(name, data)
    db = tmp_path / "mutated.duckdb"

    results = load_files([folder], db)

    assert len(results) == 30 and not [result.message for result in results if "internal error" in (result.message or "")]
    vanished, records_in, accounted, unwritten = vanished_in(db, counted)
    assert (vanished, unwritten) == (0, 0) and accounted >= records_in > 0
