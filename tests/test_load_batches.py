"""Many small files load in one transaction per batch, and each file stays whole: a bad file is quarantined, a file
whose insert fails leaves nothing of itself, and a load killed mid-batch leaves the database as it was."""

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

import etl.ledger
import etl.load.writing
from etl.load import load_files
from tests.conftest import FIXTURES, REPO, scalar, snapshot

TEMPLATE = (FIXTURES / "x12" / "cob_sunrise.835").read_text()  # one claim C3: 60.00 charged, 48.00 paid
BAD = {
    7: ("CLP*K7*1*60*48*", "CLP*K7*1*60*4X8*", "non-numeric amount in paid: '4X8'"),
    19: ("CAS*PR*2*12", "CAS*ZZ*2*12", "the adjustment group (CAS01, or the group_code column of a CSV) is 'ZZ', not one of CO, PR, OA, PI or CR"),
    33: ("DTM*232*20261017", "DTM*232*20261399", "impossible date in DTM02: '20261399'"),
}


def small_remits(folder: Path, count: int = 50) -> list[Path]:
    """count one-claim 835s, K0..K49, each its own cheque; files 7, 19 and 33 carry one bad value each."""
    folder.mkdir(exist_ok=True)
    paths = []
    for number in range(count):
        text = TEMPLATE.replace("CLP*C3*", f"CLP*K{number}*").replace("EFT48", f"EFT48N{number}")
        if number in BAD:
            old, new, _ = BAD[number]
            assert old in text
            text = text.replace(old, new)
        path = folder / f"remit_{number:02}.835"
        path.write_text(text)
        paths.append(path)
    return paths


def test_fifty_small_files_load_in_one_batch_and_the_three_bad_ones_are_quarantined(tmp_path, db_path, monkeypatch):
    load_files([FIXTURES / "x12" / "cob_two_billing_providers.837p"], db_path)  # a ledger exists: the batch refreshes it
    refreshes = []
    real_refresh = etl.ledger.refresh
    monkeypatch.setattr(etl.ledger, "refresh", lambda con, ids: (refreshes.append(len(set(ids))), real_refresh(con, ids)))

    results = load_files(small_remits(tmp_path / "remits"), db_path)

    assert [result.status for result in results].count("loaded") == 47
    # a structural error rejects the whole set; a failed expectation takes the claim, and its cheque still loads
    assert {Path(result.path).name: result.status for result in results if result.status != "loaded"} == {
        "remit_07.835": "rejected", "remit_19.835": "partial", "remit_33.835": "rejected",
    }
    assert refreshes == [47]  # one refresh for the whole batch, of the 47 claims it loaded
    # 47 claims of 48.00 each
    assert scalar(db_path, "select [count(*)::varchar, sum(paid)::varchar] from remit_claims") == ["47", "2256.00"]
    reasons = scalar(db_path, "select list([source_file, reason] order by source_file) from quarantine_records")
    assert [(Path(file).name, expected in reason) for (file, reason), (_, _, expected) in zip(reasons, BAD.values())] == [
        ("remit_07.835", True), ("remit_19.835", True), ("remit_33.835", True),
    ]
    assert scalar(db_path, "select count(*) from source_files") == 51


def test_a_file_whose_insert_fails_leaves_nothing_while_the_rest_of_its_batch_loads(tmp_path, db_path, monkeypatch):
    paths = small_remits(tmp_path / "remits")
    real_insert = etl.load.writing.insert_frame

    def failing_insert(con, table, incoming):
        # an injected fault: the insert of the file holding claim K25 breaks, whichever batch it is in
        if table == "remit_claims" and "K25" in incoming["claim_id"].to_list():
            raise duckdb.ConstraintException("injected fault while inserting K25")
        real_insert(con, table, incoming)

    monkeypatch.setattr(etl.load.writing, "insert_frame", failing_insert)
    results = load_files(paths, db_path)

    failed = [result for result in results if result.status == "failed"]
    assert [Path(result.path).name for result in failed] == ["remit_25.835"]
    assert "injected fault while inserting K25" in failed[0].message
    # the 46 other good files loaded, once each; nothing of K25 anywhere
    assert scalar(db_path, "select [count(*)::varchar, count(distinct claim_id)::varchar, sum(paid)::varchar] from remit_claims") == [
        "46", "46", "2208.00",
    ]
    assert scalar(db_path, "select count(*) from remit_payments where trace_number = 'EFT48N25'") == 0
    assert scalar(db_path, "select count(*) from source_files where path like '%remit_25.835'") == 0
    assert scalar(db_path, "select count(*) from source_files") == 49


KILLER = """
import os, signal, sys
from pathlib import Path
import etl.load.writing

real_insert = etl.load.writing.insert_frame

def insert_then_die(con, table, incoming):
    real_insert(con, table, incoming)
    if table == "remit_adjustments" and incoming.height > 1:  # mid-batch: some tables written, nothing committed
        os.kill(os.getpid(), signal.SIGKILL)

if __name__ == "__main__":
    etl.load.writing.insert_frame = insert_then_die
    etl.load.load_files([Path(sys.argv[1])], sys.argv[2])
"""


def test_a_load_killed_mid_batch_leaves_the_database_as_it_was_and_a_rerun_completes(tmp_path, db_path):
    remits = tmp_path / "remits"
    small_remits(remits)
    load_files([FIXTURES / "x12" / "cob_two_billing_providers.837p"], db_path)
    before = snapshot(db_path)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)

    killed = subprocess.run([sys.executable, str(script), str(remits), str(db_path)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})

    assert killed.returncode == -signal.SIGKILL
    assert snapshot(db_path) == before
    load_files([remits], db_path)
    clean = tmp_path / "clean.duckdb"
    load_files([FIXTURES / "x12" / "cob_two_billing_providers.837p"], clean)
    load_files([remits], clean)
    for sql in ("select count(*) from source_files", "select count(distinct sha256) from source_files",
                "select [count(*)::varchar, sum(paid)::varchar] from remit_claims", "select count(*) from remit_adjustments",
                "select sum(balance_amount) from claim_balances(date '2026-11-30')"):
        assert scalar(db_path, sql) == scalar(clean, sql), sql
    assert scalar(db_path, "select sum(paid) from remit_claims") == Decimal("2256.00")


def test_parse_workers_never_run_the_script_that_started_the_load(tmp_path, db_path, monkeypatch):
    """Under the dashboard (or after an AppTest) __main__ is the Streamlit script; a spawned parse worker would run it
    again before it parsed anything. Here that script would leave a mark, and the batch must load without one."""
    import sys
    import types

    marker = tmp_path / "the script ran in a worker"
    script = tmp_path / "script.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit('the script ran in a worker')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)

    results = load_files(small_remits(tmp_path / "remits"), db_path)  # 50 files: enough for the worker processes

    assert [result.status for result in results].count("loaded") == 47
    assert not marker.exists() and sys.modules["__main__"] is main
