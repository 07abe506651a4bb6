"""The ledger and the marts on Spark (etl/spark/marts.py) equal DuckDB's row for row, from the same SQL transpiled
(etl/spark/transpile.py), and the transpile leaves nothing DuckDB-only behind."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from etl import db as database
from etl import ledger
from etl.lake import lake_connection
from etl.load import load_files
from etl.reports import denials, kpis
from etl.reports.scope import Scope
from etl.spark.intake import load_files_spark
from etl.spark.marts import build_ledger, spark_query
from etl.spark.transpile import SPARK_FUNCTIONS_FILE, UntranslatedError, spark_models, to_spark, untranslated
from tests.conftest import FIXTURES
from tests.test_spark_intake import SURROGATE_IDS as LOADER_IDS

pytestmark = pytest.mark.spark

# Reversals, replacements, secondary payers and fee schedules (the fixtures), and a synthetic practice's months.
PRACTICE = [FIXTURES / "worklist", FIXTURES / "x12", FIXTURES / "fee_schedules" / "with_bad_rows.csv"]
AS_OF = date(2026, 11, 26)
SCOPE = Scope(start=date(2026, 6, 1), end=AS_OF)
TWO_PAYERS = Scope(payers=("60054", "62308"), start=date(2026, 6, 1), end=AS_OF, basis="submission")
# The ids each loader gives files and records in the order it writes them, and the ledger's copy of one.
SURROGATE_IDS = (*LOADER_IDS, "current_remit_claim_id")
LEDGER = ["claim_events", "remit_line_matches", "claim_paid_lines", "claim_states", "monthly_ar", "paid_line_rates",
          "ledger_months"]
MARTS = {
    "worklist": ("select * from worklist($as_of)", {"as_of": AS_OF}),
    "ar_aging by service": ("select * from ar_aging($as_of, 'service')", {"as_of": AS_OF}),
    "ar_aging by submission": ("select * from ar_aging($as_of, 'submission')", {"as_of": AS_OF}),
    "KPI figures": (kpis.FIGURES_BY_PAYER_SQL, {"as_of": AS_OF, "settled": kpis.SETTLED_AFTER_DAYS,
                                                "window": kpis.CHARGE_WINDOW_DAYS, **SCOPE.params()}),
    "KPI figures, two payers by submission date": (kpis.FIGURES_BY_PAYER_SQL, {
        "as_of": AS_OF, "settled": kpis.SETTLED_AFTER_DAYS, "window": kpis.CHARGE_WINDOW_DAYS, **TWO_PAYERS.params()}),
    "KPI figures, all claims": (kpis.FIGURES_BY_PAYER_SQL, {"as_of": AS_OF, "settled": kpis.SETTLED_AFTER_DAYS,
                                                            "window": kpis.CHARGE_WINDOW_DAYS, **Scope().params()}),
    "denial reasons": (denials.REASONS_SQL, {"as_of": AS_OF, **SCOPE.params()}),
    "denials by payer and category": (denials.BY_PAYER_AND_CATEGORY_SQL, {"as_of": AS_OF, **SCOPE.params()}),
}


@pytest.fixture(scope="module")
def practice(tmp_path_factory, spark) -> tuple[Path, Path, dict[str, int]]:
    """The fixtures and 150 synthetic claims loaded twice: by `claimscope load` into DuckDB, and on Spark into a lake
    (the parse and checks on Spark, etl/spark/intake.py), whose ledger is then derived on Spark, as `claimscope spark
    load` and `claimscope spark marts` do."""
    from etl.synth import synthesize

    folder = tmp_path_factory.mktemp("spark_marts")
    db, lake = folder / "practice.duckdb", folder / "lake"
    synthesize(folder / "synthetic", 150, seed=11, months=4, end=AS_OF, output_format="x12")
    load_files([*PRACTICE, folder / "synthetic"], db)
    load_files_spark(spark, [*PRACTICE, folder / "synthetic"], lake, f"{db}.key")
    return db, lake, build_ledger(spark, lake)


def _cells(value):
    """A value as both engines must agree on it: money and rates to the cent (or the ten-thousandth), dates as dates."""
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.0001"))
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.0001"))
    if isinstance(value, (list, tuple)):
        return tuple(map(_cells, value))
    if hasattr(value, "asDict"):
        return tuple(_cells(item) for item in value.asDict().values())
    if isinstance(value, dict):
        return tuple(_cells(item) for item in value.values())
    return value


def _sorted_rows(rows) -> list[tuple]:
    return sorted((tuple(_cells(value) for value in row) for row in rows), key=repr)


@pytest.mark.parametrize("table", LEDGER)
def test_the_ledger_built_on_spark_equals_duckdbs(practice, table):
    db, lake, counts = practice
    with database.read_connection(db) as con, lake_connection(lake) as lake_con:
        columns = [row[0] for row in con.execute(f"describe {table}").fetchall()]
        assert [row[0] for row in lake_con.execute(f"describe {table}").fetchall()] == columns
        # every column but the ids each loader numbers its files and records by, in its own order
        compared = ", ".join(f'"{name}"' for name in columns if name not in SURROGATE_IDS)
        expected = con.execute(f"select {compared} from {table}").fetchall()
        built = lake_con.execute(f"select {compared} from {table}").fetchall()  # the files Spark wrote, read back by DuckDB
    assert expected, f"{table} is empty: the comparison would prove nothing"
    assert counts[table] == len(expected)
    assert _sorted_rows(built) == _sorted_rows(expected)


def test_the_lake_says_which_rules_built_its_ledger(practice):
    _, lake, counts = practice
    with lake_connection(lake) as lake_con:
        assert lake_con.execute("select version from ledger_versions").fetchall() == [(ledger.LEDGER_VERSION,)]
    assert counts["ledger_versions"] == 1


@pytest.mark.parametrize("mart", MARTS)
def test_a_mart_on_spark_equals_duckdbs(practice, spark, mart):
    db, lake, _ = practice
    sql, params = MARTS[mart]
    with database.read_connection(db) as con:
        result = con.execute(sql, params)
        columns = [column[0] for column in result.description]
        expected = result.fetchall()
    frame = spark_query(spark, lake, sql, params)
    assert expected, f"{mart} is empty: the comparison would prove nothing"
    assert frame.columns == columns
    kept = [index for index, name in enumerate(columns) if name not in SURROGATE_IDS]
    assert _sorted_rows([[row[i] for i in kept] for row in frame.collect()]) == _sorted_rows([[row[i] for i in kept] for row in expected])


def test_no_macro_or_duckdb_only_construct_survives_the_transpile():
    models = spark_models()
    assert {"int_ledger__claim_states", "initial_adjudications", "stg_837__claims"} <= {name for name, _ in models}
    assert {name: untranslated(sql) for name, sql in models if untranslated(sql)} == {}


def test_the_checked_in_function_list_is_this_sparks(spark):
    names = {row.function.split(".")[-1].lower() for row in spark.sql("show functions").collect()}
    assert SPARK_FUNCTIONS_FILE.read_text().split() == sorted(name for name in names if re.fullmatch(r"[a-z_]\w*", name))


@pytest.mark.parametrize(("spark_sql", "found"), [
    ("select worklist_total(a) from t", "function worklist_total"),
    ("select in_scope(payer_id, rendering_npi, service_date_from, submitted_date, s) from t", "macro in_scope"),
    ("select a::int from t", "a '::' cast"),
    ("select s.* replace (1 as a) from s", "SELECT * REPLACE"),
    ("select list_filter(l, lambda x: x > 1) from t", "a DuckDB lambda"),
])
def test_the_static_check_names_what_was_left_untranslated(spark_sql, found):
    assert found in untranslated(spark_sql)


def test_a_query_the_transpile_cannot_translate_is_refused():
    with pytest.raises(UntranslatedError, match="function bar"):
        to_spark("select bar(charge_amount, 0, 1000) from claims")  # DuckDB's text bar chart
