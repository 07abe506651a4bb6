"""Local accounts: argon2id-hashed, in a file beside the database, never committed; failed sign-ins slowed and then
locked per name tried, counted before the password is checked, and the same for a name that is no account."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import argon2
import bcrypt

from etl import settings
from etl.access.policy import LOGIN_ROLES, User

# argon2-cffi's defaults are RFC 9106's second recommended profile: argon2id, t=3, 64 MiB, p=4. Any length works.
_HASHER = argon2.PasswordHasher()
# Checked against when the user does not exist, so a wrong name costs as long as a wrong password.
_UNKNOWN_USER_HASH = _HASHER.hash("not a password")

# Rate limiting (NIST SP 800-63B 5.2.2; OWASP Authentication Cheat Sheet): the first FREE_FAILURES wrong passwords in
# a row cost nothing extra; each one after makes the account wait before its password is checked again, 5 s doubling
# to 80 s; the LOCK_AFTER-th locks it for LOCK_MINUTES, and so does every failure after that until a sign-in succeeds
# or `claimscope users add` resets the account. About 10 guesses in the first 18 minutes, then 4 an hour. A name that
# is no account is counted and answered the same, so the answers do not tell which names exist; and every name's
# failures are forgotten FORGET_HOURS after the last one, which bounds what a spray of made-up names can leave on file.
FREE_FAILURES = 5
FIRST_WAIT_SECONDS = 5
LOCK_AFTER = 10
LOCK_MINUTES = 15
FORGET_HOURS = 24

# The dashboard's threads update a file one at a time, and processes (the dashboard, `claimscope users`) take its lock
# file too; every write replaces the file whole, so no reader sees half of it.
_file_lock = threading.Lock()


class AccessError(Exception):
    """A user-management request that cannot be done; the message says why."""


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to: the user when it succeeded, else the reason for the audit trail (never the
    password), the failures in a row and the wait before the name's password is checked again; and whether the name
    is an account's, for the audit trail alone (it logs no other name)."""
    user: User | None
    reason: str = ""
    failures: int = 0
    wait_seconds: int = 0
    is_account: bool = False

    @property
    def locked(self) -> bool:
        return self.failures >= LOCK_AFTER and self.wait_seconds > 0


def users_file(db: Path | str) -> Path:
    """$CLAIMSCOPE_USERS, else `<db>.users.json`."""
    return settings.users_file(db)


def sign_ins_file(path: Path) -> Path:
    """The failed sign-ins of every name tried, beside the accounts file: `<db>.users.sign-ins.json`."""
    return path.with_name(f"{path.stem}.sign-ins{path.suffix}")


