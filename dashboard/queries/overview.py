"""Queries of the Overview: the headline figures, their trend and benchmarks, and the claims behind them."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import computed, frame, library
from etl.reports import board_pack, trends
from etl.reports.kpis import kpis
from etl.reports.scope import IN_SCOPE, Scope, as_of_in_scope

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
def board_pack_files(as_of: date, scope: Scope, preset: str) -> dict:
    """The board pack of `claimscope report` for this as-of date, scope and date preset (which sets the period its
    changes are taken against), patients masked: its HTML, and its PDF when Chromium is on the server (None
    otherwise), with its file name and data hash."""
    pack = library(_masked_pack)(as_of, scope, preset)
    return computed(_pack_files)(pack.html, pack.as_of.isoformat(), pack.data_hash)


def _masked_pack(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope, preset: str) -> board_pack.Pack:
    return board_pack.build(con, as_of, scope, preset=preset)


def _pack_files(html: str, as_of: str, data_hash: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / f"board_pack_{as_of}.html"
        page.write_text(html, encoding="utf-8")
        try:
            pdf = board_pack.print_to_pdf(page, page.with_suffix(".pdf")).read_bytes()
        except RuntimeError:
            pdf = None
    return {"name": page.stem, "html": html.encode(), "pdf": pdf, "data_hash": data_hash}
