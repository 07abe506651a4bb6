"""Who may see what, checked where the data is read: every query names the page (or capability) it serves."""

from __future__ import annotations

import functools

import streamlit as st

from etl.access.policy import User, may


class NotPermitted(Exception):
    """The signed-in role may not see this; the message says what, and never carries data."""


def current_user() -> User | None:
    return st.session_state.get("user")


def allows(capability: str) -> bool:
    """Whether the signed-in user's role may open this page or use this capability."""
    user = current_user()
    return user is not None and may(user.role, capability)


def require(capability: str) -> None:
    if not allows(capability):
        user = current_user()
        role = user.role if user else "signed-out"
        raise NotPermitted(f"Not permitted: the {role} role may not see {capability.replace('_', ' ')}.")


def serves(capability: str):
    """Mark a query as serving one page or capability; it refuses to run for a role without it."""
    def wrap(query):
        @functools.wraps(query)
        def checked(*args, **kwargs):
            require(capability)
            return query(*args, **kwargs)
        return checked
    return wrap
