"""Whether a headline figure is good news: against its benchmark (etl/reference/kpi_benchmarks.csv), and whether its
change since the previous period is more than chance. Used by the Overview's tiles."""

from __future__ import annotations

from typing import NamedTuple


class Judgement(NamedTuple):
    meets_benchmark: bool | None  # None: no figure or no benchmark
    change: float | None  # None: no figure in one of the two periods
    is_real_change: bool  # a change worth colouring: not zero, and outside the figure's interval where it has one
    is_better: bool | None  # the change goes the benchmark's better way


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
