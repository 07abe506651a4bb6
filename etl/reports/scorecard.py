"""The payer scorecard: each payer's headline figures side by side, and the funnel plot that judges their denial rates."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl

from etl.reports import stats
from etl.reports.kpis import kpis_by_payer
from etl.reports.scope import IN_SCOPE, Scope
from etl.reports.timelines import payment_waits, time_to_payment_by_payer

UNDERPAID_BY_PAYER_SQL = (
    "select payer_id, sum(shortfall_amount) as underpaid_amount"
    f" from underpaid_lines($as_of) where {IN_SCOPE} group by payer_id"
)
# Where the funnel's limit lines are drawn: every claim count up to this many, where a count more or less moves the
# limit visibly, then this many counts spaced evenly on a log scale.
FUNNEL_EVERY_COUNT_TO = 1000
FUNNEL_POINTS = 200

SCORECARD_COLUMNS = [
    "payer_id", "payer_name", "claim_count", "gross_charges", "payments", "adjudicated_claims", "first_denied_claims",
    "initial_denial_rate", "denial_rate_low", "denial_rate_high", "is_denial_rate_outlier", "net_collection_rate",
    "median_days_to_payment", "open_ar", "ar_over_90", "ar_over_90_share", "underpaid_amount",
]


def payer_scorecard(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> pl.DataFrame:
    """One row per payer in scope, each figure as the other reports compute it: `claimscope kpis --payer` for the counts,
    money and rates, with the 95% Wilson interval of the denial rate and whether it lies outside the funnel's 99.8%
    limits; the Timelines page's Kaplan–Meier median days to pay; the Late payments page's underpaid lines."""
    summaries = time_to_payment_by_payer(payment_waits(con, as_of, scope), by="payer_id")[0]
    if summaries.is_empty():
        summaries = pl.DataFrame(schema={"payer_id": pl.String, "median_days": pl.Float64})
    underpaid = con.sql(UNDERPAID_BY_PAYER_SQL, params={"as_of": as_of, **scope.params()}).pl()
    card = (
        kpis_by_payer(con, as_of, scope)
        .join(con.sql("select payer_id, payer_name from payers").pl(), on="payer_id", how="left")
        .join(summaries.select("payer_id", pl.col("median_days").alias("median_days_to_payment")), on="payer_id", how="left")
        .join(underpaid, on="payer_id", how="left")
        .with_columns(pl.col("underpaid_amount").fill_null(0).cast(pl.Decimal(38, 2)))
    )
    return with_denial_judgement(card).select(SCORECARD_COLUMNS).sort("payer_name", "payer_id")


def with_denial_judgement(card: pl.DataFrame) -> pl.DataFrame:
    """Payers' first_denied_claims and adjudicated_claims with the 95% Wilson interval of each rate (denial_rate_low,
    denial_rate_high) and whether it lies outside the funnel's 99.8% limits around their pooled rate."""
    denied, adjudicated = card["first_denied_claims"].to_numpy(), card["adjudicated_claims"].to_numpy()
    intervals = [stats.wilson_interval(int(d), int(n)) if n else (None, None) for d, n in zip(denied, adjudicated)]
    rate = pooled_denial_rate(card)
    outlier = (stats.outside_funnel(denied, adjudicated, rate, max(stats.FUNNEL_COVERAGES)) & (adjudicated > 0)
               if rate is not None else np.zeros(len(card), dtype=bool))
    return card.with_columns(
        pl.Series("denial_rate_low", [low for low, _ in intervals], pl.Float64),
        pl.Series("denial_rate_high", [high for _, high in intervals], pl.Float64),
        pl.Series("is_denial_rate_outlier", outlier, pl.Boolean),
    )


def limits_in_words(card: pl.DataFrame) -> list[str]:
    """Each payer's verdict from the funnel in words, for the page's table and the board pack: outside the 99.8% limits
    and on which side of the pooled rate, within them, or no claim adjudicated to judge."""
    rate = pooled_denial_rate(card)
    return ["No claims adjudicated" if not adjudicated else "Within limits" if not outside
            else f"Outside limits: denial rate {'high' if payer_rate > rate else 'low'}"
            for adjudicated, outside, payer_rate in zip(card["adjudicated_claims"], card["is_denial_rate_outlier"],
                                                        card["initial_denial_rate"])]


def pooled_denial_rate(card: pl.DataFrame) -> float | None:
    """The practice's initial denial rate over the payers of the scorecard: their first denials ÷ their adjudications."""
    adjudicated = int(card["adjudicated_claims"].sum())
    return int(card["first_denied_claims"].sum()) / adjudicated if adjudicated else None


def funnel_curves(rate: float, most_claims: int) -> pl.DataFrame:
    """The funnel's control limits as rates, from 1 to `most_claims` adjudicated claims: one row per claim count and
    coverage (95%, 99.8%), with the lower and upper limit. The limits are whole counts, so they step with the count."""
    most_claims = max(most_claims, 1)
    trials = np.unique(np.concatenate([
        np.arange(1, min(most_claims, FUNNEL_EVERY_COUNT_TO) + 1),
        np.geomspace(min(most_claims, FUNNEL_EVERY_COUNT_TO), most_claims, FUNNEL_POINTS).round().astype(int),
    ]))
    rows = []
    for coverage in stats.FUNNEL_COVERAGES:
        low, high = stats.funnel_limits(trials, rate, coverage)
        rows.append(pl.DataFrame({"adjudicated_claims": trials, "coverage": np.full(len(trials), coverage),
                                  "low": low / trials, "high": high / trials}))
    return pl.concat(rows)
