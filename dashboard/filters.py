"""The sidebar every report page shares: as-of date, date range, payers and rendering providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard.queries import sidebar as choices
from etl.reports.scope import Scope


@dataclass(frozen=True)
class Filters:
    as_of: date
    scope: Scope


def sidebar() -> Filters:
    """Draw the shared filters and remember them for the page this run shows."""
    bar = st.sidebar
    as_of = bar.date_input("As of", value=date.today(), key="as_of", help="Aging, deadlines and every figure are counted as of this date.")
    basis = bar.radio("Date range by", ["Date of service", "Submission date"], key="date_basis", horizontal=True)
    span = choices.service_date_span() or (as_of, as_of)
    chosen = bar.date_input("Claims dated", value=(span[0], max(span[1], as_of)), key="date_range",
                            help="Only claims whose date of service (or submission) falls in this range are counted.")
    start, end = (chosen[0], chosen[-1]) if isinstance(chosen, tuple) and chosen else (span[0], as_of)
    payers = choices.payer_choices()
    names = dict(payers.select("payer_id", "payer_name").iter_rows())
    chosen_payers = bar.multiselect("Payers", list(names), format_func=lambda payer_id: f"{names[payer_id]} ({payer_id})",
                                    key="payers", placeholder="All payers")
    providers = bar.multiselect("Rendering providers (NPI)", choices.provider_choices()["rendering_npi"].to_list(),
                                key="providers", placeholder="All providers")
    filters = Filters(as_of, Scope(tuple(chosen_payers), tuple(providers), start, end,
                                   "submission" if basis == "Submission date" else "service"))
    st.session_state["filters"] = filters
    return filters


def current() -> Filters:
    """The filters the sidebar set on this run."""
    return st.session_state["filters"]


def as_of_or_today() -> date:
    """The as-of date a report page last set, or today on a page without the sidebar opened first."""
    return st.session_state["filters"].as_of if "filters" in st.session_state else date.today()


def describe(filters: Filters) -> str:
    """One line saying which claims the page counts."""
    scope = filters.scope
    basis = "submitted" if scope.basis == "submission" else "served"
    parts = [f"As of {filters.as_of}", f"claims {basis} {scope.start} to {scope.end}"]
    if scope.payers:
        parts.append(f"{len(scope.payers)} payer(s)")
    if scope.providers:
        parts.append(f"{len(scope.providers)} provider(s)")
    return " · ".join(parts)
