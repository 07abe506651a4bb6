"""Signed-in dashboard sessions that outlive a browser reload: the browser holds a signed, expiring cookie naming a
session, and the server holds the session (its user and when it was last active), so an idle or ended session is
refused whatever cookie comes back. Sessions live in the server's memory: a restart signs everyone out."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import itsdangerous

from etl import settings
from etl.access.audit_head import private_key
from etl.access.policy import User

COOKIE = "claimscope_session"
# A cookie is good for this long after sign-in however active its session: a long working day.
MAX_AGE_SECONDS = 12 * 60 * 60
# A sign-in hands its session to the browser through one address visit; the ticket for it is good once, this long.
TICKET_SECONDS = 60
# The addresses (dashboard/asgi.py) that set the cookie from a ticket and clear it.
START_PATH = "/_session/start"
END_PATH = "/_session/end"


@dataclass(frozen=True)
class Session:
    """A signed-in session: its id (what the cookie names), its user, and when it was last active (time.time())."""
    session_id: str
    user: User
    last_active: float
    landing: bool = False  # handed to the browser and not yet opened there: opening it is the sign-in itself


def key_file(db: Path | str) -> Path:
    return Path(f"{db}.session-key")


def signing_key(db: Path | str) -> bytes:
    """$CLAIMSCOPE_SESSION_KEY, else `<db>.session-key` (mode 0600, made on first use): never in the repository."""
    return settings.session_key() or private_key(key_file(db))


class Sessions:
    """The server's signed-in sessions and the one-use tickets that hand a new one to the browser."""

    def __init__(self, clock=time.time) -> None:
        # Set by dashboard/asgi.py, which serves START_PATH and END_PATH; under plain `streamlit run app.py` (or
        # AppTest) nothing would answer them, so a session then lasts as long as its browser tab.
        self.cookie_addresses_served = False
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._tickets: dict[str, tuple[str, str, str, float]] = {}  # ticket -> session, cookie, address to open, expiry

    def start(self, user: User, key: bytes, then_open: str) -> tuple[str, str]:
        """A new session for a user who has just signed in: its id and the ticket that sets its cookie and then opens
        `then_open` (a local address the caller has checked)."""
        session_id = secrets.token_urlsafe(32)
        ticket = secrets.token_urlsafe(32)
        cookie = cookie_serializer(key).dumps(session_id)
        now = self._clock()
        with self._lock:
            # forget what can no longer be used: tickets past their minute, sessions whose cookie has expired
            self._tickets = {old: held for old, held in self._tickets.items() if held[3] > now}
            self._sessions = {old: held for old, held in self._sessions.items()
                              if now - held.last_active < MAX_AGE_SECONDS}
            self._sessions[session_id] = Session(session_id, user, now)
            self._tickets[ticket] = (session_id, cookie, then_open, now + TICKET_SECONDS)
        return session_id, ticket

    def redeem(self, ticket: str) -> tuple[str, str] | None:
        """The cookie value and the address to open for a ticket, once; None for a used, expired or made-up one."""
        with self._lock:
            session_id, cookie, then_open, expires = self._tickets.pop(ticket, ("", "", "", 0.0))
            if session_id not in self._sessions or self._clock() > expires:
                return None
            # the browser just used the ticket: the session's idle time counts from here, not from the password check
            self._sessions[session_id] = replace(self._sessions[session_id], landing=True, last_active=self._clock())
            return cookie, then_open

    def find(self, cookie: str, key: bytes) -> Session | None:
        """The session a cookie names, if its signature holds, it is younger than MAX_AGE_SECONDS and the session has
        not ended; the caller judges idleness and the account. Opening a landing session once makes it an old one."""
        try:
            session_id = cookie_serializer(key).loads(cookie, max_age=MAX_AGE_SECONDS)
        except itsdangerous.BadData:  # forged, altered, signed with another key, or expired
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.landing:
                self._sessions[session_id] = replace(session, landing=False)
            return session

    def touch(self, session_id: str | None) -> None:
        """Note activity in a session."""
        with self._lock:
            if session_id in self._sessions:
                self._sessions[session_id] = replace(self._sessions[session_id], last_active=self._clock())

    def end(self, session_id: str | None) -> None:
        """End a session: its cookie is refused from now on, wherever it is."""
        with self._lock:
            self._sessions.pop(session_id, None)


def cookie_serializer(key: bytes) -> itsdangerous.URLSafeTimedSerializer:
    """Timestamped and HMAC-SHA256 signed (itsdangerous's default digest is SHA-1)."""
    return itsdangerous.URLSafeTimedSerializer(key, salt="claimscope-session",
                                               signer_kwargs={"digest_method": hashlib.sha256})


# The one set of sessions of this server process, shared by every script run and dashboard/asgi.py's addresses.
SESSIONS = Sessions()
