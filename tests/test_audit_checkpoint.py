"""The audit log's keyed chain and its signed checkpoint outside the database: `claimscope audit-log --verify` finds an
updated, deleted, inserted or cut entry, an emptied or dropped log and a recomputed chain, while a rolled-back work
change, a committed one and an upgraded database's old entries all verify."""

import json
import os
import stat
from datetime import datetime

import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.access import audit_head, audit_trail
from etl.cli import app
from etl.load import load_files
from etl.work import items
from etl.work.items import Actor
from tests.conftest import FIXTURES

ENTRIES = 5


@pytest.fixture
def logged(db_path):
    """A database whose audit log has five entries, written as the dashboard writes them."""
    with database.write_connection(db_path, tables=("audit_log",)) as con:
        for number in range(1, ENTRIES + 1):
            audit_trail.record(con, "dana", "biller", "page_view", ["denials"], {"number": number})
    return db_path


def verify(db):
    return CliRunner().invoke(app, ["audit-log", "--db", str(db), "--verify"])


def tamper(db, *statements):
    """Change the log as someone with the database but not its key file would: plain SQL."""
    with database.connect_with_retry(db, read_only=False) as con:
        for statement in statements:
            con.execute(statement)


def plain_hash(row) -> str:
    return audit_trail.entry_digest(None, *row)


def rechain(db, from_id: int) -> None:
    """Recompute every hash and link from an entry on, the way a forger without the key can: plain SHA-256."""
    with database.connect_with_retry(db, read_only=False) as con:
        rows = con.execute("select * from audit_log order by entry_id").fetchall()
        prev_hash = rows[from_id - 2][-1] if from_id > 1 else ""
        for row in rows[from_id - 1:]:
            entry_hash = plain_hash((*row[:7], prev_hash))
            con.execute("update audit_log set prev_hash = ?, entry_hash = ? where entry_id = ?", [prev_hash, entry_hash, row[0]])
            prev_hash = entry_hash


def test_an_intact_log_verifies_and_its_checkpoint_and_key_are_private_files(logged):
    result = verify(logged)

    assert result.exit_code == 0 and f"{ENTRIES} entries" in result.output, result.output
    head = json.loads(audit_head.head_file(logged).read_text())
    assert head["entry_id"] == ENTRIES
    for path in (audit_head.head_file(logged), audit_head.key_file(logged)):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("statements, entry, words", [
    (["update audit_log set details = '{\"number\": 40}' where entry_id = 2"], 2, "altered, removed or inserted"),
    (["delete from audit_log where entry_id = 3"], 3, "altered, removed or inserted"),
    ([f"delete from audit_log where entry_id = {ENTRIES}"], ENTRIES, "1 entries were removed from the end"),
    (["delete from audit_log where entry_id >= 4"], 4, "2 entries were removed from the end"),
    (["delete from audit_log"], 1, f"{ENTRIES} entries were removed from the end"),
    (["drop table audit_log"], 1, f"{ENTRIES} entries were removed from the end"),
], ids=["updated", "deleted", "removed-last", "cut-tail", "all-deleted", "table-dropped"])
def test_verify_finds_each_change_to_the_log(logged, statements, entry, words):
    tamper(logged, *statements)

    result = verify(logged)

    assert result.exit_code == 1 and f"breaks at entry {entry}" in result.output and words in result.output, result.output


