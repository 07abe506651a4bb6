"""The dashboard's web app (dashboard/serve.py starts it): Streamlit serving app.py, plus the two addresses that set and
clear the HttpOnly session cookie. A page cannot set one itself: its script talks to the browser over a websocket, and
only an HTTP response's Set-Cookie makes a cookie the page's JavaScript cannot read."""

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from etl.access import web_sessions


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


web_sessions.SESSIONS.cookie_addresses_served = True
app = st.App(Path(__file__).with_name("app.py"), routes=[
    Route(web_sessions.START_PATH, start_session), Route(web_sessions.END_PATH, end_session),
])
