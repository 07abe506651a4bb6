"""The access audit log: append-only, each entry hashed together with the one before it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone

import duckdb
import polars as pl


def _digest(entry_id: int, logged_at: datetime, user_name: str, role: str | None, action: str, object_ids: list[str],
            details: str, prev_hash: str) -> str:
    fields = [entry_id, logged_at.isoformat(), user_name, role, action, list(object_ids), details, prev_hash]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def record(con: duckdb.DuckDBPyConnection, user_name: str, role: str | None, action: str,
           object_ids: list[str] | tuple[str, ...] = (), details: dict | None = None) -> int:
    """Append one entry, chained to the last, in a transaction of its own; returns its id."""
    con.execute("begin")
    try:
        entry_id = append(con, user_name, role, action, object_ids, details)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return entry_id


def append(con: duckdb.DuckDBPyConnection, user_name: str, role: str | None, action: str,
           object_ids: list[str] | tuple[str, ...] = (), details: dict | None = None) -> int:
    """Append one entry inside the caller's transaction, so it commits with the change it records. Filter values and
    before/after values go in `details`, never PHI."""
    details_text = json.dumps(details or {}, sort_keys=True, default=str)
    logged_at = datetime.now(timezone.utc).replace(tzinfo=None)
    last = con.execute("select entry_id, entry_hash from audit_log order by entry_id desc limit 1").fetchall()
    entry_id, prev_hash = (last[0][0] + 1, last[0][1]) if last else (1, "")
    entry_hash = _digest(entry_id, logged_at, user_name, role, action, list(object_ids), details_text, prev_hash)
    con.execute("insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [entry_id, logged_at, user_name, role, action, list(object_ids), details_text, prev_hash, entry_hash])
    return entry_id


def verify(con: duckdb.DuckDBPyConnection) -> int | None:
    """The id of the first entry whose hash or link does not hold, or None when the whole chain is intact."""
    prev_hash, expected_id = "", 1
    rows = con.execute(
        "select entry_id, logged_at, user_name, role, action, object_ids, details, prev_hash, entry_hash from audit_log order by entry_id"
    ).fetchall()
    for entry_id, logged_at, user_name, role, action, object_ids, details, stored_prev, stored_hash in rows:
        if entry_id != expected_id or stored_prev != prev_hash or stored_hash != _digest(
            entry_id, logged_at, user_name, role, action, object_ids, details, stored_prev
        ):
            return entry_id if entry_id == expected_id else expected_id
        prev_hash, expected_id = stored_hash, expected_id + 1
    return None


ENTRIES_SQL = """
    select entry_id, logged_at, user_name, role, action, array_to_string(object_ids, ', ') as object_ids, details
    from audit_log
    where logged_at >= $since and ($user_name is null or user_name = $user_name)
    order by entry_id desc
"""


def entries(con: duckdb.DuckDBPyConnection, since: date | None = None, user_name: str | None = None) -> pl.DataFrame:
    """Entries newest first, from a date and for one user if given."""
    return con.sql(ENTRIES_SQL, params={"since": since or date(1900, 1, 1), "user_name": user_name}).pl()
