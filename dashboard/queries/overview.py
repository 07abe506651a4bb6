"""Queries of the Overview: the headline figures, their trend and benchmarks, and the claims behind them."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import computed, frame, library
from etl.reports import board_pack, trends
from etl.reports.aging import AR_OVER_DAYS
from etl.reports.kpis import SETTLED_AFTER_DAYS, kpis
from etl.reports.scope import IN_SCOPE, Scope, as_of_in_scope

# The claims behind each tile, as etl/reports/kpis.py counts them (FIGURES_BY_PAYER_SQL): which rows, and the column
# whose sum (or whose count, for a counted rate) is the tile's numerator. tests/test_overview_drill.py holds each
# against `claimscope kpis`.
# The balance next to the claim, in view without scrolling sideways; the rest of the arithmetic after it.
_BALANCE_COLUMNS = ("claim_id, payer_name, service_date_from, days_since_service, balance_amount, charge_amount,"
                    " paid_to_date_amount, contractual_amount, patient_responsibility_amount, submitted_date,"
                    " last_status_code, payer_id")
TILE_CLAIMS = {
    "initial_denial_rate": (
        "select claim_id, payer_name, carc_code, carc_category, denied_charge_amount, adjudicated_date,"
        " service_date_from, charge_amount, payer_id"
        f" from initial_adjudications where {as_of_in_scope('adjudicated_date')} and is_denied"
        " order by denied_charge_amount desc, claim_id",
        "denied_charge_amount",
    ),
    "first_pass_resolution_rate": (
        f"select {_BALANCE_COLUMNS} from insurance_balances($as_of) where {IN_SCOPE}"
        " and adjudication_count = 1 and last_status_code in ('1', '2', '3', '19') and paid_to_date_amount > 0"
        " and paid_to_date_amount = paid_amount order by paid_to_date_amount desc, claim_id",
        "paid_to_date_amount",
    ),
    "net_collection_rate": (
        "select claim_id, payer_name, service_date_from, days_since_service, paid_to_date_amount,"
        " charge_amount - contractual_amount - patient_responsibility_amount as collectible_amount, charge_amount,"
        " contractual_amount, patient_responsibility_amount, balance_amount, payer_id"
        f" from insurance_balances($as_of) where {IN_SCOPE} and service_date_from <= $as_of - {SETTLED_AFTER_DAYS}"
        " order by collectible_amount desc, claim_id",
        "paid_to_date_amount",
    ),
    "days_in_ar": (
        f"select {_BALANCE_COLUMNS} from insurance_balances($as_of) where {IN_SCOPE} and balance_amount > 0"
        " order by balance_amount desc, claim_id",
        "balance_amount",
    ),
    **{
        f"{figure}_share": (
            f"select {_BALANCE_COLUMNS} from insurance_balances($as_of) where {IN_SCOPE} and balance_amount > 0"
            f" and days_since_service > {days} order by balance_amount desc, claim_id",
            "balance_amount",
        )
        for figure, days in AR_OVER_DAYS.items()
    },
}

@serves("overview")
def headline_figures(as_of: date, scope: Scope) -> dict:
    """The KPI figures of `claimscope kpis` as of a date for the claims in scope."""
    return library(kpis)(as_of, scope)


@serves("overview")
def kpi_trend(as_of: date, scope: Scope) -> pl.DataFrame:
    """The headline figures period by period (etl/reports/trends.py): months, or weeks for a range under three months."""
    return library(trends.trend)(as_of, scope)


@serves("overview")
def kpi_benchmarks() -> dict[str, dict]:
    """Each headline figure's benchmark, better direction, label and source (etl/reference/kpi_benchmarks.csv)."""
    benchmarks = frame("select kpi, benchmark, direction, label, source from kpi_benchmarks")
    return {row["kpi"]: row for row in benchmarks.iter_rows(named=True)}


@serves("overview")
def days_to_payment_by_payer(as_of: date, scope: Scope) -> pl.DataFrame:
    """Median days from first submission to first payment, over claims paid by the as-of date only, by payer."""
    return frame(
        "select payer_name, count(*) as paid_claims, median(days_to_first_payment) as naive_median_days_paid_only"
        f" from payment_timelines where {as_of_in_scope('first_payment_date')}"
        " group by payer_name order by naive_median_days_paid_only desc",
        {"as_of": as_of, **scope.params()},
    )


@serves("overview")
def claims_behind_figures(as_of: date, scope: Scope) -> pl.DataFrame:
    """The insurance claims the money figures add up: charge, payments, adjustments and balance of each, as of the date."""
    return frame(
        "select claim_id, payer_id, payer_name, service_date_from, submitted_date, charge_amount, paid_to_date_amount,"
        " contractual_amount, patient_responsibility_amount, balance_amount, last_status_code"
        f" from insurance_balances($as_of) where {IN_SCOPE} order by balance_amount desc, claim_id",
        {"as_of": as_of, **scope.params()},
    )


@serves("overview")
def claims_behind_tile(as_of: date, scope: Scope, figure: str) -> dict:
    """The claims one headline tile counts, as etl/reports/kpis.py counts them: first-denied claims for the denial rate,
    claims resolved on their first pass, settled claims for net collection, open claims for Days in A/R and those past
    the cut-off for the A/R-over shares; with their number and the sum of the column the tile's numerator adds up."""
    sql, column = TILE_CLAIMS[figure]
    claims = frame(sql, {"as_of": as_of, **scope.params()})
    return {"claims": claims, "count": len(claims), "column": column,
            "amount": claims[column].sum() if len(claims) else Decimal("0.00")}


@serves("overview")
def board_pack_files(as_of: date, scope: Scope, preset: str) -> dict:
    """The board pack of `claimscope report` for this as-of date, scope and date preset (which sets the period its
    changes are taken against), patients masked: its HTML, and its PDF when Chromium is on the server (None
    otherwise), with its file name and data hash."""
    pack = library(_masked_pack)(as_of, scope, preset)
    return computed(_pack_files)(pack.html, pack.file_stem, pack.data_hash)


def _masked_pack(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope, preset: str) -> board_pack.Pack:
    return board_pack.build(con, as_of, scope, preset=preset)


def _pack_files(html: str, file_stem: str, data_hash: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / f"{file_stem}.html"
        page.write_text(html, encoding="utf-8")
        try:
            pdf = board_pack.print_to_pdf(page, page.with_suffix(".pdf")).read_bytes()
        except RuntimeError:
            pdf = None
    return {"name": page.stem, "html": html.encode(), "pdf": pdf, "data_hash": data_hash}