def test_verify_finds_an_entry_inserted_at_the_end_with_a_chained_hash(logged):
    with database.connect_with_retry(logged, read_only=False) as con:
        last = con.execute("select entry_hash from audit_log where entry_id = ?", [ENTRIES]).fetchall()[0][0]
        row = (ENTRIES + 1, datetime(2026, 11, 26, 9, 0), "dana", "biller", "export", ["denials"], "{}", last)
        con.execute("insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row, plain_hash(row)])

    result = verify(logged)

    assert result.exit_code == 1 and f"breaks at entry {ENTRIES + 1}" in result.output, result.output


def test_verify_finds_an_edit_whose_chain_was_recomputed(logged):
    tamper(logged, "update audit_log set user_name = 'sam' where entry_id = 2")
    rechain(logged, 2)

    result = verify(logged)

    assert result.exit_code == 1 and "breaks at entry 2" in result.output, result.output


def test_verify_finds_a_cut_tail_whose_checkpoint_was_removed_or_edited(logged):
    tamper(logged, f"delete from audit_log where entry_id = {ENTRIES}")
    head = audit_head.head_file(logged)
    stored = json.loads(head.read_text())
    head.write_text(json.dumps({**stored, "entry_id": ENTRIES - 1}))
    assert "not signed with the log's key" in verify(logged).output

    head.unlink()
    result = verify(logged)
    assert result.exit_code == 1 and "is missing, so a cut tail cannot be ruled out" in result.output
    with database.write_connection(logged, tables=("audit_log",)) as con:  # a later writer does not paper over it
        audit_trail.record(con, "dana", "biller", "page_view", ["denials"])
    assert verify(logged).exit_code == 1 and not head.exists()


@pytest.fixture
def practice(db_path):
    load_files([FIXTURES / "worklist"], db_path, validate=False)
    return db_path


def test_a_rolled_back_work_change_leaves_the_log_verifiable_and_a_committed_one_moves_the_checkpoint(practice):
    with database.write_connection(practice) as con:
        con.execute("begin")
        items.change(con, ["W1"], "status", "in_progress", Actor("dana", "biller"))
        con.execute("rollback")
    with pytest.raises(RuntimeError), database.write_connection(practice) as con:
        con.execute("begin")  # left open by a failure, as a crash inside a change would
        items.change(con, ["W1"], "status", "in_progress", Actor("dana", "biller"))
        raise RuntimeError("the change fails after its audit entry")
    assert verify(practice).exit_code == 0

    changed = CliRunner().invoke(app, ["work", "status", "W1", "--status", "in_progress", "--by", "dana", "--db", str(practice)])
    assert changed.exit_code == 0, changed.output
    with database.read_connection(practice) as con:
        last = con.execute("select max(entry_id) from audit_log").fetchall()[0][0]
    assert json.loads(audit_head.head_file(practice).read_text())["entry_id"] == last
    tamper(practice, f"delete from audit_log where entry_id = {last}")
    assert "removed from the end" in verify(practice).output


def test_entries_committed_before_the_checkpoint_moved_still_verify(logged):
    """A loader's batch commits its audit entries and may be killed before a checkpoint is written: they are keyed, so
    they verify, and the next writer anchors them."""
    with database.connect_with_retry(logged, read_only=False) as con:
        con.execute("begin")
        audit_trail.append(con, "claimscope load", None, "work_change", ["W1"], {"field": "status"})
        con.execute("commit")
    assert json.loads(audit_head.head_file(logged).read_text())["entry_id"] == ENTRIES
    assert verify(logged).exit_code == 0

    with database.write_connection(logged, tables=("audit_log",)):
        pass
    assert json.loads(audit_head.head_file(logged).read_text())["entry_id"] == ENTRIES + 1


def test_an_upgraded_database_keeps_its_plain_entries_and_is_anchored_on_its_next_write(db_path):
    with database.write_connection(db_path, tables=("audit_log",)) as con:  # as the release before checkpoints wrote
        prev_hash = ""
        for entry_id in (1, 2):
            row = (entry_id, datetime(2026, 11, 1, 8, entry_id), "dana", "biller", "login", [], "{}", prev_hash)
            prev_hash = plain_hash(row)
            con.execute("insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row, prev_hash])
    audit_head.head_file(db_path).unlink()
    audit_head.key_file(db_path).unlink()
    assert "is missing" in verify(db_path).output  # not yet anchored: nothing vouches for its tail

    with database.write_connection(db_path, tables=("audit_log",)) as con:
        audit_trail.record(con, "dana", "biller", "page_view", ["denials"])
    assert verify(db_path).exit_code == 0
    tamper(db_path, "delete from audit_log where entry_id = 3")
    assert "removed from the end" in verify(db_path).output
