"""Sessions that outlive a reload: the signed cookie and the server's sessions (etl/access/web_sessions.py), and the
dashboard taking a session up from its cookie, or refusing it, with the audit trail (dashboard/session.py). The
browser's side (the cookie set HttpOnly, reloads, deep links) is tests/test_e2e_sessions.py."""

import os
import stat
import time

import pytest
import streamlit as st

from etl.access import accounts, web_sessions
from etl.access.policy import User
from tests.conftest import APP, scalar

DANA = User("dana", "biller")
KEY = b"a key for these tests only"


def test_a_cookie_names_its_session_until_the_session_ends():
    sessions = web_sessions.Sessions()
    session_id, ticket = sessions.start(DANA, KEY, "/claim?claim_id=W5")
    cookie, then_open = sessions.redeem(ticket)

    assert then_open == "/claim?claim_id=W5"
    assert sessions.find(cookie, KEY).user == DANA
    sessions.end(session_id)
    assert sessions.find(cookie, KEY) is None


@pytest.mark.parametrize("change", [
    lambda cookie: cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"),  # the signature altered
    lambda cookie: web_sessions.cookie_serializer(KEY).dumps("a session id guessed"),  # signed, but no such session
    lambda cookie: web_sessions.cookie_serializer(b"another key").dumps(cookie),  # signed with another key
    lambda cookie: "",
])
def test_an_altered_guessed_or_foreign_cookie_is_refused(change):
    sessions = web_sessions.Sessions()
    _, ticket = sessions.start(DANA, KEY, "/")
    cookie, _ = sessions.redeem(ticket)

    assert sessions.find(change(cookie), KEY) is None


def test_a_cookie_older_than_its_lifetime_is_refused_even_while_its_session_is_active(monkeypatch):
    sessions = web_sessions.Sessions()
    _, ticket = sessions.start(DANA, KEY, "/")
    cookie, _ = sessions.redeem(ticket)
    signed_at = time.time()

    monkeypatch.setattr(time, "time", lambda: signed_at + web_sessions.MAX_AGE_SECONDS + 2)

    assert sessions.find(cookie, KEY) is None


def test_a_ticket_sets_a_cookie_once_and_only_within_its_minute():
    clock = [1000.0]
    sessions = web_sessions.Sessions(clock=lambda: clock[0])
    _, ticket = sessions.start(DANA, KEY, "/")
    _, late_ticket = sessions.start(DANA, KEY, "/")

    assert sessions.redeem(ticket) is not None
    assert sessions.redeem(ticket) is None  # a ticket seen in the browser's history is spent
    clock[0] += web_sessions.TICKET_SECONDS + 1
    assert sessions.redeem(late_ticket) is None
    assert sessions.redeem("made up") is None


def test_the_signing_key_is_kept_beside_the_database_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAIMSCOPE_SESSION_KEY", raising=False)
    db = tmp_path / "practice.duckdb"

    made = web_sessions.signing_key(db)

    assert made == web_sessions.signing_key(db) and len(made) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "practice.duckdb.session-key").st_mode) == 0o600
    monkeypatch.setenv("CLAIMSCOPE_SESSION_KEY", "from the environment")
    assert web_sessions.signing_key(db) == b"from the environment"


@pytest.fixture
def browser_cookie(db_path, tmp_path, monkeypatch):
    """Dana's session as her browser's cookie, handed over as after a sign-in; and a way to open the dashboard, under
    AppTest, in a new tab that sends it (AppTest cannot send cookies, so st.context.cookies is replaced)."""
    from streamlit.testing.v1 import AppTest

    users = tmp_path / "users.json"
    accounts.add_user(users, "dana", "biller", "correct horse battery")
    monkeypatch.setenv("CLAIMSCOPE_USERS", str(users))
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))
    monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)
    monkeypatch.delenv("CLAIMSCOPE_SESSION_KEY", raising=False)
    _, ticket = web_sessions.SESSIONS.start(DANA, web_sessions.signing_key(db_path), "/")
    cookie, _ = web_sessions.SESSIONS.redeem(ticket)
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: {web_sessions.COOKIE: cookie}))

    class Browser:
        def open_tab(self):
            return AppTest.from_file(APP, default_timeout=60).run()

    Browser.users, Browser.db, Browser.cookie = users, db_path, cookie
    return Browser()


def audit(db, action: str) -> list:
    return scalar(db, f"select list(user_name order by entry_id) from audit_log where action = '{action}'") or []


def test_a_reload_takes_up_the_session_and_logs_it_and_the_landing_after_sign_in_does_not(browser_cookie):
    landing = browser_cookie.open_tab()  # the page the sign-in's redirect opens: the login is logged already
    reloaded = browser_cookie.open_tab()

    for tab in (landing, reloaded):
        assert not tab.exception and tab.title[0].value == "Work queue"
        assert any(caption.value == "Signed in as **dana** (biller)" for caption in tab.sidebar.caption)
    assert audit(browser_cookie.db, "session_restored") == ["dana"]


def test_an_idle_sessions_cookie_is_refused_and_logged_as_a_time_out(browser_cookie, monkeypatch):
    monkeypatch.setenv("CLAIMSCOPE_IDLE_MINUTES", "0.001")  # 0.06 s
    time.sleep(0.2)

    tab = browser_cookie.open_tab()

    assert "Signed out after 0.001 minutes without activity." in [info.value for info in tab.info]
    assert tab.button[0].label == "Sign in" and tab.title[0].value == "claimscope"
    assert audit(browser_cookie.db, "timeout") == ["dana"]
    monkeypatch.setenv("CLAIMSCOPE_IDLE_MINUTES", "15")
    assert browser_cookie.open_tab().button[0].label == "Sign in"  # the session ended: its cookie stays refused


def test_a_disabled_accounts_cookie_is_refused(browser_cookie):
    accounts.disable_user(browser_cookie.users, "dana")

    tab = browser_cookie.open_tab()

    assert "Signed out: your account was disabled or its role changed." in [info.value for info in tab.info]
    assert tab.button[0].label == "Sign in"
    assert audit(browser_cookie.db, "session_ended") == ["dana"]


def test_signing_out_ends_the_session_so_its_cookie_is_refused_everywhere(browser_cookie):
    tab = browser_cookie.open_tab()
    next(button for button in tab.sidebar.button if button.label == "Sign out").click().run()

    assert tab.button[0].label == "Sign in"
    assert web_sessions.SESSIONS.find(browser_cookie.cookie, web_sessions.signing_key(browser_cookie.db)) is None
    assert browser_cookie.open_tab().button[0].label == "Sign in"
    assert audit(browser_cookie.db, "logout") == ["dana"]
