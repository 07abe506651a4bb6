"""The audit log's key and checkpoint (the id and hash of its last committed entry, HMAC-signed): kept outside the
database's folder when $CLAIMSCOPE_AUDIT_KEY_FILE names a protected path, else `<db>.audit-key` and `<db>.audit-head`
beside the database, where whoever can edit the database can rewrite them too."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from etl import settings

# In-memory databases (tests) have no file to keep a checkpoint beside; their entries are keyed with a fixed key.
IN_MEMORY_KEY = b"claimscope-in-memory-audit-key"
KEY_FILE_VARIABLE = "CLAIMSCOPE_AUDIT_KEY_FILE"  # read by etl/settings.py audit_key_file; named in messages


class HeadError(Exception):
    """The checkpoint file cannot be trusted: unreadable, or its signature does not hold."""


@dataclass(frozen=True)
class Head:
    """The last entry the log is known to have had (entry 0 with hash '' for an empty log), and the first entry hashed
    with the key: those before it were written before this key (plain SHA-256, or the key beside the database)."""
    entry_id: int
    entry_hash: str
    keyed_from: int


@dataclass(frozen=True)
class Anchor:
    """Where a database's audit key and checkpoint live, and whether that is out of reach of the database's editor
    (another folder, which the operator protects) or beside the database (tamper evidence is weak)."""
    key_file: Path
    head_file: Path
    outside: bool


def location(db: Path | str) -> Anchor:
    """$CLAIMSCOPE_AUDIT_KEY_FILE and, beside it, one checkpoint per database (named by its full path, so two
    databases can share a key); else both beside the database."""
    configured = settings.audit_key_file()
    if not configured:
        return Anchor(Path(f"{db}.audit-key"), Path(f"{db}.audit-head"), outside=False)
    key_path, db_path = Path(configured).absolute(), Path(db).absolute()
    which = hashlib.sha256(str(db_path.resolve()).encode()).hexdigest()[:16]
    return Anchor(key_path, key_path.with_name(f"{key_path.name}.{db_path.name}-{which}.head"),
                  outside=key_path.resolve().parent != db_path.resolve().parent)


def key_file(db: Path | str) -> Path:
    return location(db).key_file


def head_file(db: Path | str) -> Path:
    return location(db).head_file


def key(db: Path | str, create: bool = True) -> bytes | None:
    """The HMAC key of the chain and checkpoint (mode 0600), made on first use; None if absent and not to be made."""
    return private_key(key_file(db), create)


def key_beside(db: Path | str) -> bytes | None:
    """When the key lives outside, the key a database used before it did (`<db>.audit-key`), if still there: it
    checks the entries written before the anchor moved out."""
    where = location(db)
    return private_key(Path(f"{db}.audit-key"), create=False) if where.outside else None


def may_start(db: Path | str) -> bool:
    """Whether a writer may start a checkpoint: outside, when this database has none there yet (nobody else writes
    there, so none means never anchored); beside, only when the key does not exist yet, since an editor of the
    database can delete a checkpoint but its key already signed the entries."""
    where = location(db)
    return not (where.head_file if where.outside else where.key_file).exists()


def private_key(path: Path, create: bool = True) -> bytes | None:
    """A random key in a file of its own, made 0600 on first use; None if absent and not to be made."""
    if not path.exists() and create:
        try:
            _write_private(path, secrets.token_hex(32).encode(), exclusive=True)
        except FileExistsError:  # another thread made it first
            pass
    return path.read_text().strip().encode() if path.exists() else None


def read(db: Path | str, signing_key: bytes) -> Head | None:
    """The checkpoint, None when there is none; HeadError when it is unreadable or not signed with this key."""
    path = head_file(db)
    if not path.exists():
        return None
    try:
        stored = json.loads(path.read_text())
        head = Head(int(stored["entry_id"]), str(stored["entry_hash"]), int(stored["keyed_from"]))
        signature = str(stored["signature"])
    except (ValueError, KeyError, TypeError) as error:
        raise HeadError(f"the checkpoint {path} cannot be read ({error.__class__.__name__})") from None
    if not hmac.compare_digest(signature, _signature(signing_key, head)):
        raise HeadError(f"the checkpoint {path} is not signed with the log's key: it was edited or replaced")
    return head


def write(db: Path | str, signing_key: bytes, head: Head) -> None:
    """Replace the checkpoint atomically (a reader sees the old one or the new one, never half of either)."""
    text = json.dumps({"entry_id": head.entry_id, "entry_hash": head.entry_hash, "keyed_from": head.keyed_from,
                       "signature": _signature(signing_key, head)})
    path = head_file(db)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    _write_private(partial, text.encode(), exclusive=False)
    os.replace(partial, path)


def _signature(signing_key: bytes, head: Head) -> str:
    return hmac.new(signing_key, json.dumps([head.entry_id, head.entry_hash, head.keyed_from]).encode(), hashlib.sha256).hexdigest()


def _write_private(path: Path, data: bytes, exclusive: bool) -> None:
    """Write a file created 0600 from the start, flushed to disk before it is used."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
