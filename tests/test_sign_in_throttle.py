"""The sign-in throttle holds under concurrent guesses, from threads and from processes, and answers a name that is
no account exactly as it answers an account's, password check included."""

import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import argon2
import pytest

from dashboard import session
from etl import db as database
from etl.access import accounts, audit_trail
from tests.conftest import REPO

PASSWORD = "correct horse battery"


@pytest.fixture
def users(tmp_path):
    path = tmp_path / "users.json"
    accounts.add_user(path, "dana", "biller", PASSWORD)
    return path


@pytest.fixture
def clock(monkeypatch):
    """A clock that stands still unless the test moves it."""
    now = [datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)]
    monkeypatch.setattr(accounts, "clock", lambda: now[0])
    return now


@pytest.fixture
def password_checks(monkeypatch):
    """The argon2id hashes checked (an account's, or the dummy one for a name that is no account), in order."""
    checked = []
    real = argon2.PasswordHasher.verify

    def counted(hasher, stored, password):
        checked.append(stored)
        return real(hasher, stored, password)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", counted)
    return checked


def guess_at_once(users, name: str, count: int) -> list[accounts.SignIn]:
    """`count` wrong passwords for one name, each on its own thread, released together."""
    start = threading.Barrier(count)
    results = [None] * count

    def guess(number: int) -> None:
        start.wait()
        results[number] = accounts.authenticate(users, name, f"wrong password {number}")
    threads = [threading.Thread(target=guess, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_20_concurrent_wrong_guesses_record_20_failures(users, clock, monkeypatch):
    monkeypatch.setattr(accounts, "FREE_FAILURES", 100)  # no wait, so every guess reaches its password check
    monkeypatch.setattr(accounts, "LOCK_AFTER", 100)

    results = guess_at_once(users, "dana", 20)

    assert sorted(result.failures for result in results) == list(range(1, 21))
    assert {result.reason for result in results} == {"wrong password"}
    assert accounts.authenticate(users, "dana", "one more wrong one").failures == 21


def test_20_concurrent_wrong_guesses_check_only_the_5_passwords_the_throttle_allows(users, clock, password_checks):
    results = guess_at_once(users, "dana", 20)

    assert len(password_checks) == accounts.FREE_FAILURES == 5
    checked = sorted(result.failures for result in results if result.reason == "wrong password")
    assert checked == [1, 2, 3, 4, 5]
    waiting = [result for result in results if result.reason == "waiting after failed sign-ins"]
    assert len(waiting) == 15 and {(result.failures, result.wait_seconds) for result in waiting} == {(5, 5)}


def test_8_parallel_failed_sign_ins_each_get_an_answer_and_an_audit_entry(users, clock, db_path):
    with database.write_connection(db_path, tables=("audit_log",)):
        pass  # the dashboard makes its tables once at start (session._schema_applied), before any sign-in
    answered = []

    def sign_in_and_log(number: int) -> None:
        # as the dashboard does on each of its threads: check, then write the failure to the audit log
        result = accounts.authenticate(users, "dana", f"wrong password {number}")
        with database.write_connection(db_path, tables=("audit_log",)) as con:
            audit_trail.record(con, "dana", None, "login_failed", details={"reason": result.reason})
        answered.append(result)
    threads = [threading.Thread(target=sign_in_and_log, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answered) == 8
    with database.read_connection(db_path) as con:
        assert con.execute("select count(*) from audit_log where action = 'login_failed'").fetchall() == [(8,)]
        assert audit_trail.verify(con) is None


GUESSER = """
import sys, threading
from pathlib import Path
from etl.access import accounts
accounts.FREE_FAILURES = accounts.LOCK_AFTER = 100
start = threading.Barrier(10)
def guess():
    start.wait()
    accounts.authenticate(Path(sys.argv[1]), "dana", "wrong password")
threads = [threading.Thread(target=guess) for _ in range(10)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
"""


def test_wrong_guesses_from_two_processes_at_once_each_count(users):
    processes = [subprocess.Popen([sys.executable, "-c", GUESSER, str(users)], cwd=REPO) for _ in range(2)]

    assert [process.wait(timeout=300) for process in processes] == [0, 0]
    after = accounts.authenticate(users, "dana", "wrong password")
    assert after.failures == 20 and after.reason == "locked"  # 20 on file, so this one is refused unchecked


def answers(users, clock, name: str, password_checks: list) -> list[tuple[str, int]]:
    """What the sign-in form says to 8 wrong passwords (6 at once, then one after each wait), with how many passwords
    each one checked."""
    said = []
    for attempt in range(8):
        if attempt >= 6:
            clock[0] += timedelta(seconds=said_wait)
        before = len(password_checks)
        result = accounts.authenticate(users, name, "wrong password!")
        said.append((session.refusal(result), len(password_checks) - before))
        said_wait = result.wait_seconds
    return said


def test_an_unknown_name_gets_the_same_answers_and_password_checks_as_an_account(users, clock, password_checks):
    account = answers(users, clock, "dana", password_checks)
    unknown = answers(users, clock, "dana.smith", password_checks)

    assert unknown == account
    assert [checks for _, checks in account] == [1, 1, 1, 1, 1, 0, 1, 1]
    assert "After 5 failed sign-ins, wait 5 seconds" in account[4][0] and account[5][0] == account[4][0][len("Wrong user name or password. "):]
    assert "After 7 failed sign-ins, wait 20 seconds" in account[7][0]


def test_a_name_tried_is_kept_only_as_a_keyed_hash(users, clock):
    accounts.authenticate(users, "correct horse battery staple", "")

    kept = accounts.sign_ins_file(users).read_text()

    assert "horse" not in kept and accounts.authenticate(users, "correct horse battery staple", "").failures == 2


def test_a_success_and_a_reset_each_clear_the_failures(users, clock):
    for _ in range(4):
        accounts.authenticate(users, "dana", "wrong password!")
    assert accounts.authenticate(users, "dana", PASSWORD).user == accounts.User("dana", "biller")
    assert accounts.authenticate(users, "dana", "wrong password!").failures == 1

    for _ in range(4):
        accounts.authenticate(users, "dana", "wrong password!")
    accounts.add_user(users, "dana", "biller", PASSWORD)
    assert accounts.authenticate(users, "dana", "wrong password!").failures == 1


@pytest.mark.parametrize("name", ["dana", "nobody"])
def test_failures_are_forgotten_a_day_after_the_last_for_every_name(users, clock, name):
    for _ in range(4):
        accounts.authenticate(users, name, "wrong password!")

    clock[0] += timedelta(hours=accounts.FORGET_HOURS, seconds=1)

    assert accounts.authenticate(users, name, "wrong password!").failures == 1
