"""Windows a figure is counted over that more than one module uses (the ledger's monthly A/R, the KPIs, the trends),
defined once so that each counts it the same way."""

from __future__ import annotations

# Days in A/R divides open A/R by the average daily charges of this many days (the charges served in the days up to
# the as-of date or the period end); monthly_ar keeps those charges beside the balance.
CHARGE_WINDOW_DAYS = 90
