"""A database attached to a Parquet lake (etl/lake_attach.py): the pages and the CLI read the lake's claims and ledger
through DuckDB views and show the figures the database it came from shows; files go to the lake, not into it."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.cli import app
from etl.lake import LakeError, export_lake
from etl.lake_attach import attach_lake
from etl.load import load_files
from etl.reports.worklist import worklist_rows
from etl.work import items
from tests.conftest import FIXTURES, open_app

AS_OF = date(2026, 11, 26)


@pytest.fixture
def lake(tmp_path) -> Path:
    """The hand-built worklist practice (tests/test_worklist.py) loaded and exported."""
    db, folder = tmp_path / "practice.duckdb", tmp_path / "lake"
    load_files([FIXTURES / "worklist"], db)
    export_lake(db, folder)
    return folder


def test_an_attached_database_reads_the_lake_and_its_worklist_is_the_hand_computed_one(lake, tmp_path):
    attached = attach_lake(lake, tmp_path / "attached.duckdb")

    assert not attached.ledger_derived_here
    assert attached.tables["claims"] == 8 and attached.tables["claim_events"] > 0
    with database.read_connection(tmp_path / "attached.duckdb") as con:
        assert database.object_type(con, "claims") == "VIEW" and database.object_type(con, "work_items") == "BASE TABLE"
        rows = worklist_rows(con, AS_OF).select("claim_id", "balance_amount", "aging_bucket").rows()
    # the figures tests/test_worklist.py works out by hand
    assert rows == [("W1", Decimal("200.00"), "31-60"), ("W2", Decimal("300.00"), "91-120"),
                    ("W4", Decimal("150.00"), "120+"), ("W6", Decimal("100.00"), "31-60")]


def test_the_overview_on_an_attached_database_shows_the_hand_computed_tiles(lake, tmp_path, monkeypatch):
    db = tmp_path / "attached.duckdb"
    attach_lake(lake, db)

    page = open_app(db, monkeypatch, "manager")
    page.date_input(key="as_of").set_value(AS_OF).run()

    assert not page.exception
    tiles = {metric.label: metric.value for metric in page.metric}
    # the same figures tests/test_kpis.py works out by hand from the database itself
    assert (tiles["Initial denial rate"], tiles["Open insurance A/R"], tiles["Gross charges"]) == ("20.0%", "$750", "$1,170")


def test_a_biller_works_a_claim_of_the_lake_in_the_database(lake, tmp_path):
    db = tmp_path / "attached.duckdb"
    attach_lake(lake, db)

    with database.write_connection(db) as con:
        items.set_status(con, ["W2"], "in_progress", items.Actor("dana", None))
    with database.read_connection(db) as con:
        assert database.scalar(con, "select status from work_items where claim_id = 'W2'") == "in_progress"


def test_files_are_refused_by_an_attached_database_with_the_way_to_load_them(lake, tmp_path):
    db = tmp_path / "attached.duckdb"
    attach_lake(lake, db)

    result = CliRunner().invoke(app, ["load", str(FIXTURES / "x12_public"), "--db", str(db)])

    assert result.exit_code == 1
    assert "claimscope spark load" in " ".join(result.output.split())
    with database.read_connection(db) as con:
        assert database.scalar(con, "select count(*) from claims") == 8


def test_a_lake_without_a_ledger_has_it_derived_at_attach_to_the_same_figures(lake, tmp_path):
    manifest = json.loads((lake / "manifest.json").read_text())
    for table in database.ledger_table_names():
        manifest["tables"].pop(table, None)
    (lake / "manifest.json").write_text(json.dumps(manifest))
    db = tmp_path / "attached.duckdb"

    attached = attach_lake(lake, db)

    assert attached.ledger_derived_here
    with database.read_connection(db) as con:
        assert database.object_type(con, "claim_events") == "BASE TABLE"
        assert worklist_rows(con, AS_OF)["balance_amount"].sum() == Decimal("750.00")  # 200 + 300 + 100 + 150


def test_a_ledger_built_by_other_rules_is_refused(lake, tmp_path):
    [listed] = json.loads((lake / "manifest.json").read_text())["tables"]["ledger_versions"]["partitions"][""]["files"]
    file = lake / "ledger_versions" / listed
    duckdb.sql(f"copy (select 3::integer as version, timestamp '2026-01-01' as rebuilt_at) to '{file}' (format parquet)")

    with pytest.raises(LakeError, match="version 3"):
        attach_lake(lake, tmp_path / "attached.duckdb")


def test_attaching_again_reads_the_files_a_later_export_wrote(lake, tmp_path):
    db = tmp_path / "attached.duckdb"
    attach_lake(lake, db)
    practice = lake.parent / "practice.duckdb"
    load_files([FIXTURES / "x12_public"], practice)
    export_lake(practice, lake)

    again = CliRunner().invoke(app, ["attach", str(lake), "--db", str(db)])

    assert again.exit_code == 0, again.output
    with database.read_connection(db) as con, database.read_connection(practice) as source:
        for table in ("claims", "remit_claims", "claim_states"):
            assert database.scalar(con, f"select count(*) from {table}") == database.scalar(source, f"select count(*) from {table}")


def test_a_worksheet_uploaded_on_an_attached_database_is_refused_on_screen(lake, tmp_path, monkeypatch):
    db = tmp_path / "attached.duckdb"
    attach_lake(lake, db)
    page = open_app(db, monkeypatch, "auditor", page="views/coder_accuracy.py")

    worksheet = ("claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact\n"
                 "W1,C1,AU1,2026-11-20,CPT,99213,99213,agree,0.00\n").encode()
    page.file_uploader[0].set_value(("worksheet.csv", worksheet, "text/csv")).run()
    next(button for button in page.button if button.label == "Load worksheet").click().run()

    assert not page.exception
    shown = " ".join(message.value for message in [*page.warning, *page.error])
    assert "worksheet.csv: nothing loaded" in shown and "claimscope spark load" in shown
    with database.read_connection(db) as con:
        assert database.scalar(con, "select count(*) from coding_audits") == 0
