"""Queries of the Audit log page: who did what, whether the hash chain holds, and the local accounts."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import uncached
from etl import db as database
from etl.access import accounts as local_accounts
from etl.access import audit_trail


@serves("audit_log")
def audit_entries(since: date, user_name: str | None) -> pl.DataFrame:
    """Audit log entries, newest first; never cached, since every page view adds one."""
    return uncached(lambda con: audit_trail.entries(con, since, user_name))


@serves("audit_log")
def audit_chain_break() -> audit_trail.Break | None:
    """The first audit entry whose hash chain does not hold and why, or None."""
    return uncached(audit_trail.verify)


@serves("audit_log")
def audit_key_is_outside() -> bool:
    """Whether the log's key and checkpoint sit outside the database's folder ($CLAIMSCOPE_AUDIT_KEY_FILE), where the
    database's editor cannot rewrite them; beside it, tamper evidence is weak."""
    where = uncached(audit_trail.anchor_location)
    return where is not None and where.outside


@serves("audit_log")
def accounts() -> pl.DataFrame:
    """The local accounts (never their hashes)."""
    return pl.DataFrame(local_accounts.list_users(local_accounts.users_file(database.default_db_path())),
                        schema={"name": pl.String, "role": pl.String, "disabled": pl.Boolean, "changed_at": pl.String})
