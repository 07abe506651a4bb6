"""Local accounts: bcrypt-hashed, in a file beside the database, never committed."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import bcrypt

from etl import settings
from etl.access.policy import LOGIN_ROLES, User

# Checked against when the user does not exist, so a wrong name costs as long as a wrong password.
_UNKNOWN_USER_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt())


class AccessError(Exception):
    """A user-management request that cannot be done; the message says why."""


def users_file(db: Path | str) -> Path:
    """$CLAIMSCOPE_USERS, else `<db>.users.json`."""
    return settings.users_file(db)


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _write(path: Path, users: dict) -> None:
    path.write_text(json.dumps(users, indent=2, sort_keys=True))
    path.chmod(0o600)


def add_user(path: Path, name: str, role: str, password: str) -> None:
    """Create or reset an account; the password is kept only as a bcrypt hash."""
    if role not in LOGIN_ROLES:
        raise AccessError(f"role must be one of {', '.join(LOGIN_ROLES)}, not {role!r}")
    if len(password) < 12:
        raise AccessError("a password needs at least 12 characters")
    users = _read(path)
    users[name] = {
        "role": role,
        "password_hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode(),
        "disabled": False,
        "changed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    _write(path, users)


def disable_user(path: Path, name: str) -> None:
    """Stop an account from signing in; it stays on file for the audit trail."""
    users = _read(path)
    if name not in users:
        raise AccessError(f"no user {name!r} in {path}")
    users[name].update(disabled=True, changed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    _write(path, users)


def list_users(path: Path) -> list[dict]:
    """Every account: name, role, disabled, last changed (never the hash)."""
    return [{"name": name, "role": entry["role"], "disabled": entry["disabled"], "changed_at": entry["changed_at"]}
            for name, entry in sorted(_read(path).items())]


def authenticate(path: Path, name: str, password: str) -> User | None:
    """The user if the name and password match an enabled account, else None."""
    entry = _read(path).get(name)
    stored = entry["password_hash"].encode() if entry else _UNKNOWN_USER_HASH
    matches = bcrypt.checkpw(password.encode(), stored)
    if entry is None or entry["disabled"] or not matches:
        return None
    return User(name, entry["role"])


def role_of(path: Path, name: str) -> str | None:
    """The role of an enabled account (for a user signed in through OIDC, by e-mail)."""
    entry = _read(path).get(name)
    return None if entry is None or entry["disabled"] else entry["role"]
