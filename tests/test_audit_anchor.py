"""Tamper evidence without the key beside the database: with $CLAIMSCOPE_AUDIT_KEY_FILE in another folder, every
tampering its editor can do fails `claimscope audit-log --verify` and is named; with the key beside the database
(the default, the demo), verify says plainly that the evidence is weak, and still catches what it can."""

import hashlib
import hmac
import json
import os
import secrets
import shutil
import stat
import threading
from datetime import datetime

import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.access import audit_head, audit_trail
from etl.cli import app
from tests.conftest import REPO

ENTRIES = 5


def verify(db) -> tuple[int, str]:
    """Exit code and output, its lines joined, since the console wraps long ones."""
    result = CliRunner().invoke(app, ["audit-log", "--db", str(db), "--verify"])
    return result.exit_code, " ".join(result.output.split())


def write_entries(db, count: int) -> None:
    with database.write_connection(db, tables=("audit_log",)) as con:
        for _ in range(count):
            audit_trail.record(con, "dana", "biller", "page_view", ["denials"])


def sql(db, *statements) -> None:
    with database.connect_with_retry(db, read_only=False) as con:
        for statement in statements:
            con.execute(statement)


def rechain(db, signing_key: bytes | None) -> None:
    """Recompute every hash and link with a key the editor holds, or plain SHA-256 with none."""
    with database.connect_with_retry(db, read_only=False) as con:
        prev_hash = ""
        for row in con.execute("select * from audit_log order by entry_id").fetchall():
            entry_hash = audit_trail.entry_digest(signing_key, *row[:7], prev_hash)
            con.execute("update audit_log set prev_hash = ?, entry_hash = ? where entry_id = ?", [prev_hash, entry_hash, row[0]])
            prev_hash = entry_hash


def beside(db, suffix: str):
    """A file the database's editor can reach: in the database's folder."""
    return db.with_name(f"{db.name}{suffix}")


def sidecars(db) -> list:
    return [path for path in (db, beside(db, ".wal"), beside(db, ".audit-head"), beside(db, ".audit-key")) if path.exists()]


@pytest.fixture
def data_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path, monkeypatch):
    """The key in a folder of its own, as the README tells the operator to set it up."""
    vault = tmp_path / "vault"
    vault.mkdir(mode=0o700)
    monkeypatch.setenv(audit_head.KEY_FILE_VARIABLE, str(vault / "claimscope.audit-key"))
    return vault


@pytest.fixture
def anchored(data_folder, outside):
    db = data_folder / "practice.duckdb"
    write_entries(db, ENTRIES)
    return db


@pytest.fixture
def weak(data_folder, monkeypatch):
    monkeypatch.delenv(audit_head.KEY_FILE_VARIABLE, raising=False)
    db = data_folder / "practice.duckdb"
    write_entries(db, ENTRIES)
    return db


def test_with_the_key_outside_an_intact_log_says_intact_and_nothing_of_it_sits_beside_the_database(anchored, outside):
    code, output = verify(anchored)

    assert code == 0 and f"Audit log intact: {ENTRIES} entries" in output and "outside the database's folder" in output
    assert not beside(anchored, ".audit-key").exists() and not beside(anchored, ".audit-head").exists()
    kept = sorted(path.name for path in outside.iterdir())
    assert kept[0] == "claimscope.audit-key" and kept[1].startswith("claimscope.audit-key.practice.duckdb-") and len(kept) == 2
    assert all(stat.S_IMODE(os.stat(path).st_mode) == 0o600 for path in outside.iterdir())


def test_with_the_key_beside_the_database_verify_says_the_evidence_is_weak_not_intact(weak):
    code, output = verify(weak)

    assert code == 0 and f"audit log's {ENTRIES} entries" in output
    assert "tamper evidence is weak" in output and "beside the database" in output and "intact" not in output


# Each tampering as the database's editor does it: plain SQL and the files in the database's folder, never the
# folder $CLAIMSCOPE_AUDIT_KEY_FILE is in. `older` is a copy of the database and its folder's files at entry 3.

def edit_an_entry(db, older):
    sql(db, "update audit_log set details = '{\"rows\": 400}' where entry_id = 2")


def delete_a_middle_entry(db, older):
    sql(db, "delete from audit_log where entry_id = 3")


