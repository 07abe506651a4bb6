"""Whether a headline figure is good news: against its benchmark (etl/reference/kpi_benchmarks.csv), and whether its
change since the previous period is more than chance. Used by the Overview's tiles."""

from __future__ import annotations

from typing import NamedTuple

from etl.reports import formats, stats

# The headline figures, as the Overview's tiles and the board pack show them: (figure, label, how it reads, the
# numerator and denominator of a counted rate, which gets a Wilson interval, else None).
HEADLINES = (
    ("initial_denial_rate", "Initial denial rate", "percent", ("first_denied_claims", "adjudicated_claims")),
    ("first_pass_resolution_rate", "First-pass resolution", "percent", ("first_pass_resolved_claims", "adjudicated_claims")),
    ("net_collection_rate", "Net collection rate", "percent", None),
    ("days_in_ar", "Days in A/R", "days", None),
    ("ar_over_90_share", "A/R over 90 days", "percent", None),
    ("ar_over_120_share", "A/R over 120 days", "percent", None),
)


class Judgement(NamedTuple):
    meets_benchmark: bool | None  # None: no figure or no benchmark
    change: float | None  # None: no figure in one of the two periods
    is_real_change: bool  # a change worth colouring: not zero, and outside the figure's interval where it has one
    is_better: bool | None  # the change goes the benchmark's better way


class Headline(NamedTuple):
    value: str  # the figure as it reads
    change: str | None  # its change since the previous figures, as it reads; None without both
    judged: "Judgement"
    measured: dict | None  # a counted rate's stats.rate, with its interval


def headline(name: str, kind: str, counted: tuple[str, str] | None, now: dict, before: dict,
             benchmark: dict | None) -> Headline:
    """One headline figure of `kpis` now and before, formatted and judged."""
    value, previous = now[name], before[name]
    measured = stats.rate(now[counted[0]], now[counted[1]]) if counted else None
    interval = measured["interval"] if measured and not measured["too_few"] and measured["rate"] is not None else None
    judged = judge(value, previous, benchmark, counted is not None, interval, precision=0.001 if kind == "percent" else 1)
    change = None
    if judged.change is not None:
        change = formats.points(judged.change) if kind == "percent" else \
            f"{judged.change:+.0f} days" if round(judged.change) else "0 days"
    return Headline((formats.percent if kind == "percent" else formats.days)(value), change, judged, measured)


def judge(value: float | None, previous: float | None, benchmark: dict | None, counted: bool = False,
          interval: tuple[float, float] | None = None, precision: float = 0.001) -> Judgement:
    """Judge a figure. A counted rate's change counts only when the previous figure lies outside its 95% Wilson
    interval, so never when there are too few claims for one; a dollar share or days of the whole book, not a sample,
    counts any change that shows at the figure's precision."""
    lower_is_better = benchmark is not None and benchmark["direction"] == "lower"
    meets = None
    if value is not None and benchmark is not None:
        meets = value <= benchmark["benchmark"] if lower_is_better else value >= benchmark["benchmark"]
    if value is None or previous is None:
        return Judgement(meets, None, False, None)
    change = value - previous
    shows = abs(change) >= precision / 2
    outside = not interval[0] <= previous <= interval[1] if interval else not counted
    better = None if benchmark is None or not shows else (change < 0) == lower_is_better
    return Judgement(meets, change, shows and outside, better)
