"""The Overview's trends are real period values: flows counted in the month they happened, A/R as it stood at each
month end, worked out by hand on tests/fixtures/worklist; a range under three months falls back to weeks."""

import base64
from datetime import date
from decimal import Decimal

import duckdb
import numpy as np
import pytest

from etl.reports.scope import Scope
from etl.reports.trends import periods, trend
from tests.conftest import open_app

AS_OF = date(2026, 11, 26)


@pytest.fixture
def practice(worklist_practice):
    return worklist_practice


def test_monthly_values_match_the_hand_computation(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        months = trend(con, AS_OF, Scope(start=date(2026, 6, 1)))
    assert months["grain"].unique().to_list() == ["month"]
    assert months["period_end"].to_list() == [date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30),
                                              date(2026, 10, 31), AS_OF]
    assert months["is_to_date"].to_list() == [False] * 5 + [True]
    # Open insurance A/R at each month end (a denial stays open; W7 is self-pay):
    #   Jun 30 W4 150; Jul 31 W4 150; Aug 31 W4 150 + W2 300; Sep 30 + W5 120 (not yet paid) = 570;
    #   Oct 31 W4 150 + W2 300 + W1 200 + W6 250 = 900 (W5 and W8 paid in full); Nov 26 the tile's 750.
    assert months["balance_amount"].to_list() == [Decimal(v) for v in ("150.00", "150.00", "450.00", "570.00", "900.00", "750.00")]
    # Over 90 days from service: W4 from Aug 31 (91 days), W2 from Oct 31 (91 days); over 120: W4 from Sep 30.
    assert months["ar_over_90_share"].to_list() == [0.0, 0.0, 0.3333, 0.2632, 0.5, 0.6]
    assert months["ar_over_120_share"].to_list() == [0.0, 0.0, 0.0, 0.2632, 0.1667, 0.2]
    # Days in A/R = open A/R / (charges served in the 90 days to the date / 90):
    #   Jun 150 / (150/90) = 90.0; Aug 450 / (300/90) = 135.0 (W4, served Jun 1, is 91 days back);
    #   Sep 570 / (420/90) = 122.1; Oct 900 / (620/90) = 130.6; Nov 26 750 / (720/90) = 93.8.
    assert months["days_in_ar"].to_list() == [90.0, 90.0, 135.0, 122.1, 130.6, 93.8]
    # First adjudications: Sep W2 (denied); Oct W5, W8; Nov W6, W3.
    assert months["adjudicated_claims"].to_list() == [0, 0, 0, 1, 2, 2]
    assert months["initial_denial_rate"].to_list() == [None, None, None, 1.0, 0.0, 0.0]
    # First pass as of Nov 26: W8 (Oct), W6 and W3 (Nov); W5 was reversed and paid again.
    assert months["first_pass_resolution_rate"].to_list() == [None, None, None, 0.0, 0.5, 1.0]
    # Payments by month paid: Oct W5 80.00 - 80.00 + 70.00 and W8 50.00; Nov W6 100.00 and W3 60.00.
    assert months["payments_amount"].to_list() == [Decimal(v) for v in ("0.00", "0.00", "0.00", "0.00", "120.00", "160.00")]
    # Net collection by month of service: Sep W5 70 / (120 - 40 - 10); Oct (W8 50 + W6 100) / (200 + 200 + 50);
    # Nov W3 60 / (100 - 30 - 10). Months within 90 days of the as-of date are still maturing.
    assert months["net_collection_rate"].to_list() == [0.0, None, 0.0, 1.0, 0.3333, 1.0]
    assert months["is_maturing"].to_list() == [False, False, True, True, True, True]
    # Claims submitted (insurance, first submission): Jun W4, Aug W2, Sep W5, Oct W1 W6 W8, Nov W3.
    assert months["submitted_claims"].to_list() == [1, 0, 1, 1, 3, 1]


def test_a_range_under_three_months_is_shown_week_by_week():
    grain, spans = periods(date(2026, 11, 1), date(2026, 11, 26))
    assert grain == "week"
    # ISO weeks, Monday to Sunday: the week of Sunday Nov 1 starts on Monday Oct 26.
    assert spans[0] == (date(2026, 10, 26), date(2026, 11, 1)) and spans[-1] == (date(2026, 11, 23), date(2026, 11, 29))
    assert periods(date(2026, 6, 1), date(2026, 11, 26))[0] == "month"


def test_weekly_ar_at_each_week_end(practice):
    with duckdb.connect(str(practice), read_only=True) as con:
        weeks = trend(con, AS_OF, Scope(start=date(2026, 11, 1)))
    assert weeks["period_end"].to_list() == [date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15), date(2026, 11, 22), AS_OF]
    # Nov 5 Aetna paid W6 100.00 (CO-45 50.00): 900 -> 750; Nov 21 W3 (Medicare, 100.00) was sent; Nov 25 it was paid.
    assert weeks["balance_amount"].to_list() == [Decimal(v) for v in ("900.00", "750.00", "750.00", "850.00", "750.00")]


def test_a_one_month_range_draws_weekly_points_with_date_labels_and_no_empty_chart(practice, monkeypatch):
    page = open_app(practice, monkeypatch, "manager", "views/overview.py")
    page.sidebar.date_input(key="as_of").set_value(AS_OF).run()
    page.sidebar.selectbox(key="date_preset").set_value("this_month").run()  # 2026-11-01 to the as-of date
    assert not page.exception
    assert "week by week" in " ".join(caption.value for caption in page.caption)
    charts = [chart for chart in page.get("plotly_chart") if chart.proto.spec and "trend" in (chart.key or "")]
    figures = [__import__("json").loads(chart.proto.spec) for chart in charts]
    assert figures, "no trend chart drawn"
    for figure in figures:
        xs = [x for trace in figure["data"] for x in trace.get("x", [])]
        assert xs, "an empty trend chart"
        assert all(len(x) == 10 for x in xs), xs  # dates, never timestamps with hours
        assert figure["layout"]["xaxis"]["tickformat"] == "%d %b"


def test_a_months_point_sits_under_the_tick_that_names_it(practice, monkeypatch):
    page = open_app(practice, monkeypatch, "manager", "views/overview.py")
    page.sidebar.date_input(key="as_of").set_value(AS_OF).run()
    page.sidebar.selectbox(key="date_preset").set_value("year_to_date").run()  # Jan 1 to Nov 26: eleven months
    assert not page.exception
    figure = next(__import__("json").loads(chart.proto.spec) for chart in page.get("plotly_chart")
                  if chart.key == "trend_days_in_ar")
    # Ticks fall on the first of each month and read "%b %Y"; each month's point must sit on its first day, not a day
    # before the next month's tick. Days in A/R (hand-worked above): Jun 90.0, Aug 135.0, Oct 130.6, Nov 26 93.8.
    assert figure["layout"]["xaxis"]["tickformat"] == "%b %Y" and figure["layout"]["xaxis"]["dtick"] == "M1"
    line = next(trace for trace in figure["data"] if trace.get("mode") == "lines+markers")
    ys = line["y"]  # Plotly sends numbers as a typed array
    ys = np.frombuffer(base64.b64decode(ys["bdata"]), dtype=ys["dtype"]).tolist() if isinstance(ys, dict) else ys
    points = dict(zip(line["x"], ys))
    assert all(x.endswith("-01") for x in points), points
    assert (points["2026-06-01"], points["2026-08-01"], points["2026-10-01"], points["2026-11-01"]) == (90.0, 135.0, 130.6, 93.8)
