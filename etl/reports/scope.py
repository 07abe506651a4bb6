"""Which claims a report covers: payers, rendering providers and a date range, all bound to SQL as parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

# Every mart a scoped report reads carries these four columns; sql/marts/in_scope.sql tests them.
SCOPE_PREDICATE = "in_scope(payer_id, rendering_npi, service_date_from, submitted_date, $payers, $providers, $basis, $start, $end)"

EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 31)


@dataclass(frozen=True)
class Scope:
    """Claims of these payers and providers (empty means all) dated in [start, end] by service or submission date."""

    payers: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    basis: Literal["service", "submission"] = "service"

    def params(self) -> dict:
        return {
            "payers": list(self.payers),
            "providers": list(self.providers),
            "basis": self.basis,
            "start": self.start or EARLIEST,
            "end": self.end or LATEST,
        }
