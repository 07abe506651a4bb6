"""The role policy (etl/reference/access_policy.yaml): which pages each role opens, and whether it sees PHI."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
import yaml

from etl import settings

POLICY_FILE = settings.REFERENCE_DIR / "access_policy.yaml"
LOGIN_ROLES = ("manager", "biller", "auditor", "admin")


@dataclass(frozen=True)
class User:
    name: str
    role: str


@lru_cache(maxsize=1)
def policy() -> dict:
    """The roles: the pages each may open, and whether it may see PHI and raw quarantined records."""
    return yaml.safe_load(POLICY_FILE.read_text())["roles"]


def may(role: str, capability: str) -> bool:
    """Whether a role may open a page (by url path) or use `phi` / `raw_records`."""
    rules = policy().get(role)
    if rules is None:
        return False
    return bool(rules.get(capability)) if capability in ("phi", "raw_records") else capability in rules["pages"]
