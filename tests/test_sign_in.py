"""Local sign-in: passwords of any length and script, old bcrypt hashes moved to argon2id, failed sign-ins slowed and
then locked and every one logged without what was typed, and a disabled account's open sessions ended."""

import json
import unicodedata
from datetime import datetime, timedelta, timezone

import bcrypt
import pytest
from typer.testing import CliRunner

from etl.access import accounts
from etl.cli import app
from tests.conftest import APP, scalar

# 100 characters, 139 bytes in UTF-8: past bcrypt's 72-byte limit, with two- and three-byte characters
LONG_PASSWORD = ("Grüße aus Köln, 東京 и Москва! " * 4)[:100]
assert len(LONG_PASSWORD) == 100 and len(LONG_PASSWORD.encode()) > 72


@pytest.fixture
def dashboard(db_path, monkeypatch, tmp_path):
    """The dashboard under AppTest with local accounts in tmp_path/users.json, a clock the test can move, and a
    function to sign in."""
    from streamlit.testing.v1 import AppTest

    users = tmp_path / "users.json"
    monkeypatch.setenv("CLAIMSCOPE_USERS", str(users))
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))
    monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)
    clock = [datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)]
    monkeypatch.setattr(accounts, "clock", lambda: clock[0])

    class Dashboard:
        page = AppTest.from_file(APP, default_timeout=60).run()

        def sign_in(self, name: str, password: str):
            self.page.text_input[0].input(name)
            self.page.text_input[1].input(password)
            self.page.button[0].click().run()
            return self.page

        def wait(self, seconds: float) -> None:
            clock[0] += timedelta(seconds=seconds)

    Dashboard.users, Dashboard.db = users, db_path
    return Dashboard()


def audit(db, action: str | None = None) -> list[tuple]:
    where = "" if action is None else f" where action = '{action}'"
    return scalar(db, f"select list((user_name, details) order by entry_id) from audit_log{where}") or []


def test_a_long_multibyte_password_set_with_the_cli_signs_in_and_is_kept_as_argon2id(dashboard):
    added = CliRunner().invoke(app, ["users", "add", "dana", "--role", "biller", "--db", str(dashboard.db)],
                               input=f"{LONG_PASSWORD}\n{LONG_PASSWORD}\n", env={"CLAIMSCOPE_USERS": str(dashboard.users)})
    assert added.exit_code == 0, added.output
    stored = json.loads(dashboard.users.read_text())["dana"]["password_hash"]
    assert stored.startswith("$argon2id$")

    # the same characters typed as decomposed accents (an input method's choice) are the same password
    page = dashboard.sign_in("dana", unicodedata.normalize("NFD", LONG_PASSWORD))

    assert page.title[0].value == "Work queue" and not page.exception
    assert accounts.authenticate(dashboard.users, "dana", LONG_PASSWORD[:-1] + "?").user is None


def test_an_old_bcrypt_hash_still_signs_in_and_is_rehashed_as_argon2id(tmp_path):
    users = tmp_path / "users.json"
    accounts.add_user(users, "sam", "auditor", "placeholder password")
    entries = json.loads(users.read_text())
    # bcrypt 4 hashed the first 72 bytes of a longer password and dropped the rest
    entries["sam"]["password_hash"] = bcrypt.hashpw(LONG_PASSWORD.encode()[:72], bcrypt.gensalt(4)).decode()
    users.write_text(json.dumps(entries))

    assert accounts.authenticate(users, "sam", LONG_PASSWORD).user == accounts.User("sam", "auditor")
    assert json.loads(users.read_text())["sam"]["password_hash"].startswith("$argon2id$")
    assert accounts.authenticate(users, "sam", LONG_PASSWORD).user is not None


def test_failed_sign_ins_are_slowed_after_5_and_lock_the_account_after_10_and_each_is_logged(dashboard):
    accounts.add_user(dashboard.users, "dana", "biller", "correct horse battery")
    for _ in range(4):
        assert "Wrong user name or password" in dashboard.sign_in("dana", "wrong password!").error[0].value
    fifth = dashboard.sign_in("dana", "wrong password!").error[0].value
    assert "After 5 failed sign-ins, wait 5 seconds" in fifth

    # within the wait even the right password is not checked: the attempt is refused and logged
    refused = dashboard.sign_in("dana", "correct horse battery")
    assert "wait 5 seconds" in refused.error[0].value and not refused.title[0].value == "Work queue"
    assert json.loads(audit(dashboard.db, "login_failed")[-1][1])["reason"] == "waiting after failed sign-ins"

    waits = []
    for _ in range(5):  # failures 6 to 10, each after the wait the one before set
        dashboard.wait(10 * 60)
        waits.append(dashboard.sign_in("dana", "wrong password!").error[0].value)
    assert "wait 10 seconds" in waits[0] and "wait 80 seconds" in waits[3]
    assert "this account is locked for 15 minutes" in waits[4]
    locked = audit(dashboard.db, "account_locked")
    assert [name for name, _ in locked] == ["dana"] and json.loads(locked[0][1]) == {"failures": 10, "minutes": 15}

    dashboard.wait(14 * 60)
    assert "locked" in dashboard.sign_in("dana", "correct horse battery").error[0].value
    dashboard.wait(61)
    assert dashboard.sign_in("dana", "correct horse battery").title[0].value == "Work queue"
    failed = audit(dashboard.db, "login_failed")
    assert len(failed) == 12 and {name for name, _ in failed} == {"dana"}
    assert accounts.authenticate(dashboard.users, "dana", "wrong password!").failures == 1  # the success cleared them


def test_a_password_typed_into_the_user_name_field_never_reaches_the_audit_log(dashboard):
    accounts.add_user(dashboard.users, "dana", "biller", "correct horse battery")

    page = dashboard.sign_in("correct horse battery", "")

    assert "Wrong user name or password" in page.error[0].value
    assert audit(dashboard.db, "login_failed") == [("unknown user", json.dumps(
        {"failures": 1, "reason": "unknown user", "wait_seconds": 0}, sort_keys=True))]
    everything = scalar(dashboard.db, "select string_agg(audit_log::varchar, '|') from audit_log")
    assert "unknown user" in everything and "horse" not in everything


def test_an_unknown_name_is_answered_like_an_account_and_logged_only_as_unknown_user(dashboard):
    accounts.add_user(dashboard.users, "dana", "biller", "correct horse battery")

    answers = {name: [dashboard.sign_in(name, "wrong password!").error[0].value for _ in range(6)]
               for name in ("dana", "dan")}

    assert answers["dan"] == answers["dana"]
    assert "After 5 failed sign-ins, wait 5 seconds" in answers["dan"][4] and "wait 5 seconds" in answers["dan"][5]
    assert [name for name, _ in audit(dashboard.db, "login_failed")] == ["dana"] * 6 + ["unknown user"] * 6


def test_a_disabled_account_loses_its_open_session_at_its_next_request(dashboard):
    accounts.add_user(dashboard.users, "dana", "biller", "correct horse battery")
    page = dashboard.sign_in("dana", "correct horse battery")
    assert page.title[0].value == "Work queue"

    disabled = CliRunner().invoke(app, ["users", "disable", "dana", "--db", str(dashboard.db)],
                                  env={"CLAIMSCOPE_USERS": str(dashboard.users)})
    assert disabled.exit_code == 0, disabled.output
    page.run()

    assert "your account was disabled" in page.info[0].value and not page.dataframe
    assert page.button[0].label == "Sign in"
    assert [name for name, _ in audit(dashboard.db, "session_ended")] == ["dana"]
