"""The access audit log: append-only, each entry HMAC-hashed together with the one before it, and its last committed
entry kept in a signed checkpoint outside the database (etl/access/audit_head.py), so an altered, inserted or removed
entry shows, at the end of the log as anywhere else."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from etl.access import audit_head
from etl.access.audit_head import Head, HeadError

_COLUMNS = "entry_id, logged_at, user_name, role, action, object_ids, details, prev_hash, entry_hash"
# Threads of one dashboard move the checkpoint one at a time; processes are kept apart by DuckDB's write lock.
_checkpoint_lock = threading.Lock()


@dataclass(frozen=True)
class Break:
    """Where the log stops holding, and why, in words for the Audit log page and `audit-log --verify`."""
    entry_id: int
    reason: str


def entry_digest(signing_key: bytes | None, entry_id: int, logged_at: datetime, user_name: str, role: str | None,
                 action: str, object_ids: list[str], details: str, prev_hash: str) -> str:
    """HMAC-SHA256 of the entry's fields and the previous hash; with no key, the plain SHA-256 of entries written
    before the log was keyed."""
    fields = json.dumps([entry_id, logged_at.isoformat(), user_name, role, action, list(object_ids), details, prev_hash],
                        separators=(",", ":")).encode()
    if signing_key is None:
        return hashlib.sha256(fields).hexdigest()
    return hmac.new(signing_key, fields, hashlib.sha256).hexdigest()


def record(con: duckdb.DuckDBPyConnection, user_name: str, role: str | None, action: str,
           object_ids: list[str] | tuple[str, ...] = (), details: dict | None = None) -> int:
    """Append one entry, chained to the last, in a transaction of its own, and move the checkpoint to it; returns its
    id."""
    con.execute("begin")
    try:
        entry_id = append(con, user_name, role, action, object_ids, details)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    anchor(con)
    return entry_id


def append(con: duckdb.DuckDBPyConnection, user_name: str, role: str | None, action: str,
           object_ids: list[str] | tuple[str, ...] = (), details: dict | None = None) -> int:
    """Append one entry inside the caller's transaction, so it commits with the change it records. Filter values and
    before/after values go in `details`, never PHI. The checkpoint moves only after the commit (anchor: record() and
    etl/db.py's write_connection call it), so a rolled-back change leaves it where it was."""
    db = database_file(con)
    signing_key = audit_head.key(db) if db else audit_head.IN_MEMORY_KEY
    details_text = json.dumps(details or {}, sort_keys=True, default=str)
    logged_at = datetime.now(timezone.utc).replace(tzinfo=None)
    last = _last_entry(con)
    if db and not audit_head.head_file(db).exists() and _may_start_checkpoint(last):
        audit_head.write(db, signing_key, _first_head(last))
    entry_id, prev_hash = (last[0] + 1, last[-1]) if last else (1, "")
    entry_hash = entry_digest(signing_key, entry_id, logged_at, user_name, role, action, list(object_ids), details_text, prev_hash)
    con.execute("insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [entry_id, logged_at, user_name, role, action, list(object_ids), details_text, prev_hash, entry_hash])
    return entry_id


def anchor(con: duckdb.DuckDBPyConnection) -> None:
    """Move the checkpoint to the log's last committed entry. Call it with no transaction open on `con`, so what it
    reads is committed. It never moves back, and never moves while the log disagrees with it: that is the evidence
    `verify` reports."""
    db = database_file(con)
    if db is None:
        return
    with _checkpoint_lock:
        try:
            last = _last_entry(con)
        except duckdb.CatalogException:  # a writer that never made the audit log's table
            return
        signing_key = audit_head.key(db)
        try:
            head = audit_head.read(db, signing_key)
        except HeadError:
            return
        if head is None:
            if _may_start_checkpoint(last):
                audit_head.write(db, signing_key, _first_head(last))
            return
        if last is None or last[0] <= head.entry_id or _hash_of(con, head.entry_id) != head.entry_hash:
            return
        audit_head.write(db, signing_key, Head(last[0], last[-1], head.keyed_from))


def verify(con: duckdb.DuckDBPyConnection) -> Break | None:
    """The first entry that does not hold and why, or None when every hash and link holds and the log still reaches
    its checkpoint."""
    db = database_file(con)
    if db is None:
        return _check_chain(_all_entries(con), audit_head.IN_MEMORY_KEY, Head(0, "", 1))
    signing_key = audit_head.key(db, create=False)
    try:
        # read before the entries: a writer moves it only after its commit, so the entries read next reach it
        head = audit_head.read(db, signing_key) if signing_key else None
    except HeadError as error:
        return Break(1, str(error))
    rows = _all_entries(con)
    if head is None:
        if not rows:
            return None
        return Break(rows[-1][0] + 1, f"the checkpoint {audit_head.head_file(db)} or its key is missing, so a cut tail "
                                      "cannot be ruled out (a database from before checkpoints gets one on its next write)")
    return _check_chain(rows, signing_key, head) or _check_tail(rows, head)


def _check_chain(rows: list[tuple], signing_key: bytes, head: Head) -> Break | None:
    prev_hash, expected_id = "", 1
    for entry_id, logged_at, user_name, role, action, object_ids, details, stored_prev, stored_hash in rows:
        fields = (entry_id, logged_at, user_name, role, action, object_ids, details, stored_prev)
        # entries written before the log was keyed carry plain SHA-256, and the checkpoint's hash pins them all
        keys = (None,) if entry_id < head.keyed_from else (signing_key,)
        if entry_id != expected_id or stored_prev != prev_hash or all(stored_hash != entry_digest(k, *fields) for k in keys):
            return Break(expected_id, "an entry was altered, removed or inserted")
        prev_hash, expected_id = stored_hash, expected_id + 1
    return None


def _check_tail(rows: list[tuple], head: Head) -> Break | None:
    last_id = rows[-1][0] if rows else 0
    if last_id < head.entry_id:
        return Break(last_id + 1, f"the log ends at entry {last_id}, but its checkpoint says entry {head.entry_id} was "
                                  f"written: {head.entry_id - last_id} entries were removed from the end")
    if head.entry_id and rows[head.entry_id - 1][-1] != head.entry_hash:
        return Break(head.entry_id, f"entry {head.entry_id} is not the one the checkpoint recorded: the entries up to it "
                                    "were rewritten and their chain recomputed")
    return None


def _all_entries(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    try:
        return con.execute(f"select {_COLUMNS} from audit_log order by entry_id").fetchall()
    except duckdb.CatalogException:  # a dropped table is checked against the checkpoint like an emptied one
        return []


def database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of the connection's database, None in memory."""
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0]
    return Path(path) if path else None


def _last_entry(con: duckdb.DuckDBPyConnection) -> tuple | None:
    rows = con.execute(f"select {_COLUMNS} from audit_log order by entry_id desc limit 1").fetchall()
    return rows[0] if rows else None


def _hash_of(con: duckdb.DuckDBPyConnection, entry_id: int) -> str:
    return "" if entry_id == 0 else (con.execute("select entry_hash from audit_log where entry_id = ?", [entry_id]).fetchall() or [[None]])[0][0]


def _first_head(last: tuple | None) -> Head:
    """The checkpoint a log starts with: its last entry so far, every later entry keyed."""
    return Head(last[0], last[-1], last[0] + 1) if last else Head(0, "", 1)


def _may_start_checkpoint(last: tuple | None) -> bool:
    """A checkpoint is started for an empty log, or one whose last entry predates keying (an upgraded database); a log
    whose last entry is keyed once had a checkpoint, and its absence is evidence, never replaced."""
    return last is None or last[-1] == entry_digest(None, *last[:-1])


ENTRIES_SQL = """
    select entry_id, logged_at, user_name, role, action, array_to_string(object_ids, ', ') as object_ids, details
    from audit_log
    where logged_at >= $since and ($user_name is null or user_name = $user_name)
    order by entry_id desc
"""


def entries(con: duckdb.DuckDBPyConnection, since: date | None = None, user_name: str | None = None) -> pl.DataFrame:
    """Entries newest first, from a date and for one user if given."""
    return con.sql(ENTRIES_SQL, params={"since": since or date(1900, 1, 1), "user_name": user_name}).pl()
