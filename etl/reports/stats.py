"""Intervals for the rates the pages show: Wilson for the KPI and denial rates, exact (Clopper–Pearson) for audits."""

from __future__ import annotations

from scipy.stats import binomtest
from statsmodels.stats.proportion import proportion_confint

# Below this many claims a rate gets no interval on the page: "too few claims".
MIN_CLAIMS_FOR_A_RATE = 30


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
