"""Whether a headline figure is good news (etl/reports/judgement.py), on figures worked out by hand, and which period
its change is taken against."""

from datetime import date

import pytest

from etl.reports.judgement import judge, previous_period
from etl.reports.scope import Scope

DENIALS = {"benchmark": 0.05, "direction": "lower"}
COLLECTION = {"benchmark": 0.95, "direction": "higher"}


def test_a_figure_meets_its_benchmark_only_on_the_better_side():
    assert judge(0.04, None, DENIALS).meets_benchmark is True
    assert judge(0.397, None, {"benchmark": 0.20, "direction": "lower"}).meets_benchmark is False  # A/R over 90 at 39.7%
    assert judge(0.95, None, COLLECTION).meets_benchmark is True
    assert judge(None, 0.1, DENIALS) == (None, None, False, None)


def test_a_counted_rate_changes_only_when_last_period_lies_outside_its_interval():
    # 8.9% now with a 95% interval of 7.7%–10.4%: 9.1% before is inside (noise), 12.0% before is outside (a fall).
    assert judge(0.089, 0.091, DENIALS, counted=True, interval=(0.077, 0.104)).is_real_change is False
    fell = judge(0.089, 0.120, DENIALS, counted=True, interval=(0.077, 0.104))
    assert fell.is_real_change and fell.is_better and round(fell.change, 3) == -0.031
    # too few claims for an interval: never coloured
    assert judge(0.2, 0.333, DENIALS, counted=True, interval=None).is_real_change is False


def test_a_whole_book_figure_changes_when_the_change_shows_and_zero_is_no_change():
    rose = judge(0.405, 0.356, {"benchmark": 0.20, "direction": "lower"})
    assert rose.is_real_change and rose.is_better is False
    assert judge(0.5, 0.5002, COLLECTION).is_real_change is False  # "0.0 pts": under the shown precision
    assert judge(55.2, 55.0, {"benchmark": 40, "direction": "lower"}, precision=1).is_real_change is False  # 55 days both


AS_OF = date(2026, 11, 26)


@pytest.mark.parametrize(("preset", "start", "end", "compared_start", "compared_end", "compared_as_of"), [
    # 1–26 November against 1–26 October, seen on 26 October: as long after the period's start as today is
    ("this_month", date(2026, 11, 1), AS_OF, date(2026, 10, 1), date(2026, 10, 26), date(2026, 10, 26)),
    # October against September, seen 26 days after its end as October is now
    ("last_month", date(2026, 10, 1), date(2026, 10, 31), date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 26)),
    ("quarter_to_date", date(2026, 10, 1), AS_OF, date(2026, 7, 1), date(2026, 8, 26), date(2026, 8, 26)),
    ("year_to_date", date(2026, 1, 1), AS_OF, date(2025, 1, 1), date(2025, 11, 26), date(2025, 11, 26)),
    ("last_12_months", date(2025, 11, 27), AS_OF, date(2024, 11, 27), date(2025, 11, 26), date(2025, 11, 26)),
    # a custom October is 31 days: the 31 days before it, 31 August to 30 September, seen 31 days earlier
    ("custom", date(2026, 10, 1), date(2026, 10, 31), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 26)),
    (None, date(2026, 10, 1), date(2026, 10, 31), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 26)),
])
def test_a_date_range_is_compared_with_the_period_before_it_seen_as_long_after(preset, start, end, compared_start,
                                                                               compared_end, compared_as_of):
    scope = Scope(payers=("60054",), start=start, end=end)

    compared = previous_period(AS_OF, scope, preset)

    assert compared.as_of == compared_as_of
    assert compared.scope == Scope(payers=("60054",), start=compared_start, end=compared_end)


def test_this_month_on_the_31st_is_compared_with_the_whole_of_a_shorter_month():
    compared = previous_period(date(2026, 3, 31), Scope(start=date(2026, 3, 1), end=date(2026, 3, 31)), "this_month")

    assert (compared.as_of, compared.scope.start, compared.scope.end) == (date(2026, 2, 28), date(2026, 2, 1), date(2026, 2, 28))
    assert compared.described == "the same days of last month: claims served 2026-02-01 to 2026-02-28, as of 2026-02-28"


@pytest.mark.parametrize(("scope", "preset"), [
    (Scope(), None),  # the CLI with no --from/--to
    (Scope(start=date(2026, 6, 1), end=AS_OF), "all"),  # the sidebar's "All dates on file", dated first claim to as-of
])
def test_with_no_date_range_the_same_claims_are_compared_30_days_earlier(scope, preset):
    compared = previous_period(AS_OF, scope, preset)

    assert (compared.as_of, compared.scope) == (date(2026, 10, 27), scope)
    assert compared.described == "30 days earlier: the same claims as of 2026-10-27"
