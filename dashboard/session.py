"""Who is at the screen: demo mode, sign-in (OIDC through st.login, else local accounts), the idle time-out, and the
audit trail of what they did."""

from __future__ import annotations

import time
from collections.abc import Collection
from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard.permissions import current_user
from dashboard.queries import cache
from etl import db as database
from etl import settings
from etl.access import accounts, audit_trail, web_sessions
from etl.access.policy import User

DEMO_USER = User("demo", "demo")


def log(action: str, object_ids: list[str] | tuple[str, ...] = (), details: dict | None = None, user: User | None = None) -> None:
    """Append to the audit log, with the sidebar's filter values; never PHI."""
    log_later(action, object_ids, details, user)()


def log_later(action: str, object_ids: list[str] | tuple[str, ...] = (), details: dict | None = None,
              user: User | None = None):
    """The audit-log entry of something that will happen later and off this run's thread (a download built when it is
    asked for), as a function to call then: who and the sidebar's filters are read now, while the session is at hand."""
    user = user or current_user()
    filters = st.session_state.get("filters")
    context = {"filters": {"as_of": filters.as_of, **filters.scope.as_struct()}} if filters else {}

    def record() -> None:
        with cache.writing(tables=("audit_log",)) as con:
            audit_trail.record(con, user.name if user else "?", user.role if user else None, action, list(object_ids),
                               {**context, **(details or {})})
    return record


def log_once(action: str, object_ids: list[str] | tuple[str, ...] = (), details: dict | None = None) -> None:
    """Log an event the first time this session sees it, not on every rerun that redraws it."""
    seen = st.session_state.setdefault("logged_events", set())
    key = (action, tuple(object_ids), repr(sorted((details or {}).items())))
    if key not in seen:
        seen.add(key)
        log(action, object_ids, details)


@st.cache_resource
def _schema_applied(db: str) -> bool:
    """Once per server and database: the tables and the models as this code defines them."""
    with database.write_connection(db):
        return True


def sign_in(page_paths: Collection[str]) -> User:
    """The user at the screen, from this tab's session, the browser's session cookie or a sign-in; draws the sign-in
    and stops the run until there is one. After a sign-in the browser opens the page it first asked for."""
    _schema_applied(str(database.default_db_path()))
    if settings.demo_mode():
        _refuse_real_data()
        st.session_state["user"] = DEMO_USER
        st.warning("**Demo data.** A synthetic practice; no real patient is in it. Sign-in is off in demo mode.", icon=":material/science:")
        return DEMO_USER
    restored = None if current_user() else _restore_from_cookie()
    user = current_user()
    idle_for = time.time() - st.session_state.get("last_activity", time.time())
    idle_minutes = settings.idle_minutes()
    if user and idle_for > idle_minutes * 60:
        log("timeout", details={"idle_minutes": round(idle_for / 60, 1)}, user=user)
        _end_session(f"Signed out after {idle_minutes:g} minutes without activity.")
        user = None
    if user and not accounts.still_allowed(accounts.users_file(database.default_db_path()), user):
        log("session_ended", details={"reason": "account disabled or its role changed"}, user=user)
        _end_session("Signed out: your account was disabled or its role changed.")
        user = None
    if user and restored and not restored.landing:  # the landing after a sign-in is the sign-in, logged already
        log("session_restored", user=user)
    if user is None:
        st.session_state.setdefault("then_open", _local_address(page_paths))
        user = _oidc_user() if _oidc_configured() else _local_sign_in()
    st.session_state["last_activity"] = time.time()
    web_sessions.SESSIONS.touch(st.session_state.get("web_session"))
    _sign_out_when_idle(idle_minutes * 60)
    st.sidebar.caption(f"Signed in as **{user.name}** ({user.role})")
    if st.sidebar.button("Sign out"):
        log("logout")
        web_sessions.SESSIONS.end(st.session_state.get("web_session"))
        st.session_state.clear()
        if _oidc_configured():
            st.logout()
        elif web_sessions.SESSIONS.cookie_addresses_served:
            # The trip clears the cookie (refused anyway now its session has ended). No rerun after it: a new run
            # empties the outgoing queue of all but lifecycle messages, and the redirect, if not yet sent, went with it.
            _open(web_sessions.END_PATH)
            st.sidebar.caption("Signing out…")
            st.stop()
        st.rerun()
    return user


def _restore_from_cookie() -> web_sessions.Session | None:
    """Take up the session the browser's cookie names (a reload, a typed address, a second tab), with its last
    activity, so the checks after this judge it like any open session."""
    cookie = st.context.cookies.get(web_sessions.COOKIE)
    found = cookie and web_sessions.SESSIONS.find(cookie, web_sessions.signing_key(database.default_db_path()))
    if found:
        st.session_state.update(user=found.user, web_session=found.session_id, last_activity=found.last_active)
    return found or None


