"""Denial-rate jumps: the weeks a payer's first denials of one CARC category rose beyond its trailing baseline."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

# The baseline is the payer's 8 calendar weeks before the week tested: long enough that one odd week barely moves it,
# short enough to follow a payer's slow drift. A week is tested only once that much history is in the counts.
BASELINE_WEEKS = 8
# Benjamini–Hochberg (1995) over every payer × category × week tested at once: of the weeks flagged, no more than 5%
# are expected to be noise, however many payers, categories and weeks there are.
FALSE_DISCOVERY_RATE = 0.05

# What denial_jumps reads: one row per payer, CARC category and ISO week (its Monday) in which the payer adjudicated
# claims; adjudicated_count counts all the payer's first adjudications that week, denied_count those first denied for
# the category, and carc_code is the category's commonest CARC that week.
WEEKLY_COLUMNS = ["payer_id", "payer_name", "carc_category", "adjudicated_week", "adjudicated_count", "denied_count", "carc_code"]
SERIES = ["payer_id", "carc_category"]
JUMP_COLUMNS = [
    "payer_id", "payer_name", "carc_category", "carc_code", "adjudicated_week", "denied_count", "adjudicated_count",
    "denial_rate", "baseline_denied_count", "baseline_adjudicated_count", "baseline_rate", "p_value", "q_value", "finding",
]


def denial_jumps(weekly: pl.DataFrame) -> pl.DataFrame:
    """The weeks whose denial rate rose beyond its baseline (WEEKLY_COLUMNS in, JUMP_COLUMNS out), latest first."""
    tested = _with_baselines(weekly).filter(
        pl.col("baseline_adjudicated_count").is_not_null()  # a full baseline window behind the week
        & (pl.col("adjudicated_count") > 0)
        & (pl.col("baseline_adjudicated_count") > 0)
        & (pl.col("denied_count") + pl.col("baseline_denied_count") > 0)  # no denial in either: nothing to test
    ).with_columns(
        denial_rate=pl.col("denied_count") / pl.col("adjudicated_count"),
        baseline_rate=pl.col("baseline_denied_count") / pl.col("baseline_adjudicated_count"),
    )
    if tested.is_empty():
        return pl.DataFrame(schema=_jump_schema(weekly))
    # One-sided exact conditional binomial test of two rates (Przyborowski & Wilenski 1940, Biometrika 31; statsmodels
    # calls it test_poisson_2indep(method="exact-cond")): if the week's rate equals its baseline's, each of the m denials
    # of the week and its baseline together fell in the week with probability n / (n + N), n and N the claims
    # adjudicated in each.
    # Conditioning on m allows for the baseline being an estimate, so a baseline without a single denial needs no
    # special case: one denial after eight clean weeks is no jump. Fisher's exact test is the exact version for claim
    # counts; for denials, a small share of the claims, the two agree.
    p_values = [
        binomtest(denied, denied + baseline_denied, claims / (claims + baseline_claims), alternative="greater").pvalue
        for denied, baseline_denied, claims, baseline_claims in tested.select(
            "denied_count", "baseline_denied_count", "adjudicated_count", "baseline_adjudicated_count").iter_rows()
    ]
    rejected, q_values, _, _ = multipletests(p_values, alpha=FALSE_DISCOVERY_RATE, method="fdr_bh")
    return (
        tested.with_columns(p_value=pl.Series(p_values), q_value=pl.Series(q_values), is_jump=pl.Series(rejected))
        .filter(pl.col("is_jump"))
        .with_columns(finding=_finding())
        .select(JUMP_COLUMNS)
        .sort(["adjudicated_week", "q_value", "payer_name", "carc_category"], descending=[True, False, False, False])
    )


def _with_baselines(weekly: pl.DataFrame) -> pl.DataFrame:
    """Every series on every week from the first to the last (weeks without claims count zero), with the sums of the
    BASELINE_WEEKS weeks before each week; null until that many weeks are behind it."""
    if weekly.is_empty():
        return weekly.with_columns(baseline_denied_count=pl.lit(None, pl.Int64), baseline_adjudicated_count=pl.lit(None, pl.Int64))
    first, last = weekly["adjudicated_week"].min(), weekly["adjudicated_week"].max()
    weeks = pl.DataFrame({"adjudicated_week": pl.date_range(first, last, timedelta(weeks=1), eager=True)})
    series = weekly.group_by(SERIES).agg(pl.col("payer_name").last())
    trailing = lambda column: pl.col(column).rolling_sum(BASELINE_WEEKS).shift(1).over(SERIES)  # noqa: E731
    return (
        series.join(weeks, how="cross")
        .join(weekly.drop("payer_name"), on=[*SERIES, "adjudicated_week"], how="left")
        .with_columns(pl.col("adjudicated_count", "denied_count").fill_null(0))
        .sort([*SERIES, "adjudicated_week"])
        .with_columns(baseline_denied_count=trailing("denied_count"), baseline_adjudicated_count=trailing("adjudicated_count"))
    )


def _finding() -> pl.Expr:
    """The jump in words: 'Denials for authorization referral at Aetna jumped in week 32 of 2026 ...'."""
    week = pl.col("adjudicated_week")
    percent = lambda rate: (pl.col(rate) * 100).round(1)  # noqa: E731
    return pl.format(
        "Denials for {} at {} jumped in week {} of {} (from {}): {} of {} claims ({}%) against {} of {} ({}%) in the {} "
        "weeks before; mostly CARC {}.",
        pl.col("carc_category").str.replace_all("_", " "), "payer_name", week.dt.week(), week.dt.iso_year(),
        week.dt.to_string("%Y-%m-%d"), "denied_count", "adjudicated_count", percent("denial_rate"),
        "baseline_denied_count", "baseline_adjudicated_count", percent("baseline_rate"), pl.lit(BASELINE_WEEKS),
        pl.col("carc_code").fill_null("unknown"),
    )


def _jump_schema(weekly: pl.DataFrame) -> dict:
    kept = {name: dtype for name, dtype in weekly.schema.items() if name in JUMP_COLUMNS}
    counts = {name: pl.Int64 for name in ("baseline_denied_count", "baseline_adjudicated_count")}
    rates = {name: pl.Float64 for name in ("denial_rate", "baseline_rate", "p_value", "q_value")}
    return {name: {**kept, **counts, **rates, "finding": pl.String}[name] for name in JUMP_COLUMNS}
