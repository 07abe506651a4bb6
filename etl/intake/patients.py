"""Patient identity: a keyed hash so facts never carry a name or member id."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import polars as pl

from etl import settings

# Tests and in-memory databases share one fixed key; a real database gets its own key file.
_IN_MEMORY_KEY = b"claimscope-in-memory-key"
# How many people a hasher remembers (about 100 bytes each) before it starts over.
_REMEMBERED = 500_000


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
    """Turns a member id and name into a stable patient_key; each distinct person is hashed once."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._known: dict[str, str] = {}

    def patient_key(self, member_id: str | None, last_name: str | None, first_name: str | None) -> str | None:
        parts = [(part or "").strip().upper() for part in (member_id, last_name, first_name)]
        if not any(parts):
            return None
        return self._digest("|".join(parts))

    def patient_keys(self, people: pl.DataFrame) -> pl.Series:
        """patient_key for each row of member_id, last_name, first_name, hashing only the distinct people once (a
        practice's files name the same patients again and again)."""
        names = ["member_id", "last_name", "first_name"]
        distinct = people.select(names).unique()
        keys = [self.patient_key(*person) for person in distinct.iter_rows()]
        distinct = distinct.with_columns(pl.Series("patient_key", keys, dtype=pl.Utf8))
        return people.select(names).join(distinct, on=names, how="left", nulls_equal=True, maintain_order="left")["patient_key"]

    def _digest(self, text: str) -> str:
        # Birth date is left out: the 835 echoes member id and name but never the birth date.
        known = self._known.get(text)
        if known is None:
            if len(self._known) >= _REMEMBERED:
                self._known.clear()
            known = self._known[text] = hmac.digest(self._key, text.encode(), hashlib.sha256).hex()[:24]
        return known
