"""Every environment variable claimscope reads, with its default, in one place; each is read when asked for, so a
test or a second database can change it."""

from __future__ import annotations

import os
from pathlib import Path

# Where the code's own data lives: the SQL models, the GX suites and the versioned domain rules.
REPO_DIR = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_DIR / "sql"
SUITES_DIR = REPO_DIR / "expectations"
REFERENCE_DIR = REPO_DIR / "etl" / "reference"

DEFAULT_DB = Path("claimscope.duckdb")
DEFAULT_IDLE_MINUTES = 15.0


def db_path() -> Path:
    """The database: $CLAIMSCOPE_DB, else ./claimscope.duckdb."""
    return Path(os.environ.get("CLAIMSCOPE_DB", DEFAULT_DB))


def patient_key() -> bytes | None:
    """The patient-hashing key from $CLAIMSCOPE_PATIENT_KEY, or None to use the `<db>.key` file."""
    value = os.environ.get("CLAIMSCOPE_PATIENT_KEY")
    return value.encode() if value else None


def users_file(db: Path | str) -> Path:
    """The local accounts file: $CLAIMSCOPE_USERS, else `<db>.users.json`."""
    return Path(os.environ.get("CLAIMSCOPE_USERS", f"{db}.users.json"))


def uploads_folder(db: Path | str) -> Path:
    """Where the dashboard keeps each worksheet it loaded, as loaded: `<db>.uploads`, beside the database."""
    return Path(f"{db}.uploads")


def session_key() -> bytes | None:
    """The key that signs the dashboard's session cookie: $CLAIMSCOPE_SESSION_KEY, or None to use `<db>.session-key`."""
    value = os.environ.get("CLAIMSCOPE_SESSION_KEY")
    return value.encode() if value else None


def idle_minutes() -> float:
    """Minutes of inactivity before the dashboard signs a session out: $CLAIMSCOPE_IDLE_MINUTES, else 15."""
    return float(os.environ.get("CLAIMSCOPE_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))


def demo_mode() -> bool:
    """`make demo` sets CLAIMSCOPE_DEMO=1: synthetic data only, no sign-in."""
    return os.environ.get("CLAIMSCOPE_DEMO") == "1"


def smtp_login() -> tuple[str, str] | None:
    """The SMTP account a board pack is sent with (CLAIMSCOPE_SMTP_USER and CLAIMSCOPE_SMTP_PASSWORD), never taken
    from the command line, where it would show in the shell's history and the process list; None sends unauthenticated."""
    user = os.environ.get("CLAIMSCOPE_SMTP_USER")
    return (user, os.environ.get("CLAIMSCOPE_SMTP_PASSWORD", "")) if user else None


def smtp_starttls() -> bool:
    """Whether to upgrade the SMTP connection with STARTTLS before sending (CLAIMSCOPE_SMTP_STARTTLS=1)."""
    return os.environ.get("CLAIMSCOPE_SMTP_STARTTLS") == "1"


def mail_from() -> str:
    """The sender of board packs (CLAIMSCOPE_MAIL_FROM)."""
    return os.environ.get("CLAIMSCOPE_MAIL_FROM", "claimscope@localhost")


def quiet_great_expectations() -> None:
    """Great Expectations sends usage analytics unless told not to; a PHI tool sends nothing anywhere."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def audit_key_file() -> Path | None:
    """$CLAIMSCOPE_AUDIT_KEY_FILE: the audit trail's key, in a folder the database's editor cannot write (its
    checkpoints beside it); unset, both sit beside the database and tamper evidence is weak."""
    value = os.environ.get("CLAIMSCOPE_AUDIT_KEY_FILE")
    return Path(value) if value else None