def append_an_entry_with_a_plain_hash(db, older):
    with database.connect_with_retry(db, read_only=False) as con:
        last = con.execute("select entry_hash from audit_log where entry_id = ?", [ENTRIES]).fetchall()[0][0]
        row = (ENTRIES + 1, datetime(2026, 11, 26, 9, 0), "dana", "biller", "export", ["denials"], "{}", last)
        con.execute("insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row, audit_trail.entry_digest(None, *row)])


def edit_and_recompute_the_chain(db, older):
    sql(db, "update audit_log set user_name = 'sam' where entry_id = 2")
    rechain(db, None)


def delete_every_entry_and_the_checkpoint(db, older):
    sql(db, "delete from audit_log")
    beside(db, ".audit-head").unlink(missing_ok=True)


def cut_the_tail_and_put_an_older_checkpoint_back(db, older):
    sql(db, "delete from audit_log where entry_id > 3")
    if (older_head := older / f"{db.name}.audit-head").exists():
        shutil.copy(older_head, beside(db, ".audit-head"))


def recompute_the_chain_delete_the_checkpoint_and_write(db, older):
    rechain(db, None)
    beside(db, ".audit-head").unlink(missing_ok=True)
    write_entries(db, 1)


def roll_back_the_database_with_its_checkpoint(db, older):
    for path in sidecars(db):
        path.unlink()
    for path in older.iterdir():
        shutil.copy(path, db.with_name(path.name))


def recompute_the_chain_with_the_key_in_the_folder(db, older):
    # with the key outside there is none in the folder: the editor can only make one up
    key_file = beside(db, ".audit-key")
    signing_key = key_file.read_bytes().strip() if key_file.exists() else secrets.token_bytes(32)
    sql(db, "update audit_log set user_name = 'sam' where entry_id = 2")
    rechain(db, signing_key)
    with database.read_connection(db) as con:
        last_hash = con.execute("select entry_hash from audit_log where entry_id = ?", [ENTRIES]).fetchall()[0][0]
    signed = [ENTRIES, last_hash, 1]
    signature = hmac.new(signing_key, json.dumps(signed).encode(), hashlib.sha256).hexdigest()
    beside(db, ".audit-head").write_text(json.dumps({"entry_id": ENTRIES, "entry_hash": last_hash, "keyed_from": 1,
                                                     "signature": signature}))


def delete_key_and_checkpoint_recompute_the_chain_and_write(db, older):
    beside(db, ".audit-key").unlink(missing_ok=True)
    beside(db, ".audit-head").unlink(missing_ok=True)
    rechain(db, None)
    write_entries(db, 1)


# (tampering, what verify names with the key outside, what it names with the key beside or None: not caught there)
TAMPERING = [
    (edit_an_entry, "altered, removed or inserted", "altered, removed or inserted"),
    (delete_a_middle_entry, "altered, removed or inserted", "altered, removed or inserted"),
    (append_an_entry_with_a_plain_hash, "forged by someone without the log's key", "forged by someone without the log's key"),
    (edit_and_recompute_the_chain, "forged by someone without the log's key", "forged by someone without the log's key"),
    (delete_every_entry_and_the_checkpoint, "every entry was deleted", "the checkpoint was deleted"),
    (cut_the_tail_and_put_an_older_checkpoint_back, "the tail was cut, or the database was rolled back", None),
    (recompute_the_chain_delete_the_checkpoint_and_write, "forged by someone without the log's key", "the checkpoint was deleted"),
    (roll_back_the_database_with_its_checkpoint, "the tail was cut, or the database was rolled back", None),
    (recompute_the_chain_with_the_key_in_the_folder, "altered, removed or inserted", None),
    (delete_key_and_checkpoint_recompute_the_chain_and_write, "forged by someone without the log's key", None),
]


@pytest.fixture
def logged_with_a_copy_at_entry_3(data_folder, tmp_path):
    """Five entries, and the database's folder as it was at entry 3 (the older copy a rollback restores)."""
    db = data_folder / "practice.duckdb"
    write_entries(db, 3)
    older = tmp_path / "older"
    older.mkdir()
    for path in sidecars(db):
        shutil.copy(path, older / path.name)
    write_entries(db, ENTRIES - 3)
    return db, older


@pytest.mark.parametrize("tampering, named, _", TAMPERING, ids=[case[0].__name__ for case in TAMPERING])
def test_with_the_key_outside_every_tampering_fails_verify_and_is_named(outside, logged_with_a_copy_at_entry_3, tampering, named, _):
    db, older = logged_with_a_copy_at_entry_3
    assert verify(db)[0] == 0

    tampering(db, older)
    code, output = verify(db)

    assert code == 1 and named in output, output


@pytest.mark.parametrize("tampering, _, named", TAMPERING, ids=[case[0].__name__ for case in TAMPERING])
def test_with_the_key_beside_the_database_verify_catches_what_it_can_and_says_weak_otherwise(monkeypatch, logged_with_a_copy_at_entry_3, tampering, _, named):
    monkeypatch.delenv(audit_head.KEY_FILE_VARIABLE, raising=False)
    db, older = logged_with_a_copy_at_entry_3

    tampering(db, older)
    code, output = verify(db)

    if named is None:  # whoever holds the key forges what it signs: verify must not call that intact
        assert code == 0 and "tamper evidence is weak" in output and "intact" not in output, output
    else:
        assert code == 1 and named in output, output


def test_a_checkpoint_missing_from_the_folder_outside_fails_verify_and_no_writer_replaces_it(anchored):
    audit_head.head_file(anchored).unlink()

    code, output = verify(anchored)

    assert code == 1 and "is missing, so a cut tail cannot be ruled out" in output
    sql(anchored, "delete from audit_log where entry_id = 5")
    write_entries(anchored, 1)  # a writer must not anchor the log again over a cut it cannot see
    code, output = verify(anchored)
    assert code == 1 and "is missing" in output and not audit_head.head_file(anchored).exists()


def test_a_log_keyed_beside_the_database_moves_outside_on_its_next_write_and_a_rewrite_with_its_old_key_is_named(weak, outside, monkeypatch):
    monkeypatch.setenv(audit_head.KEY_FILE_VARIABLE, str(outside / "claimscope.audit-key"))
    old_key = beside(weak, ".audit-key").read_bytes().strip()
    write_entries(weak, 1)  # the operator set the variable; the next write anchors the log outside

    code, output = verify(weak)
    assert code == 0 and f"Audit log intact: {ENTRIES + 1} entries" in output

    # the old key still sits beside the database: an entry rewritten with it breaks the pinned hash
    sql(weak, "update audit_log set user_name = 'sam' where entry_id = 2")
    rechain(weak, old_key)
    code, output = verify(weak)
    assert code == 1 and "old key beside the database" in output, output


def test_an_entry_written_by_a_process_without_the_variable_is_named(anchored, monkeypatch, data_folder):
    monkeypatch.delenv(audit_head.KEY_FILE_VARIABLE)
    write_entries(anchored, 1)  # the loader, say, started without CLAIMSCOPE_AUDIT_KEY_FILE

    monkeypatch.setenv(audit_head.KEY_FILE_VARIABLE, str(data_folder.parent / "vault" / "claimscope.audit-key"))
    code, output = verify(anchored)

    assert code == 1 and f"breaks at entry {ENTRIES + 1}" in output and "run without $CLAIMSCOPE_AUDIT_KEY_FILE" in output, output


@pytest.mark.parametrize("key_outside", [True, False], ids=["outside", "beside"])
def test_parallel_first_writes_to_a_new_log_start_one_checkpoint_and_verify(data_folder, outside, monkeypatch, key_outside):
    if not key_outside:
        monkeypatch.delenv(audit_head.KEY_FILE_VARIABLE)
    db = data_folder / "practice.duckdb"
    with database.connect_with_retry(db, read_only=False) as con:  # the table alone: no writer has anchored it yet
        con.execute((REPO / "sql" / "schema" / "audit_log.sql").read_text())
    start = threading.Barrier(8)
    failed = []

    def first_write() -> None:
        start.wait()
        try:
            with database.write_connection(db, tables=("audit_log",)) as con:
                audit_trail.record(con, "dana", "biller", "login")
        except Exception as error:  # the page that wrote it would show a traceback
            failed.append(error)
    threads = [threading.Thread(target=first_write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    code, output = verify(db)
    assert failed == []
    assert code == 0 and ("intact: 8 entries" if key_outside else "audit log's 8 entries") in output, output
