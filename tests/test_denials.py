"""Denial analytics on the hand-built practice: the initial denial rate by count and dollars, and its reasons."""

from datetime import date

import pytest

from etl.load import load_files
from tests.conftest import FIXTURES, open_app


@pytest.fixture
def denials_page(db_path, monkeypatch):
    load_files([FIXTURES / "worklist"], db_path)
    page = open_app(db_path, monkeypatch, "manager", "views/denials.py")
    page.date_input(key="as_of").set_value(date(2026, 11, 26)).run()
    page.selectbox(key="date_preset").set_value("custom").run()
    page.date_input(key="date_range").set_value((date(2026, 1, 1), date(2026, 11, 26))).run()
    return page


def test_initial_denial_rate_by_count_and_dollars(denials_page):
    metrics = {metric.label: (metric.value, metric.delta) for metric in denials_page.metric}

    # First adjudications: W2 denied (300.00); W3 (100.00), W5 (120.00, its first remit, not the reversal), W6 (250.00)
    # and W8 (50.00) paid. 1 of 5 by count; 300 / 820 = 36.6% by dollars. Five claims is under 30: too few for a rate.
    assert metrics["Initial denial rate"] == ("20.0%", "too few claims for an interval")
    assert metrics["Initial denial rate by dollars"][0] == "36.6%"
    assert metrics["Denied charges ($)"] == ("300.00", "1 of 5 claims")
    assert not denials_page.exception


def test_denial_reasons_are_listed_with_their_description_and_category(denials_page):
    reasons = next(frame.value for frame in denials_page.dataframe if "carc_code" in frame.value.columns)

    assert list(reasons["carc_code"]) == ["197"]
    assert reasons["carc_category"][0] == "authorization_referral"
    assert reasons["description"][0].startswith("Precertification/authorization/notification")
    assert float(reasons["cumulative_share"][0]) == 1.0


def test_a_period_without_adjudications_says_so(denials_page):
    denials_page.date_input(key="date_range").set_value((date(2025, 1, 1), date(2025, 6, 30))).run()

    metrics = {metric.label: metric.value for metric in denials_page.metric}
    assert metrics["Initial denial rate"] == "no claims"
    assert not denials_page.exception


def test_wilson_interval_matches_the_formula():
    from etl.reports.stats import wilson_interval

    low, high = wilson_interval(1, 5)

    # p = 0.2, n = 5, z = 1.959964, z² = 3.841459: centre (p + z²/2n) / (1 + z²/n) = 0.584146 / 1.768292 = 0.330345;
    # half-width z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 1.959964 × 0.265358 / 1.768292 = 0.294121
    assert low == pytest.approx(0.330345 - 0.294121, abs=2e-6)
    assert high == pytest.approx(0.330345 + 0.294121, abs=2e-6)
