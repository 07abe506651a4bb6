"""Which session prepared which download, so the server (dashboard/asgi.py) serves an export's /media address only to
the session that built it and writes an export entry to the audit log at each fetch."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# How long a prepared download may be fetched: as long as the session cookie that asked for it lasts
# (etl/access/web_sessions.py MAX_AGE_SECONDS); Streamlit drops the bytes themselves sooner, once no page shows them.
GRANT_SECONDS = 12 * 60 * 60
# A bound on what the server remembers, whatever the clicking: the oldest grants go first.
MAX_GRANTS = 10_000
# Streamlit's own sign-in cookie (st.login, OIDC): signed by Streamlit, HttpOnly (streamlit/web/server/server_util.py).
STREAMLIT_AUTH_COOKIE = "_streamlit_user"


@dataclass(frozen=True)
class Owner:
    """Who may fetch a download. `kind` is "session" (a local sign-in; `value` its web session id), "streamlit_user"
    (an OIDC sign-in; `value` Streamlit's own auth cookie), "demo" (no sign-in: anyone) or "nobody" (a page run
    with no session the server can check: the download is refused)."""
    kind: str
    value: str = ""


@dataclass(frozen=True)
class Grant:
    owner: Owner
    record: Callable[[], None]  # writes the export entry (dashboard/session.py log_later), naming what the file held
    granted_at: float


class Downloads:
    """Prepared downloads by Streamlit media id, each with the sessions that prepared it (the id is a hash of the bytes,
    so two sessions that build the same file share an id; each is granted it on its own)."""

    def __init__(self, clock=time.time) -> None:
        # Set by dashboard/asgi.py, whose guard serves /media only to a grant's owner and logs each fetch there; under
        # a bare `streamlit run` (or AppTest) nothing guards /media, so a download is logged as it is built instead.
        self.guarded = False
        self._clock = clock
        self._lock = threading.Lock()
        self._grants: dict[str, dict[Owner, Grant]] = {}

    def grant(self, media_id: str, owner: Owner, record: Callable[[], None]) -> None:
        """Let `owner` fetch `media_id`; each fetch calls `record`."""
        now = self._clock()
        with self._lock:
            held = self._grants.pop(media_id, {})
            held[owner] = Grant(owner, record, now)
            self._grants[media_id] = held  # last in the dict: the most recently granted
            stale = [old for old, grants in self._grants.items()
                     if all(now - grant.granted_at > GRANT_SECONDS for grant in grants.values())]
            for old in stale:
                del self._grants[old]
            while len(self._grants) > MAX_GRANTS:
                del self._grants[next(iter(self._grants))]

    def is_download(self, media_id: str) -> bool:
        """Whether a page prepared this media id as an export, for anyone."""
        with self._lock:
            return media_id in self._grants

    def granted(self, media_id: str, allows: Callable[[Owner], bool]) -> Grant | None:
        """The grant of `media_id` to an owner `allows` accepts (the requester's session), if one is still current."""
        now = self._clock()
        with self._lock:
            grants = list(self._grants.get(media_id, {}).values())
        return next((grant for grant in grants if now - grant.granted_at <= GRANT_SECONDS and allows(grant.owner)), None)


# The one register of this server process, shared by every script run and dashboard/asgi.py's guard.
DOWNLOADS = Downloads()
