"""The one query that reads patient names and member ids (PHI), for roles allowed to see them."""

from __future__ import annotations

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import frame


@serves("phi")
def patient_identities(patient_keys: tuple[str, ...]) -> pl.DataFrame:
    """Names and member ids for these patients."""
    return frame(
        "select patient_key, patient_name, member_id from patient_identities where list_contains($keys, patient_key)",
        {"keys": list(patient_keys)},
    )
