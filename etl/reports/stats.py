"""Intervals for the rates the pages show: Wilson for the KPI and denial rates, exact (Clopper–Pearson) for audits, and
exact binomial control limits for the payer funnel plot."""

from __future__ import annotations

import numpy as np
from scipy.stats import binom, binomtest
from statsmodels.stats.proportion import proportion_confint

# Below this many claims a rate gets no interval on the page: "too few claims".
MIN_CLAIMS_FOR_A_RATE = 30
# The funnel plot's two pairs of control limits (Spiegelhalter 2005, "Funnel plots for comparing institutional
# performance"): about 2 and 3 standard deviations. A payer outside the wider pair is flagged.
FUNNEL_COVERAGES = (0.95, 0.998)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (scipy's binomtest)."""
    interval = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return interval.low, interval.high


def exact_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval for a proportion."""
    low, high = proportion_confint(successes, trials, alpha=1 - confidence, method="beta")
    return float(low), float(high)


def rate(successes: int, trials: int) -> dict:
    """A proportion with its 95% Wilson interval, flagged when the denominator is too small to trust."""
    return {
        "rate": successes / trials if trials else None,
        "interval": wilson_interval(successes, trials) if trials else None,
        "too_few": trials < MIN_CLAIMS_FOR_A_RATE,
    }


def funnel_limits(trials: int | np.ndarray, rate: float, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """The exact binomial control limits, as counts, for `trials` claims at the pooled `rate`: the (1 − coverage) / 2
    and (1 + coverage) / 2 quantiles of Binomial(trials, rate) (scipy's ppf, the smallest count whose CDF reaches the
    probability). Exact rather than the normal approximation, which misplaces the limits of a payer with few claims."""
    tail = (1 - coverage) / 2
    return binom.ppf(tail, trials, rate), binom.ppf(1 - tail, trials, rate)


def outside_funnel(successes: int | np.ndarray, trials: int | np.ndarray, rate: float, coverage: float) -> np.ndarray:
    """Whether each count lies outside its control limits: below the lower or above the upper. With discrete limits
    each side is crossed by chance at most (1 − coverage) / 2 of the time, so a small payer is not flagged for noise."""
    low, high = funnel_limits(trials, rate, coverage)
    return (np.asarray(successes) < low) | (np.asarray(successes) > high)
