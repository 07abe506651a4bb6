"""The dashboard's web app (dashboard/serve.py starts it): Streamlit serving app.py, plus the two addresses that set and
clear the HttpOnly session cookie, and a guard on Streamlit's /media addresses. A page cannot set a cookie itself: its
script talks to the browser over a websocket, and only an HTTP response's Set-Cookie makes a cookie the page's
JavaScript cannot read. Streamlit serves /media/<hash> to any client; the guard lets an export through only to the
session that built it, writing an export entry to the audit log at each fetch, and other media only to a signed-in
session (anyone in demo mode)."""

import posixpath
import time
from pathlib import Path

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard import downloads
from etl import db as database
from etl import settings
from etl.access import accounts, web_sessions

MEDIA_PREFIX = "/media/"


async def start_session(request: Request) -> RedirectResponse:
    """Trade a sign-in's one-use ticket for the session cookie, then open the address the user first asked for."""
    redeemed = web_sessions.SESSIONS.redeem(request.query_params.get("ticket", ""))
    if redeemed is None:
        return RedirectResponse("/", status_code=303)
    cookie, then_open = redeemed
    response = RedirectResponse(then_open, status_code=303)
    response.set_cookie(web_sessions.COOKIE, cookie, max_age=web_sessions.MAX_AGE_SECONDS, path="/", httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    response.headers["Cache-Control"] = "no-store"
    return response


async def end_session(request: Request) -> RedirectResponse:
    """Clear the session cookie after sign-out (the session itself was ended by the page) and show the sign-in."""
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(web_sessions.COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response


class MediaGuard:
    """ASGI middleware in front of Streamlit: a /media request is judged (off the event loop: it reads the sessions and
    may write the audit log) before Streamlit sees it; anything else passes untouched."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        media_id = media_id_of(scope["path"]) if scope["type"] == "http" else None
        if media_id is not None:
            refusal = await run_in_threadpool(judge_media_request, Request(scope), media_id)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def media_id_of(path: str) -> str | None:
    """The media id a request path names, else None: read exactly as Streamlit's own route reads it (/media/{file_id:
    path} under the base address, the id being the file name without its extension), so that every path Streamlit
    would serve a file for is judged here first."""
    base = "/" + (st.get_option("server.baseUrlPath") or "").strip("/")
    if base != "/":
        if not path.startswith(base + "/"):
            return None
        path = path[len(base):]
    if not path.startswith(MEDIA_PREFIX):
        return None
    return posixpath.splitext(path[len(MEDIA_PREFIX):])[0]


def judge_media_request(request: Request, media_id: str) -> Response | None:
    """None to let Streamlit serve the file; else the refusal. An export is served only to a session it was granted to
    (dashboard/downloads.py) and each GET writes its export entry first: a fetch the audit log cannot record is
    refused. The page's own check that the address answers is answered without the file. Other media (a board pack's
    bytes, an image) needs a signed-in session, or demo mode."""
    if downloads.DOWNLOADS.is_download(media_id):
        grant = downloads.DOWNLOADS.granted(media_id, lambda owner: is_requesters(owner, request))
        if grant is None:
            return _refused("This export belongs to another session. Export it again from the page.")
        if is_page_check(request):
            return Response(status_code=200, headers={"Cache-Control": "no-store"})
        if request.method == "GET":
            try:
                grant.record()
            except Exception:  # noqa: BLE001 - the database is locked or unwritable: nothing leaves unlogged
                return _refused("The export could not be written to the audit log, so it was not sent. Try again.",
                                status_code=503)
        return None
    if settings.demo_mode() or signed_in_session(request) or _oidc_signed_in(request):
        return None
    return _refused("Sign in to open this file.")


def is_page_check(request: Request) -> bool:
    """Whether the request is the download button's own check that the address answers (Streamlit's front end fetch()es
    it beside the download itself, so every click asks twice): a script's fetch, not a navigation, by the browser's
    Sec-Fetch headers. It gets an empty answer, so a client that only claims to be one gets no bytes unlogged."""
    return (request.headers.get("sec-fetch-dest") == "empty"
            and request.headers.get("sec-fetch-mode") in ("cors", "same-origin", "no-cors"))


def is_requesters(owner: downloads.Owner, request: Request) -> bool:
    """Whether the request comes from the owner of a download: its own signed-in session, its OIDC cookie, or, for a
    demo's download, anyone."""
    if owner.kind == "demo":
        return settings.demo_mode()
    if owner.kind == "session":
        session = signed_in_session(request)
        return session is not None and session.session_id == owner.value
    if owner.kind == "streamlit_user":
        return bool(owner.value) and request.cookies.get(downloads.STREAMLIT_AUTH_COOKIE) == owner.value
    return False


def signed_in_session(request: Request) -> web_sessions.Session | None:
    """The session the request's cookie names, judged as a page judges it: not ended, not idle, its account still
    allowed."""
    cookie = request.cookies.get(web_sessions.COOKIE)
    db = database.default_db_path()
    session = cookie and web_sessions.SESSIONS.find(cookie, web_sessions.signing_key(db))
    if not session or time.time() - session.last_active > settings.idle_minutes() * 60:
        return None
    return session if accounts.still_allowed(accounts.users_file(db), session.user) else None


def _oidc_signed_in(request: Request) -> bool:
    """Whether the request carries Streamlit's own signed sign-in cookie (st.login), its signature checked."""
    if downloads.STREAMLIT_AUTH_COOKIE not in request.cookies:
        return False
    from streamlit.web.server.starlette.starlette_auth_routes import _get_signed_cookie_from_request

    try:
        return _get_signed_cookie_from_request(request, downloads.STREAMLIT_AUTH_COOKIE) is not None
    except Exception:  # noqa: BLE001 - no cookie secret, a damaged cookie: not signed in
        return False


def _refused(reason: str, status_code: int = 403) -> Response:
    return PlainTextResponse(reason, status_code=status_code, headers={"Cache-Control": "no-store"})


web_sessions.SESSIONS.cookie_addresses_served = True
downloads.DOWNLOADS.guarded = True
app = st.App(Path(__file__).with_name("app.py"), routes=[
    Route(web_sessions.START_PATH, start_session), Route(web_sessions.END_PATH, end_session),
], middleware=[Middleware(MediaGuard)])
