"""Which claims a report covers: payers, rendering providers and a date range, bound to SQL as one struct parameter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

# Every mart a scoped report reads carries these four columns; sql/macros/in_scope.sql holds the rule.
IN_SCOPE = "in_scope(payer_id, rendering_npi, service_date_from, submitted_date, $scope)"
# The same scope without its dates, for the trends, whose dates choose the periods (sql/macros/in_payers_and_providers.sql).
IN_PAYERS_AND_PROVIDERS = "in_payers_and_providers(payer_id, rendering_npi, $scope)"


def as_of_in_scope(date_column: str) -> str:
    """The condition of a scoped report over events: the row's `date_column` is on or before $as_of, its claim in scope."""
    return f"{date_column} <= $as_of and {IN_SCOPE}"


@dataclass(frozen=True)
class Scope:
    """Claims of these payers and providers (empty means all) dated in [start, end] by service or submission date."""

    payers: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    basis: Literal["service", "submission"] = "service"

    def params(self) -> dict:
        """The `$scope` parameter that sql/macros/in_scope.sql reads."""
        return {"scope": self.as_struct()}

    def as_struct(self) -> dict:
        """The scope as a DuckDB struct (and as the audit log records it)."""
        return {
            "payers": list(self.payers),
            "providers": list(self.providers),
            "basis": self.basis,
            "start_date": self.start,
            "end_date": self.end,
        }
