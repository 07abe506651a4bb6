"""The Parquet lake (etl/lake.py): re-read by DuckDB it equals the database it came from, lies a month and payer per
folder, and a later export adds new files without touching the old."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from etl import db as database
from etl.lake import LAYOUTS, LakeError, data_hash, export_lake, lake_connection, lake_row_counts
from etl.load import load_files
from etl.work import items
from tests.conftest import FIXTURES

# Claims and 835s (reversals, replacements, COB, PLB), a fee schedule, coding audits and quarantined rows: most tables
# hold rows. 15 files, one fewer than makes the loader start parse workers (etl/load/parsing.py PARALLEL_FILES).
PRACTICE = [FIXTURES / "worklist", FIXTURES / "x12", FIXTURES / "fee_schedules" / "with_bad_rows.csv",
            FIXTURES / "csv" / "hand_made" / "audits.csv", FIXTURES / "csv" / "claims_with_bad_rows.csv"]
LAKE_TABLES = database.table_names() + database.ledger_table_names() + [f"ref_{name}" for name in database.REFERENCE_TABLES]
CLAIMS_HEADER = ("claim_id,payer_id,payer_name,member_id,patient_last_name,patient_first_name,patient_birth_date,billing_npi,"
                 "rendering_npi,coder_id,claim_type,frequency_code,place_of_service,service_date_from,service_date_to,"
                 "submitted_date,total_charge,line_number,procedure_code,modifiers,units,line_charge,line_service_date,"
                 "diagnosis_codes")
DANA = items.Actor("dana", None)


@pytest.fixture(scope="module")
def practice(tmp_path_factory) -> tuple[Path, Path]:
    """The practice loaded, W2 taken up on the work queue (work_items, its history, the audit log), and exported once."""
    folder = tmp_path_factory.mktemp("practice")
    db, lake = folder / "practice.duckdb", folder / "lake"
    load_files(PRACTICE, db)
    with database.write_connection(db) as con:
        items.set_status(con, ["W2"], "in_progress", DANA)
    export_lake(db, lake)
    return db, lake


@pytest.fixture(scope="module")
def practice_and_lake(practice):
    """Read connections to the practice database and to its lake, opened once for the tests that compare them."""
    db, lake = practice
    with database.read_connection(db) as con, lake_connection(lake) as lake_con:
        yield con, lake_con


def _rows(con, table: str) -> list[str]:
    return sorted(map(repr, con.execute(f"select * from {table}").fetchall()))


def _types(con, table: str) -> list[tuple[str, str]]:
    return [row[:2] for row in con.execute(f"describe {table}").fetchall()]


def _manifest(lake: Path) -> dict:
    return json.loads((lake / "manifest.json").read_text())


def _files(lake: Path) -> dict[str, tuple[int, int]]:
    """Every Parquet file of the lake, with its size and modification time."""
    return {path.relative_to(lake).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns) for path in lake.rglob("*.parquet")}


def _lake_differs(db: Path, lake: Path) -> list[str]:
    """The tables whose rows or column types differ between the database and its lake."""
    with database.read_connection(db) as con, lake_connection(lake) as lake_con:
        return [table for table in LAKE_TABLES
                if _rows(lake_con, table) != _rows(con, table) or _types(lake_con, table) != _types(con, table)]


def _add_claim_w9(folder: Path, db: Path) -> int:
    """Load W9, a claim to UnitedHealthcare (87726) sent 2026-12-02, a payer and month no other claim has; its file id."""
    path = folder / "w9.csv"
    path.write_text(f"{CLAIMS_HEADER}\nW9,87726,UnitedHealthcare,U9,BIRCH,IDA,1970-01-01,1234567893,,CD1,professional,1,11,"
                    "2026-12-01,,2026-12-02,175.00,1,99214,,1,175.00,,I10\n")
    (result,) = load_files([path], db)
    assert result.status == "loaded"
    return result.file_id


@pytest.mark.parametrize("table", LAKE_TABLES)
def test_every_table_reads_back_from_the_lake_row_for_row(practice_and_lake, table):
    con, lake_con = practice_and_lake

    assert _rows(lake_con, table) == _rows(con, table)


def test_every_column_keeps_its_type(practice_and_lake):
    con, lake_con = practice_and_lake

    assert {table: _types(lake_con, table) for table in LAKE_TABLES} == {table: _types(con, table) for table in LAKE_TABLES}


def test_parquet_files_hold_money_as_decimal_dates_as_dates_and_payer_ids_as_text(practice):
    _, lake = practice
    files = sorted(str(path) for path in (lake / "claims" / "submitted_month=2026-10" / "payer=60054").glob("*.parquet"))

    with duckdb.connect() as con:
        types = dict(row[:2] for row in con.execute(f"describe select * from read_parquet({files}, hive_partitioning = false)").fetchall())
        total = database.scalar(con, f"select sum(total_charge) from read_parquet({files}, hive_partitioning = false)")

    assert (types["total_charge"], types["submitted_date"], types["payer_id"]) == ("DECIMAL(18,2)", "DATE", "VARCHAR")
    assert total == Decimal("500.00")  # W1 200.00 + W6 250.00 + W8 50.00


@pytest.mark.parametrize(("table", "folder", "claim_ids"), [
    # W1 (sent 2026-10-03), W6 (10-16) and W8 (10-02) are the October claims to Aetna (tests/fixtures/worklist/claims.csv)
    ("claims", "submitted_month=2026-10/payer=60054", ["W1", "W6", "W8"]),
    ("claim_lines", "submitted_month=2026-10/payer=60054", ["W1", "W6", "W8"]),  # a line lies with its claim
    # Aetna paid in October: T2 (10-01) W5; T3 (10-20) W5 reversed, W5 again and W8 (tests/fixtures/worklist/remits.csv)
    ("remit_claims", "payment_month=2026-10/payer=60054", ["W5", "W5", "W5", "W8"]),
    ("claim_events", "event_month=2026-10/payer=60054", ["W1", "W5", "W5", "W5", "W6", "W8", "W8"]),
])
def test_rows_lie_in_a_folder_per_month_and_payer(practice, table, folder, claim_ids):
    _, lake = practice
    files = sorted(str(path) for path in (lake / table / folder).glob("*.parquet"))

    with duckdb.connect() as con:
        found = [claim_id for (claim_id,) in con.execute(
            f"select claim_id from read_parquet({files}, hive_partitioning = false) order by claim_id").fetchall()]

    assert found == claim_ids


@pytest.mark.parametrize("table", ["patients", "source_files", "quarantine", "ref_carc"])
def test_small_and_dimension_tables_lie_in_one_folder(practice, table):
    _, lake = practice

    assert [path.relative_to(lake).as_posix() for path in (lake / table).iterdir()] == [f"{table}/export-000001_0.parquet"]


def test_the_manifest_counts_every_tables_rows_and_names_the_schema_version(practice):
    db, lake = practice
    manifest = _manifest(lake)

    with database.read_connection(db) as con:
        counts = {table: database.scalar(con, f"select count(*) from {table}") for table in LAKE_TABLES}
        schema_version = database.scalar(con, "select schema_hash from schema_versions")

    assert {table: entry["rows"] for table, entry in manifest["tables"].items()} == counts
    assert manifest["schema_version"] == schema_version == database.schema_hash()


def test_tables_of_a_lake_are_listed_with_their_rows(practice):
    db, lake = practice

    with database.read_connection(db) as con:
        assert lake_row_counts(lake) == [(table, database.scalar(con, f"select count(*) from {table}")) for table in LAKE_TABLES]


def test_the_data_hash_is_the_same_for_every_export_of_one_database_and_for_its_lake(practice, tmp_path):
    db, lake = practice

    again = export_lake(db, tmp_path / "again")

    assert again.data_hash == _manifest(lake)["data_hash"]
    with database.read_connection(db) as con, lake_connection(lake) as lake_con:
        assert data_hash(lake_con, LAKE_TABLES) == data_hash(con, LAKE_TABLES) == again.data_hash


def test_a_second_export_of_an_unchanged_database_writes_nothing(practice, tmp_path):
    db, lake = practice
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    files = _files(copy)

    result = export_lake(db, copy)

    assert (result.export_number, result.files_written, result.files_removed) == (2, (), ())
    assert _files(copy) == files


def test_a_load_between_exports_adds_files_for_its_rows_only(tmp_path):
    db, lake = tmp_path / "practice.duckdb", tmp_path / "lake"
    load_files([FIXTURES / "worklist"], db)
    first = export_lake(db, lake)
    before = _files(lake)
    file_id = _add_claim_w9(tmp_path, db)

    second = export_lake(db, lake)

    with database.read_connection(db) as con:
        validated_month = database.scalar(con, "select strftime(max(validated_at), '%Y-%m') from validation_runs where file_id = ?", [file_id])
    append_only = {table for table in database.table_names() if table in LAYOUTS and LAYOUTS[table].batch_key}
    assert {path for path in second.files_written if path.split("/")[0] in append_only} == {
        "claims/submitted_month=2026-12/payer=87726/export-000002_0.parquet",
        "claim_lines/submitted_month=2026-12/payer=87726/export-000002_0.parquet",
        "claim_diagnoses/submitted_month=2026-12/payer=87726/export-000002_0.parquet",
        "source_files/export-000002_0.parquet",
        f"validation_runs/validated_month={validated_month}/export-000002_0.parquet",
    }
    new_files = {path.split("/")[0]: lake / path for path in second.files_written if path.split("/")[0] in ("claims", "source_files")}
    with duckdb.connect() as con:  # and those files hold the new file's rows and nothing else
        file_ids = {table: database.scalar(con, f"select list(distinct file_id) from read_parquet('{path}')") for table, path in new_files.items()}
    assert file_ids == {"claims": [file_id], "source_files": [file_id]}
    # every file of the first export is still there, untouched, but those of the tables W9 changed in place
    rewritten = {"patients", "ledger_months"}
    after = _files(lake)
    assert {path: after.get(path) for path in before if path.split("/")[0] not in rewritten} == {
        path: stat for path, stat in before.items() if path.split("/")[0] not in rewritten}
    assert set(second.files_removed) == {path for path in first.files_written if path.split("/")[0] in rewritten}
    assert _lake_differs(db, lake) == []


def test_a_table_changed_in_place_is_written_anew_and_its_old_file_removed(tmp_path):
    db, lake = tmp_path / "practice.duckdb", tmp_path / "lake"
    load_files([FIXTURES / "worklist" / "claims.csv"], db)
    with database.write_connection(db) as con:
        items.set_status(con, ["W2"], "in_progress", DANA)
    export_lake(db, lake)

    with database.write_connection(db) as con:
        items.set_status(con, ["W2"], "waiting_on_payer", DANA)
    result = export_lake(db, lake)

    # work_item_history and the audit log are append-only: the change adds a file beside their first
    assert sorted({path.split("/")[0] for path in result.files_written}) == ["audit_log", "work_item_history", "work_items"]
    assert result.files_removed == ("work_items/export-000001_0.parquet",)
    assert _lake_differs(db, lake) == []


def test_files_an_unfinished_export_left_are_not_read_and_are_removed_by_the_next(practice, tmp_path):
    db, lake = practice
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    folder = copy / "claims" / "submitted_month=2026-10" / "payer=60054"
    shutil.copy(folder / "export-000001_0.parquet", folder / "export-000002_0.parquet")  # as if export 2 stopped here

    assert _lake_differs(db, copy) == []
    result = export_lake(db, copy)

    assert result.files_removed == ("claims/submitted_month=2026-10/payer=60054/export-000002_0.parquet",)
    assert not (folder / "export-000002_0.parquet").exists()


def test_an_export_into_another_databases_lake_is_refused(practice, tmp_path):
    _, lake = practice
    other = tmp_path / "other.duckdb"
    load_files([FIXTURES / "worklist" / "claims.csv"], other)
    manifest = (lake / "manifest.json").read_text()

    with pytest.raises(LakeError, match="holds the lake of another database"):
        export_lake(other, lake)

    assert (lake / "manifest.json").read_text() == manifest


def test_an_export_into_a_folder_that_is_no_lake_is_refused(practice, tmp_path):
    db, _ = practice
    (tmp_path / "notes.txt").write_text("not a lake")

    with pytest.raises(LakeError, match="holds files but no manifest.json"):
        export_lake(db, tmp_path)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_an_export_while_another_runs_into_the_same_folder_is_refused(practice, tmp_path):
    db, lake = practice
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)

    with open(copy / ".export.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(LakeError, match="another export"):
            export_lake(db, copy)


def test_reading_a_folder_no_export_finished_in_says_so(tmp_path):
    with pytest.raises(LakeError, match="no manifest.json"):
        lake_connection(tmp_path)


def test_lake_files_are_readable_by_their_owner_only(practice, tmp_path):
    db, _ = practice
    lake = tmp_path / "lake"
    umask = os.umask(0o022)  # the lake holds PHI however the shell was set
    try:
        export_lake(db, lake)
    finally:
        os.umask(umask)

    modes = {(path.is_dir(), path.stat().st_mode & 0o777) for path in [lake, *lake.rglob("*")]}
    assert modes == {(True, 0o700), (False, 0o600)}


def test_every_layout_names_a_lake_table_and_keys_its_folders_apart_from_its_columns():
    columns = {(table, column) for table, column, _ in database.schema_columns()}

    assert set(LAYOUTS) <= set(LAKE_TABLES)
    assert [(table, key) for table, layout in LAYOUTS.items() for key, _ in layout.partitions if (table, key) in columns] == []
