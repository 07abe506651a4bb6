"""Whether a headline figure is good news: against its benchmark (etl/reference/kpi_benchmarks.csv), and whether its
change since the previous comparable period is more than chance. Used by the Overview's tiles and the board pack."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

from etl.reports import formats, stats
from etl.reports.periods import preset_range
from etl.reports.scope import Scope

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


# The previous comparable period, one rule for the Overview and the board pack. A calendar preset (etl/reports/periods.py)
# is compared with the same preset one month, quarter or year back, so this month to date meets the same days of last
# month; a custom range meets as many days just before it. The as-of date steps back with the period, so the claims
# compared have had as long to be paid. Each preset's period in months, and in words:
PRESET_PERIODS = {
    "this_month": (1, "the same days of last month"),
    "last_month": (1, "the month before"),
    "quarter_to_date": (3, "the same days of last quarter"),
    "year_to_date": (12, "the same days of last year"),
    "last_12_months": (12, "the 12 months before"),
}
# With no date range (every date on file) there is no period to step back over: the same claims this many days earlier.
DAYS_BACK_WITHOUT_RANGE = 30


class Comparison(NamedTuple):
    """The figures a headline's change is taken against: these claims as of this date."""

    as_of: date
    scope: Scope
    name: str  # the period in words: "the same days of last month"
    described: str  # with its dates, as a caption says it


def previous_period(as_of: date, scope: Scope, preset: str | None = None) -> Comparison:
    """The claims and as-of date a headline's change is taken against. `preset` is a periods.PRESETS id; None reads a
    scope with both dates as a custom range, and one without as every date."""
    preset = preset or ("custom" if scope.start and scope.end else "all")
    if preset in PRESET_PERIODS:
        months, name = PRESET_PERIODS[preset]
        earlier = _months_before(as_of, months)
        start, end = preset_range(preset, earlier)
        return _moved(name, earlier, replace(scope, start=start, end=end))
    if preset == "custom" and scope.start and scope.end:
        length = scope.end - scope.start + timedelta(days=1)
        return _moved("the same number of days just before", as_of - length,
                      replace(scope, start=scope.start - length, end=scope.end - length))
    earlier = as_of - timedelta(days=DAYS_BACK_WITHOUT_RANGE)
    name = f"{DAYS_BACK_WITHOUT_RANGE} days earlier"
    return Comparison(earlier, scope, name, f"{name}: the same claims as of {earlier}")


def _moved(name: str, as_of: date, scope: Scope) -> Comparison:
    basis = "served" if scope.basis == "service" else "submitted"
    return Comparison(as_of, scope, name, f"{name}: claims {basis} {scope.start} to {scope.end}, as of {as_of}")


def _months_before(day: date, months: int) -> date:
    """The same day some months earlier, or that month's last day when it is shorter (31 March -> 28 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class Judgement(NamedTuple):
    meets_benchmark: bool | None  # None: no figure or no benchmark
    change: float | None  # None: no figure in one of the two periods
    is_real_change: bool  # a change worth colouring: not zero, and outside the figure's interval where it has one
    is_better: bool | None  # the change goes the benchmark's better way


class Headline(NamedTuple):
    value: str  # the figure as it reads
    change: str | None  # its change since the previous period's figure, as it reads; None without both
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
        change = formats.points(judged.change) if kind == "percent" else formats.days_change(judged.change)
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
