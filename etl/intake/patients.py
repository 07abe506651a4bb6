"""Patient identity: a keyed hash so facts never carry a name or member id."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from etl import settings

# Tests and in-memory databases share one fixed key; a real database gets its own key file.
_IN_MEMORY_KEY = b"claimscope-in-memory-key"


def key_for_database(db: Path | str) -> bytes:
    """The hashing key: settings.patient_key ($CLAIMSCOPE_PATIENT_KEY), else `<db>.key`, created on first use."""
    from_env = settings.patient_key()
    if from_env:
        return from_env
    if str(db) == ":memory:":
        return _IN_MEMORY_KEY
    key_path = Path(f"{db}.key")
    if not key_path.exists():
        key_path.write_text(secrets.token_hex(32))
        key_path.chmod(0o600)
    return key_path.read_text().strip().encode()


class PatientHasher:
    """Turns a member id and name into a stable patient_key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def patient_key(self, member_id: str | None, last_name: str | None, first_name: str | None) -> str | None:
        parts = [(part or "").strip().upper() for part in (member_id, last_name, first_name)]
        if not any(parts):
            return None
        # Birth date is left out: the 835 echoes member id and name but never the birth date.
        return hmac.digest(self._key, "|".join(parts).encode(), hashlib.sha256).hex()[:24]
