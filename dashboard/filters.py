"""The sidebar every report page shares: as-of date, date range (a preset or custom), payers and rendering providers;
kept across pages for the session and in the address, so a copied link shows the same view."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard.queries import sidebar as choices
from etl.reports.periods import PRESETS, preset_range
from etl.reports.scope import Scope

BASES = {"service": "Date of service", "submission": "Submission date"}
# The address's parameters; a page's own (the Claim page's claim_id) are left alone.
QUERY_KEYS = ("as_of", "basis", "dates", "from", "to", "payer", "provider")
_ISO_DATE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only: \d would take any script's


@dataclass(frozen=True)
class Filters:
    as_of: date
    scope: Scope
    preset: str = "all"


def sidebar() -> Filters:
    """Draw the shared filters, starting from this session's last choice (else the address's), and remember them."""
    payers = choices.payer_choices()
    names = dict(payers.select("payer_id", "payer_name").iter_rows())
    providers = choices.provider_choices()["rendering_npi"].to_list()
    span = choices.service_date_span()
    note = st.sidebar.empty()
    if "filters" not in st.session_state:
        addressed, ignored = from_query({key: st.query_params.get_all(key) for key in QUERY_KEYS}, set(names),
                                        set(providers), date.today(), span)
        st.session_state["filters"] = addressed
        st.session_state["address_left_out"] = (addressed, ignored)
    # Each widget's identity is its key, so these values only start a widget Streamlit has dropped, as it does for
    # those a page did not draw (the Claim page has no sidebar): the filters come back as they were.
    saved = st.session_state["filters"]
    bar = st.sidebar
    as_of = bar.date_input("As of", value=saved.as_of, key="as_of",
                           help="Aging, deadlines and every figure are counted as of this date.")
    basis = bar.radio("Date range by", list(BASES.values()), index=list(BASES).index(saved.scope.basis),
                      key="date_basis", horizontal=True)
    preset = bar.selectbox("Claims dated", list(PRESETS), index=list(PRESETS).index(saved.preset),
                           format_func=PRESETS.get, key="date_preset",
                           help="Only claims whose date of service (or submission) falls in this range are counted; "
                                "each preset ends on the as-of date.")
    if preset == "custom":
        chosen = bar.date_input("From – to", value=(saved.scope.start, saved.scope.end), key="date_range")
        start, end = (chosen[0], chosen[-1]) if isinstance(chosen, tuple) and chosen else all_dates(span, as_of)
    else:
        start, end = all_dates(span, as_of) if preset == "all" else preset_range(preset, as_of)
        bar.caption(f"{start} to {end}")
    chosen_payers = bar.multiselect("Payers", list(names), default=[p for p in saved.scope.payers if p in names],
                                    format_func=lambda payer_id: f"{names[payer_id]} ({payer_id})", key="payers",
                                    placeholder="All payers")
    chosen_providers = bar.multiselect("Rendering providers (NPI)", providers,
                                       default=[npi for npi in saved.scope.providers if npi in providers],
                                       key="providers", placeholder="All providers")
    basis_id = next(basis_id for basis_id, label in BASES.items() if label == basis)
    filters = Filters(as_of, Scope(tuple(chosen_payers), tuple(chosen_providers), start, end, basis_id), preset)
    st.session_state["filters"] = filters
    addressed, ignored = st.session_state.get("address_left_out", (None, ()))
    if ignored and filters == addressed:  # said until the user picks other filters
        note.caption(f"Left out of the address, not understood: {', '.join(ignored)}.")
    _show_in_address(filters)
    return filters


def all_dates(span: tuple[date, date] | None, as_of: date) -> tuple[date, date]:
    """From the first date on file to the last or the as-of date, whichever is later."""
    return (span[0], max(span[1], as_of)) if span else (as_of, as_of)


def from_query(params: Mapping[str, list[str]], payer_ids: set[str], provider_ids: set[str], today: date,
               span: tuple[date, date] | None) -> tuple[Filters, tuple[str, ...]]:
    """The filters an address asks for, each value checked as hostile input: an unknown payer or provider, a date that
    is not one, a preset or basis not offered is left out, and the parameter's name (never its value) is returned so
    the page can say so."""
    ignored: list[str] = []

    def last(key: str, read) -> object | None:
        values = params.get(key) or []
        value = read(values[-1]) if values else None
        if values and value is None:
            ignored.append(key)
        return value

    def known(key: str, allowed: set[str]) -> tuple[str, ...]:
        values = params.get(key) or []
        kept = tuple(dict.fromkeys(value for value in values if value in allowed))
        if len(kept) < len(values):
            ignored.append(key)
        return kept

    as_of = last("as_of", _iso_date) or today
    basis = last("basis", lambda value: value if value in BASES else None) or "service"
    preset = last("dates", lambda value: value if value in PRESETS else None) or "all"
    start, end = last("from", _iso_date), last("to", _iso_date)
    if preset == "custom" and not (start and end and start <= end):
        ignored.append("dates")
        preset = "all"
    if preset != "custom":
        start, end = all_dates(span, as_of) if preset == "all" else preset_range(preset, as_of)
    scope = Scope(known("payer", payer_ids), known("provider", provider_ids), start, end, basis)
    return Filters(as_of, scope, preset), tuple(dict.fromkeys(ignored))


def _iso_date(text: str) -> date | None:
    """A YYYY-MM-DD date from 1900 to 2999, or None for anything else (2026-02-30, year 1, a week number, a script)."""
    try:
        value = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        return None
    return value if value and date(1900, 1, 1) <= value <= date(2999, 12, 31) else None


def to_query(filters: Filters) -> dict[str, list[str]]:
    """The address's parameters for these filters; the as-of date always, so the link means the same tomorrow."""
    scope = filters.scope
    params = {"as_of": [filters.as_of.isoformat()], "basis": [scope.basis], "dates": [filters.preset]}
    if filters.preset == "custom":
        params |= {"from": [scope.start.isoformat()], "to": [scope.end.isoformat()]}
    if scope.payers:
        params["payer"] = list(scope.payers)
    if scope.providers:
        params["provider"] = list(scope.providers)
    return params


def _show_in_address(filters: Filters) -> None:
    """Put the filters in the address in one change (one history entry), leaving a page's own parameters alone."""
    shown = {key: st.query_params.get_all(key) for key in st.query_params}
    wanted = {key: values for key, values in shown.items() if key not in QUERY_KEYS} | to_query(filters)
    if wanted != shown:
        st.query_params.from_dict(wanted)


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
