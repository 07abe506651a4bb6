"""Whether a headline figure is good news (etl/reports/judgement.py), on figures worked out by hand."""

from etl.reports.judgement import judge

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
