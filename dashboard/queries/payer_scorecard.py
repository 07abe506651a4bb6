"""Queries of the Payer scorecard: every payer's figures side by side, and the funnel plot of their denial rates."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import computed, library
from etl.reports import formats, scorecard
from etl.reports.scope import Scope


@serves("payer_scorecard")
def payer_scorecard(as_of: date, scope: Scope) -> pl.DataFrame:
    """One row per payer in scope, each figure as the Overview, Timelines and Late payments pages compute it."""
    return library(scorecard.payer_scorecard)(as_of, scope)


@serves("payer_scorecard")
def denial_funnel(as_of: date, scope: Scope) -> tuple[float | None, pl.DataFrame]:
    """The practice's pooled initial denial rate and the funnel's 95% and 99.8% control limits around it."""
    card = payer_scorecard(as_of, scope)
    rate = scorecard.pooled_denial_rate(card)
    if rate is None:
        return None, pl.DataFrame()
    return rate, computed(scorecard.funnel_curves)(rate, int(card["adjudicated_claims"].max()))


@serves("payer_scorecard")
def payer_scorecard_table(as_of: date, scope: Scope) -> pl.DataFrame:
    """The scorecard as the page's table shows it: the denial rate's 95% interval as one range, and the funnel's verdict
    in words (whether the rate lies outside the 99.8% limits, and on which side) instead of a tick box."""
    card = payer_scorecard(as_of, scope)
    intervals = [formats.MISSING if low is None else f"{formats.percent(low)}–{formats.percent(high)}"
                 for low, high in zip(card["denial_rate_low"], card["denial_rate_high"])]
    return card.with_columns(pl.Series("denial_rate_interval", intervals, pl.String),
                             pl.Series("denial_rate_limits", scorecard.limits_in_words(card), pl.String))
