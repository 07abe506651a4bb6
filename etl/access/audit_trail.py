"""The access audit log: append-only, each entry HMAC-hashed together with the one before it, and its last committed
entry kept in a signed checkpoint outside the database (etl/access/audit_head.py), so an altered, inserted or removed
entry shows, at the end of the log as anywhere else; with the key and checkpoint outside the database's folder, even
its editor cannot forge either."""

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
# Threads of one dashboard move the checkpoint one at a time, and append their own entries one at a time (each reads
# the last entry to chain to, so two at once would take the same id and one would fail); processes are kept apart by
# DuckDB's write lock.
_checkpoint_lock = threading.Lock()
_record_lock = threading.Lock()


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
    with _record_lock:
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
    if db is None:
        signing_key = audit_head.IN_MEMORY_KEY
    else:
        with _checkpoint_lock:
            signing_key, _ = _key_starting_checkpoint(con, db)
    details_text = json.dumps(details or {}, sort_keys=True, default=str)
    logged_at = datetime.now(timezone.utc).replace(tzinfo=None)
    last = _last_entry(con)
    entry_id, prev_hash = (last[0] + 1, last[-1]) if last else (1, "")
    entry_hash = entry_digest(signing_key, entry_id, logged_at, user_name, role, action, list(object_ids), details_text, prev_hash)
    con.execute("insert into audit_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [entry_id, logged_at, user_name, role, action, list(object_ids), details_text, prev_hash, entry_hash])
    return entry_id


def anchor(con: duckdb.DuckDBPyConnection) -> None:
    """Move the checkpoint to the log's last committed entry. Call it with no transaction open on `con`, so what it
    reads is committed. It never moves back, never moves while the log disagrees with it, and a missing one is never
    replaced once its key exists: that is the evidence `verify` reports."""
    db = database_file(con)
    if db is None:
        return
    with _checkpoint_lock:
        try:
            last = _last_entry(con)
        except duckdb.CatalogException:  # a writer that never made the audit log's table
            return
        signing_key, started = _key_starting_checkpoint(con, db)
        if started:
            return
        try:
            head = audit_head.read(db, signing_key)
        except HeadError:
            return
        if head is None or last is None or last[0] <= head.entry_id or _hash_of(con, head.entry_id) != head.entry_hash:
            return
        audit_head.write(db, signing_key, Head(last[0], last[-1], head.keyed_from))


def verify(con: duckdb.DuckDBPyConnection) -> Break | None:
    """The first entry that does not hold and why, or None when every hash and link holds and the log still reaches
    its checkpoint."""
    db = database_file(con)
    if db is None:
        return _check_chain(_all_entries(con), audit_head.IN_MEMORY_KEY, Head(0, "", 1), (None,), False)
    where = audit_head.location(db)
    signing_key = audit_head.key(db, create=False)
    try:
        # read before the entries: a writer moves it only after its commit, so the entries read next reach it
        head = audit_head.read(db, signing_key) if signing_key else None
    except HeadError as error:
        return Break(1, str(error))
    rows = _all_entries(con)
    if head is None:
        if not rows and (signing_key is None or where.outside):
            return None  # nothing was ever anchored: a new database
        return Break(rows[-1][0] + 1 if rows else 1, _missing(where, signing_key is not None))
    return _check_chain(rows, signing_key, head, _earlier_keys(db), where.outside) or _check_tail(rows, head)


def anchor_location(con: duckdb.DuckDBPyConnection) -> audit_head.Anchor | None:
    """Where the connection's database keeps its audit key and checkpoint; None in memory."""
    db = database_file(con)
    return audit_head.location(db) if db else None


def _missing(where: audit_head.Anchor, has_key: bool) -> str:
    if where.outside:
        return (f"the checkpoint {where.head_file} is missing, so a cut tail cannot be ruled out: it was deleted, or "
                "the log was never anchored there (a log written before the key moved there is anchored on its next write)")
    if has_key:
        return (f"the checkpoint {where.head_file} is missing, so a cut tail cannot be ruled out: its key "
                f"{where.key_file} signed entries, so the checkpoint was deleted, and entries may have gone with it")
    return (f"the checkpoint {where.head_file} or its key is missing, so a cut tail cannot be ruled out (a database "
            "from before checkpoints gets one on its next write)")


def _key_starting_checkpoint(con: duckdb.DuckDBPyConnection, db: Path) -> tuple[bytes, bool]:
    """The log's key, made on first use, and whether this call started the checkpoint; under _checkpoint_lock, so two
    threads never both start one (the second would pin the first's keyed entries as older ones)."""
    starts = audit_head.may_start(db)
    signing_key = audit_head.key(db)
    if starts:
        _start_checkpoint(con, db, signing_key)
    return signing_key, starts


def _start_checkpoint(con: duckdb.DuckDBPyConnection, db: Path, signing_key: bytes) -> None:
    """Anchor the log as it stands, its entries so far hashed before this key, if their chain holds: a broken log is
    left unanchored, so `verify` keeps saying so."""
    rows = _all_entries(con)
    first = _first_head(rows[-1] if rows else None)
    if _check_chain(rows, signing_key, first, _earlier_keys(db), False) is None:
        audit_head.write(db, signing_key, first)


def _earlier_keys(db: Path) -> tuple[bytes | None, ...]:
    """What entries before the checkpoint's keyed_from were hashed with: plain SHA-256 (releases before the key), or
    the key beside the database (before the key moved outside). The checkpoint's pinned hash vouches for them."""
    beside = audit_head.key_beside(db)
    return (None,) if beside is None else (None, beside)


def _check_chain(rows: list[tuple], signing_key: bytes, head: Head, earlier_keys: tuple[bytes | None, ...],
                 outside: bool) -> Break | None:
    prev_hash, expected_id = "", 1
    for entry_id, logged_at, user_name, role, action, object_ids, details, stored_prev, stored_hash in rows:
        fields = (entry_id, logged_at, user_name, role, action, object_ids, details, stored_prev)
        keys = earlier_keys if entry_id < head.keyed_from else (signing_key,)
        if entry_id != expected_id or stored_prev != prev_hash:
            return Break(expected_id, "an entry was altered, removed or inserted")
        if all(stored_hash != entry_digest(k, *fields) for k in keys):
            return Break(entry_id, _forged(stored_hash, fields, earlier_keys if outside else ()))
        prev_hash, expected_id = stored_hash, expected_id + 1
    return None


def _forged(stored_hash: str, fields: tuple, earlier_keys: tuple[bytes | None, ...]) -> str:
    """Why a keyed entry's hash does not hold, naming the key it was made with when that is one we know."""
    if stored_hash == entry_digest(None, *fields):
        return ("its hash is plain SHA-256, not the log's key: the chain was recomputed, forged by someone without the "
                "log's key")
    if any(k is not None and stored_hash == entry_digest(k, *fields) for k in earlier_keys):
        return ("its hash was made with the old key beside the database, not the log's key: forged with that key, or "
                f"written by a process run without ${audit_head.KEY_FILE_VARIABLE}")
    return "an entry was altered, removed or inserted"


def _check_tail(rows: list[tuple], head: Head) -> Break | None:
    last_id = rows[-1][0] if rows else 0
    if last_id < head.entry_id:
        what = ("every entry was deleted" if last_id == 0 else
                "the tail was cut, or the database was rolled back to an older copy")
        return Break(last_id + 1, f"the log ends at entry {last_id}, but its checkpoint says entry {head.entry_id} was "
                                  f"written: {head.entry_id - last_id} entries were removed from the end ({what})")
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


ENTRIES_SQL = """
    select entry_id, logged_at, user_name, role, action, array_to_string(object_ids, ', ') as object_ids, details
    from audit_log
    where logged_at >= $since and ($user_name is null or user_name = $user_name)
    order by entry_id desc
"""


def entries(con: duckdb.DuckDBPyConnection, since: date | None = None, user_name: str | None = None) -> pl.DataFrame:
    """Entries newest first, from a date and for one user if given."""
    return con.sql(ENTRIES_SQL, params={"since": since or date(1900, 1, 1), "user_name": user_name}).pl()
