"""Files that hold PHI are private, secrets stay out of git, and a full disk, a read-only file or a locked database is
one clear line and exit 2 on every command."""

import os
import stat
import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.cli import app
from tests.conftest import REPO


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_and_its_wal_are_created_0600_and_an_older_0644_file_is_tightened(db_path):
    with database.write_connection(db_path, tables=("audit_log",)) as con:
        con.execute("insert into audit_log values (1, now()::timestamp, 'a', null, 'login', [], '{}', '', 'x')")
        assert mode(db_path) == 0o600 and mode(f"{db_path}.wal") == 0o600

    db_path.chmod(0o644)
    with database.write_connection(db_path, tables=("audit_log",)):
        pass
    assert mode(db_path) == 0o600


def test_streamlit_secrets_are_ignored_by_git():
    checked = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=REPO)
    assert checked.returncode == 0


# What DuckDB and the OS say in each case, as seen on a full tmpfs and a read-only mount
FULL_DISK = 'TransactionContext Error: Failed to commit: Could not write file "x.duckdb.wal": No space left on device'
READ_ONLY = 'IO Error: Cannot open file "x.duckdb": Read-only file system'
COMMANDS = [["tables"], ["rebuild"], ["validate"], ["kpis"], ["audit-log", "--verify"], ["reference", "versions"],
            ["work", "note", "W1", "called", "--by", "dana"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command[:2]))
@pytest.mark.parametrize("failure, words", [
    (duckdb.IOException(READ_ONLY), "read-only"),
    (duckdb.IOException(FULL_DISK), "the disk is full"),
])
def test_every_command_gives_one_clear_line_and_exit_2_when_the_database_cannot_be_written(db_path, monkeypatch, command, failure, words):
    def refuse(*args, **kwargs):
        raise failure

    monkeypatch.setattr(database, "connect_with_retry", refuse)
    result = CliRunner().invoke(app, [*command, "--db", str(db_path)])

    assert result.exit_code == 2 and result.output.count("\n") == 1 and words in result.output, result.output
    assert "Traceback" not in result.output


def test_a_failed_commit_hidden_behind_a_failed_rollback_is_still_named(db_path, monkeypatch):
    from etl.work import items

    def commit_fails(*args, **kwargs):
        try:
            raise duckdb.TransactionException(FULL_DISK)
        except duckdb.TransactionException:
            raise duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active")

    monkeypatch.setattr(items, "add_note", commit_fails)
    result = CliRunner().invoke(app, ["work", "note", "W1", "called", "--by", "dana", "--db", str(db_path)])

    assert result.exit_code == 2 and "the disk is full" in result.output and "\n" == result.output[-1], result.output


def test_a_full_disk_for_the_accounts_file_is_one_line(db_path, monkeypatch, tmp_path):
    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    result = CliRunner().invoke(app, ["users", "add", "kim", "--role", "admin", "--password", "a long enough secret",
                                      "--db", str(db_path)])

    assert result.exit_code == 2 and result.output.startswith("Error: the disk is full"), result.output


def test_a_database_locked_by_another_process_is_one_line_after_the_lock_timeout(db_path, monkeypatch):
    with database.write_connection(db_path):
        pass
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, sys; con = duckdb.connect({str(db_path)!r}); "
                               "print('held', flush=True); sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(database, "LOCK_TIMEOUT_SECONDS", 0.3)
        result = CliRunner().invoke(app, ["tables", "--db", str(db_path)])
    finally:
        holder.communicate("")

    assert result.exit_code == 2 and "in use by another process" in result.output and result.output.count("\n") == 1, result.output