def _read(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _write(path: Path, users: dict) -> None:
    """Replace the file atomically, created 0600."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(users, indent=2, sort_keys=True))
    os.replace(partial, path)


def _normalized(password: str) -> bytes:
    """NFKC, so an é typed as one code point or as e plus an accent is the same password (NIST SP 800-63B 5.1.1.2)."""
    return unicodedata.normalize("NFKC", password).encode()


def clock() -> datetime:
    """The time now, in UTC; a test sets it to step through a lockout."""
    return datetime.now(timezone.utc)


def add_user(path: Path, name: str, role: str, password: str) -> None:
    """Create or reset an account (which also clears its failed sign-ins); the password is kept only as an argon2id
    hash."""
    if role not in LOGIN_ROLES:
        raise AccessError(f"role must be one of {', '.join(LOGIN_ROLES)}, not {role!r}")
    if len(password) < 12:
        raise AccessError("a password needs at least 12 characters")
    password_hash = _HASHER.hash(_normalized(password))
    with _locked(path):
        users = _read(path)
        users[name] = {
            "role": role,
            "password_hash": password_hash,
            "disabled": False,
            "changed_at": clock().isoformat(timespec="seconds"),
        }
        _write(path, users)
    _clear_failures(path, name)


def disable_user(path: Path, name: str) -> None:
    """Stop an account from signing in, and end its open sessions at their next request; it stays on file for the
    audit trail."""
    with _locked(path):
        users = _read(path)
        if name not in users:
            raise AccessError(f"no user {name!r} in {path}")
        users[name].update(disabled=True, changed_at=clock().isoformat(timespec="seconds"))
        _write(path, users)


def list_users(path: Path) -> list[dict]:
    """Every account: name, role, disabled, last changed (never the hash)."""
    return [{"name": name, "role": entry["role"], "disabled": entry["disabled"], "changed_at": entry["changed_at"]}
            for name, entry in sorted(_read(path).items())]


def authenticate(path: Path, name: str, password: str) -> SignIn:
    """Check a name and password against an enabled account, unless the name must wait after failed sign-ins. The
    attempt is counted as a failure before its password is checked, in one step with the wait's check, so concurrent
    guesses each count; a name that is no account is counted, checked against a dummy hash and answered the same. A
    success clears the failures and rehashes a bcrypt or outdated hash as argon2id."""
    entry = _read(path).get(name)
    is_account = entry is not None
    failures, wait = _count_failure(path, name)
    if wait > 0:
        return SignIn(None, "locked" if failures >= LOCK_AFTER else "waiting after failed sign-ins", failures, _ceil(wait),
                      is_account)
    if not _matches(entry["password_hash"] if is_account else _UNKNOWN_USER_HASH, password) or not is_account:
        return SignIn(None, "wrong password" if is_account else "unknown user", failures, _ceil(_wait_after(failures)),
                      is_account)
    _clear_failures(path, name)
    if entry["disabled"]:
        return SignIn(None, "account disabled", is_account=True)
    if _needs_new_hash(entry["password_hash"]):
        _update(path, name, password_hash=_HASHER.hash(_normalized(password)))
    return SignIn(User(name, entry["role"]), is_account=True)


def _count_failure(path: Path, name: str) -> tuple[int, float]:
    """Under the lock: the name's failures and the seconds it must still wait; when it need not wait, this attempt is
    counted as one more failure (a success clears it) and (failures with it, 0) returned."""
    with _locked(path):
        now = clock()  # read under the lock, so no attempt is timed before the failure it waits on
        record = _read_sign_ins(path, now)
        tried = _name_key(record["salt"], name)
        failures, last_failed_at = record["names"].get(tried, (0, None))
        waited = max(0.0, (now - datetime.fromisoformat(last_failed_at)).total_seconds()) if last_failed_at else 0.0
        if (wait := _wait_after(failures) - waited) > 0:
            return failures, wait
        record["names"][tried] = (failures + 1, now.isoformat())
        _write(sign_ins_file(path), record)
    return failures + 1, 0.0


def _clear_failures(path: Path, name: str) -> None:
    with _locked(path):
        record = _read_sign_ins(path, clock())
        if record["names"].pop(_name_key(record["salt"], name), None) is not None:
            _write(sign_ins_file(path), record)


def _read_sign_ins(path: Path, now: datetime) -> dict:
    """Failures by a keyed hash of the name tried, so a password typed as a name is not kept as typed; those whose
    last failure is FORGET_HOURS old are left out, and so dropped at the next write."""
    record = _read(sign_ins_file(path)) or {"salt": secrets.token_hex(16), "names": {}}
    forget_before = now - timedelta(hours=FORGET_HOURS)
    record["names"] = {tried: (failures, at) for tried, (failures, at) in record["names"].items()
                       if datetime.fromisoformat(at) >= forget_before}
    return record


def _name_key(salt: str, name: str) -> str:
    return hmac.new(salt.encode(), name.encode(), hashlib.sha256).hexdigest()


@contextmanager
def _locked(path: Path):
    """This process's threads one at a time, and other processes through an flock on `<file>.lock`."""
    with _file_lock, open(path.with_name(f"{path.name}.lock"), "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def _wait_after(failures: int) -> float:
    if failures >= LOCK_AFTER:
        return LOCK_MINUTES * 60.0
    if failures >= FREE_FAILURES:
        return FIRST_WAIT_SECONDS * 2.0 ** (failures - FREE_FAILURES)
    return 0.0


def _ceil(seconds: float) -> int:
    return int(-(-seconds // 1))


def _matches(stored: str, password: str) -> bool:
    if stored.startswith("$2"):
        # bcrypt hashes from before argon2id: bcrypt 4 hashed only the first 72 bytes and bcrypt 5 refuses longer
        # input, so the same 72 bytes are checked
        return bcrypt.checkpw(password.encode()[:72], stored.encode())
    try:
        return _HASHER.verify(stored, _normalized(password))
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def _needs_new_hash(stored: str) -> bool:
    return stored.startswith("$2") or _HASHER.check_needs_rehash(stored)


def _update(path: Path, name: str, **fields) -> None:
    with _locked(path):
        users = _read(path)
        if name in users:
            users[name].update(fields)
            _write(path, users)


def role_of(path: Path, name: str) -> str | None:
    """The role of an enabled account (for a user signed in through OIDC, by e-mail)."""
    entry = _read(path).get(name)
    return None if entry is None or entry["disabled"] else entry["role"]


def still_allowed(path: Path, user: User) -> bool:
    """Whether a signed-in session may go on: not once its account is disabled or given another role. A name with no
    account on file (an OIDC session checked elsewhere, a test's seeded user) is left alone."""
    entry = _read(path).get(user.name)
    return entry is None or (not entry["disabled"] and entry["role"] == user.role)
