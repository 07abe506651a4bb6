"""Spark against DuckDB, from one load of the same files into each. The Spark load (etl/spark/intake.py) gives the lake
the rows, money, quarantine and column types `claimscope load` gives a database, and a file is loaded once, whatever
the number of runs; the ledger and the marts built on Spark (etl/spark/marts.py) from the same SQL transpiled
(etl/spark/transpile.py) equal DuckDB's row for row, and the transpile leaves nothing DuckDB-only behind. One file, so
that one worker loads the practice once on each engine: each load on Spark costs about 40 s here."""

from __future__ import annotations

import re
import shutil
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
from etl.spark.marts import build_ledger, spark_query
from etl.spark.transpile import SPARK_FUNCTIONS_FILE, UntranslatedError, spark_models, to_spark, untranslated
from tests.conftest import FIXTURES, SAMPLES, SHARED_X12
from tests.test_validate import SEEDED

pytestmark = pytest.mark.spark

# Surrogate ids: numbered per load, so compared only as the rows they join.
LOADER_IDS = ("file_id", "claim_record_id", "payment_id", "remit_claim_id", "remit_line_id")
# Files whose records the suites or the parser quarantine: bad CSV rows, a bad 835 set, hostile X12.
BAD_FILES = [FIXTURES / "csv" / "claims_with_bad_rows.csv", FIXTURES / "fee_schedules" / "with_bad_rows.csv",
             FIXTURES / "x12", FIXTURES / "hostile"]
# The times a load stamps on its rows, compared without them.
LOAD_TIMES = ("loaded_at", "quarantined_at", "validated_at", "applied_at")


def first_months_of_the_samples() -> list[Path]:
    """The sample practice's first four months: its 837P batches to February 2026 and its 835 runs to March (so most
    claims have their answer), and every CSV (self-pay, coders, fee schedules, audits). Every kind of file and record
    the year holds, in about a quarter of its files: the Spark load costs per file, and a year of the same generator
    proves no more."""
    def month(path: Path) -> str:
        return path.name.split("_")[1][:6]

    return sorted([*(path for path in SAMPLES.glob("837P_*") if month(path) <= "202602"),
                   *(path for path in SAMPLES.glob("835_*") if month(path) <= "202603"), *SAMPLES.glob("*.csv")])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The sample practice's first months, the public X12 samples, the worklist, bad and X12 fixtures (reversals,
    replacements, secondary payers, fee schedules) and the seeded bad files of test_validate."""
    seeded = tmp_path_factory.mktemp("seeded")
    for number, (_, text, _, _) in enumerate(SEEDED):
        (seeded / f"seeded_{number:02d}.csv").write_text(text)
    return [*first_months_of_the_samples(), SHARED_X12, FIXTURES / "worklist", *BAD_FILES, seeded]


@pytest.fixture(scope="module")
def loaded(spark, inputs, tmp_path_factory):
    """The inputs loaded into a database by `load_files` and into a lake on Spark with the database's patient key."""
    from etl.spark.intake import load_files_spark

    folder = tmp_path_factory.mktemp("parity")
    db, lake = folder / "loaded.duckdb", folder / "lake"
    load_files(inputs, db)
    result = load_files_spark(spark, inputs, lake, Path(f"{db}.key"))
    with database.read_connection(db) as con, lake_connection(lake) as lake_con:
        yield con, lake_con, result, lake


def _money_columns(con, table: str) -> list[str]:
    return [name for name, column_type, *_ in con.execute(f"describe {table}").fetchall() if column_type.startswith("DECIMAL")]


def _rows(con, table: str, without: tuple[str, ...] = ()) -> list[tuple]:
    columns = [name for name, *_ in con.execute(f"describe {table}").fetchall()]
    dropped = [name for name in columns if name in without]
    exclude = f" exclude ({', '.join(dropped)})" if dropped else ""
    return sorted(con.execute(f"select *{exclude} from {table}").fetchall(), key=repr)


def test_spark_parses_the_same_rows_and_money_as_the_loader(loaded):
    con, lake_con, _, _ = loaded
    for table in database.table_names():
        assert lake_con.execute(f"select count(*) from {table}").fetchone() == con.execute(f"select count(*) from {table}").fetchone(), table
        for column in _money_columns(con, table):
            total = f"select sum({column}) from {table}"
            assert lake_con.execute(total).fetchone() == con.execute(total).fetchone(), f"{table}.{column}"
    assert con.execute("select count(*) from claims").fetchone()[0] > 500  # the first months: 731 claims on 2026-12-07
    for table in database.table_names():  # every row, but for the ids and times a load gives it
        without = (*LOADER_IDS, *LOAD_TIMES)
        assert _rows(lake_con, table, without) == _rows(con, table, without), table


def test_spark_quarantines_the_same_records_with_the_same_reasons(loaded):
    con, lake_con, result, _ = loaded
    quarantined = ("select path, locator, reason, raw from quarantine inner join source_files using (file_id)"
                   " order by path, locator, reason")
    expected = con.execute(quarantined).fetchall()
    assert len(expected) >= len(SEEDED) + 5
    assert lake_con.execute(quarantined).fetchall() == expected
    files = "select path, kind, status, records_loaded, records_quarantined, message, size_bytes, is_synthetic from source_files order by path"
    assert lake_con.execute(files).fetchall() == con.execute(files).fetchall()
    assert sorted((item.path, item.status) for item in result.files) == sorted(con.execute("select path, status from source_files").fetchall())
    runs = "select suite, expectation, severity, success, evaluated_count, unexpected_count, sample_values from validation_runs"
    assert sorted(lake_con.execute(runs).fetchall(), key=repr) == sorted(con.execute(runs).fetchall(), key=repr)