def _local_address(page_paths: Collection[str]) -> str:
    """The page and parameters of the address the browser opened, to return to after sign-in; only this app's own
    pages, so a crafted link cannot send a user elsewhere. Pages check the parameters themselves."""
    page = urlsplit(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]  # st.context.url has no parameters
    query = urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)][:100])
    return f"/{page if page in page_paths else ''}" + (f"?{query}" if query else "")


def _open(address: str) -> None:
    """Send the browser to an address of this server, the way st.login does: Streamlit has no public call for it."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    message = ForwardMsg()
    message.auth_redirect.url = address
    get_script_run_ctx().enqueue(message)


def _end_session(message: str) -> None:
    """Forget the signed-in user (and the OIDC identity, which would sign straight back in) and say why."""
    web_sessions.SESSIONS.end(st.session_state.get("web_session"))
    st.session_state.clear()
    if _oidc_configured():
        st.logout()
    st.info(message)


# How often an open page checks whether its session has gone idle: the page is cleared at most this long after.
IDLE_CHECK_SECONDS = 5.0


def _sign_out_when_idle(idle_seconds: float) -> None:
    """A timer in the page, so an idle session is cleared when it expires, not at its next click: every few seconds a
    fragment with nothing on screen reruns alone (which is no activity) and, once the limit has passed, reruns the
    whole page, whose sign-in then signs the session out and shows the sign-in form instead of the data."""
    @st.fragment(run_every=min(IDLE_CHECK_SECONDS, max(idle_seconds, 1.0)))
    def check_idle() -> None:
        if time.time() - st.session_state.get("last_activity", 0.0) > idle_seconds:
            st.rerun(scope="app")

    check_idle()


def _refuse_real_data() -> None:
    """Stop the page when a demo (no sign-in) is pointed at a database holding any file not marked synthetic: it may
    hold real patients. An upload on the demo is recorded as demo data or not at all (actions.load_upload)."""
    with database.read_connection(database.default_db_path()) as con:
        real_files = database.real_file_count(con)
    if real_files:
        st.error(f"Demo mode refuses this database: {real_files:,} of its files are not synthetic. "
                 "Run without CLAIMSCOPE_DEMO and sign in.")
        st.stop()


def _local_sign_in() -> User:
    st.title("claimscope")
    with st.form("sign_in"):
        name = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        attempt = accounts.authenticate(accounts.users_file(database.default_db_path()), name, password)
        if attempt.user:
            st.session_state["user"] = attempt.user
            log("login", user=attempt.user)
            if web_sessions.SESSIONS.cookie_addresses_served:  # hand the session to the browser as an HttpOnly cookie
                key = web_sessions.signing_key(database.default_db_path())
                st.session_state["web_session"], ticket = web_sessions.SESSIONS.start(
                    attempt.user, key, st.session_state.get("then_open", "/"))
                _open(f"{web_sessions.START_PATH}?ticket={ticket}")
                st.caption("Signed in: opening the page.")
                st.stop()  # the page opens once, after the redirect, not here first
            st.rerun()
        _log_failure(attempt, name)
        st.error(refusal(attempt))
    st.caption("Accounts are managed with `claimscope users add NAME --role ROLE`.")
    st.stop()


def _log_failure(attempt: accounts.SignIn, name: str) -> None:
    """One entry per failed attempt and one more when it locks the account. The name is logged only when it is an
    account's: a password typed into the user-name field must never reach the audit log."""
    who = User(name if attempt.is_account else "unknown user", None)
    log("login_failed", details={"reason": attempt.reason, "failures": attempt.failures, "wait_seconds": attempt.wait_seconds},
        user=who)
    if attempt.locked and attempt.reason == "wrong password":
        log("account_locked", details={"failures": attempt.failures, "minutes": accounts.LOCK_MINUTES}, user=who)


def refusal(attempt: accounts.SignIn) -> str:
    """What the sign-in form says to a refused attempt: the same words for a name that is no account."""
    if attempt.locked:
        return (f"Too many failed sign-ins: this account is locked for {-(-attempt.wait_seconds // 60)} minutes. "
                "An admin can reset it with `claimscope users add`.")
    if attempt.wait_seconds:
        # the same words whether or not the name is an account's, so the answer does not tell
        return (("Wrong user name or password. " if attempt.reason in ("wrong password", "unknown user") else "")
                + f"After {attempt.failures} failed sign-ins, wait {attempt.wait_seconds} seconds before the next try.")
    return "Wrong user name or password, or the account is disabled."


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _oidc_user() -> User:
    if not st.user.is_logged_in:
        st.title("claimscope")
        st.button("Sign in", on_click=st.login)
        st.stop()
    role = accounts.role_of(accounts.users_file(database.default_db_path()), st.user.email)
    if role is None:
        log("login_failed", details={"reason": "no claimscope account"}, user=User(st.user.email, None))
        st.error(f"{st.user.email} has no claimscope account. Ask an admin to run `claimscope users add {st.user.email} --role ...`.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    user = User(st.user.email, role)
    st.session_state["user"] = user
    log("login", details={"method": "oidc"}, user=user)
    return user
