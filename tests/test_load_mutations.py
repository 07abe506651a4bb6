"""Property test: the fuzz harness's mutations (bench/fuzz_load.py) of the public samples and the CSV layouts never
raise out of the parse, and every claim or CSV line of the input is loaded or in quarantine."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from bench.fuzz_load import MUTATIONS, input_records, records_accounted, seeds
from etl.intake.patients import PatientHasher
from etl.intake.tabular.mapping import ColumnMapping
from etl.load import parse_file

HASHER = PatientHasher(b"mutation-key")
# The 10 MB segment is left to the bench: it costs seconds, not coverage.
QUICK = sorted(name for name in MUTATIONS if name != "big_segment")
SEEDS = {name: data for name, data in seeds() if len(data) < 200_000}


def claims_or_lines_loaded(parsed) -> int:
    table = {"835": "remit_claims", "837P": "claims", "837I": "claims"}.get(parsed.kind)
    if table is None:
        return parsed.records_loaded
    return parsed.tables[table].height if table in parsed.tables else 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)), st.lists(st.sampled_from(QUICK), min_size=1, max_size=3), st.randoms(use_true_random=False))
def test_a_mutated_file_raises_nothing_and_loses_no_record(seed, mutations, rng):
    name, data = seed, SEEDS[seed]
    for mutation in mutations:
        data = MUTATIONS[mutation][0](data, rng) if data else data

    parsed = parse_file(Path(name), data, HASHER, ColumnMapping())

    counted = input_records(name, data)
    quarantine = [(item.locator, item.reason) for item in parsed.quarantine]
    came, accounted = records_accounted(counted, claims_or_lines_loaded(parsed), quarantine)
    assert accounted >= came, (mutations, quarantine[:3])