def test_the_lake_reads_back_with_the_databases_column_types_in_private_files(loaded):
    con, lake_con, _, lake = loaded
    for table in database.table_names():
        assert _types(lake_con, table) == _types(con, table), table
    assert {path.stat().st_mode & 0o777 for path in lake.rglob("*.parquet")} == {0o600}  # PHI, as export_lake writes it


def _types(con, table: str) -> list[tuple[str, str]]:
    return [row[:2] for row in con.execute(f"describe {table}").fetchall()]


def test_a_file_is_loaded_once_and_a_new_file_adds_only_its_rows(spark, loaded, inputs, tmp_path, capsys):
    from etl.spark.intake import load_files_spark
    from etl.spark.submit import main

    _, _, _, lake = loaded
    key = lake.parent / "loaded.duckdb.key"
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    again = load_files_spark(spark, inputs, copy, key)
    assert {item.status for item in again.files} == {"skipped"} and again.rows_added == {} and again.export_number is None

    new = tmp_path / "new" / "claims.csv"
    new.parent.mkdir()
    shutil.copy(FIXTURES / "csv" / "hand_made" / "claims.csv", new)
    before = _counts(copy)
    # through the spark-submit entry point: a line per file, and no patient in any of them
    assert main(["load", *map(str, inputs), str(new.parent / "*.csv"), "--lake", str(copy), "--key", str(key)]) == 0
    printed = capsys.readouterr().out
    assert f"{new}\tclaims_csv\tloaded\t" in printed and printed.count("\tskipped\t") == len(again.files)
    assert not any(name in printed for name in ("SAMPLE", "ANNA", "M001TEST"))
    # the rows `claimscope load` adds to the database for the same file
    db = Path(shutil.copy(lake.parent / "loaded.duckdb", tmp_path / "loaded.duckdb"))
    shutil.copy(key, tmp_path / "loaded.duckdb.key")
    db_before = _counts(db)
    load_files([new], db)
    assert _added(before, _counts(copy)) == _added(db_before, _counts(db)) and _added(before, _counts(copy))["claims"] == 5
    with lake_connection(copy) as lake_con:
        for table, column in (("source_files", "file_id"), ("claims", "claim_record_id"), ("remit_claims", "remit_claim_id"),
                              ("remit_payments", "payment_id"), ("remit_service_lines", "remit_line_id")):
            assert lake_con.execute(f"select count(*) = count(distinct {column}) from {table}").fetchone() == (True,), table


def _counts(lake_or_db: Path) -> dict[str, int]:
    """Rows per contract table of a lake folder or a database file."""
    opened = lake_connection(lake_or_db) if lake_or_db.is_dir() else database.read_connection(lake_or_db)
    with opened as con:
        return {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in database.table_names()}


def _added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {table: after[table] - before[table] for table in after if after[table] != before[table]}


def test_a_zip_with_a_readme_loads_its_835_on_spark_as_the_loader_does(spark, tmp_path):
    import zipfile

    from etl.spark.intake import load_files_spark

    delivery = tmp_path / "era.zip"
    with zipfile.ZipFile(delivery, "w") as archive:
        archive.writestr("835_a.txt", (FIXTURES / "hostile" / "good.835").read_bytes())  # BPR02 100.00
        archive.writestr("README.txt", "Remittances for the week")
    db = tmp_path / "zip.duckdb"
    local = {result.path: result.status for result in load_files([delivery], db)}
    result = load_files_spark(spark, [delivery], tmp_path / "lake", Path(f"{db}.key"))

    assert {item.path: item.status for item in result.files} == local == {
        f"{delivery}!/835_a.txt": "loaded", f"{delivery}!/README.txt": "skipped"}
    with lake_connection(tmp_path / "lake") as lake_con:
        assert lake_con.execute("select sum(amount)::varchar from remit_payments").fetchone() == ("100.00",)


# The ledger and the marts ------------------------------------------------------------------------------------------


# The as-of date of the fixtures; the scopes start with the sample practice's first month, so they hold both.
AS_OF = date(2026, 11, 26)
SCOPE = Scope(start=date(2025, 12, 1), end=AS_OF)
TWO_PAYERS = Scope(payers=("60054", "62308"), start=date(2025, 12, 1), end=AS_OF, basis="submission")
# The ids each loader gives files and records in the order it writes them, and the ledger's copy of one.
LEDGER_IDS = (*LOADER_IDS, "current_remit_claim_id")
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
def practice(spark, loaded) -> tuple[Path, Path, dict[str, int]]:
    """The database and the lake `loaded` made, with the lake's ledger derived on Spark, as `claimscope spark marts`
    does."""
    lake = loaded[3]
    return lake.parent / "loaded.duckdb", lake, build_ledger(spark, lake)


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
        compared = ", ".join(f'"{name}"' for name in columns if name not in LEDGER_IDS)
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
    kept = [index for index, name in enumerate(columns) if name not in LEDGER_IDS]
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
