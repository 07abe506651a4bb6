"""Time to payment: Kaplan–Meier with censored claims and the cash forecast, against hand computations."""

import polars as pl
import pytest

from etl.reports.timelines import curve_summary, forecast, kaplan_meier, survival_at

# Six claims, days from submission: paid at 5, 8, 12 and 20; still unpaid (censored) at 8 and 15.
DAYS = [5, 8, 8, 12, 15, 20]
PAID = [True, True, False, True, False, True]


def test_kaplan_meier_on_six_claims_with_two_censored_gives_the_hand_values():
    curve = kaplan_meier(DAYS, PAID)

    # Day 5: 6 at risk, 1 paid -> 5/6. Day 8: 5 at risk (the claim censored at 8 still counts), 1 paid -> 5/6 × 4/5 = 4/6.
    # Day 12: 3 at risk (12, 15, 20), 1 paid -> 4/6 × 2/3 = 4/9. Day 20: 1 at risk, 1 paid -> 0.
    assert list(curve.surv_times) == [5, 8, 12, 20]
    assert list(curve.surv_prob) == pytest.approx([5 / 6, 4 / 6, 4 / 9, 0.0])
    assert survival_at(curve, 4) == 1.0 and survival_at(curve, 10) == pytest.approx(4 / 6)
    summary = curve_summary(curve)
    assert summary["median_days"] == 12  # the first day S falls to 0.5 or below
    assert summary["paid_by_day_30"] == pytest.approx(1.0)


def test_dropping_unpaid_claims_would_understate_the_wait():
    # The naive average over paid claims only: (5 + 8 + 12 + 20) / 4 = 11.25 days, below the KM median of 12.
    paid_only = [days for days, paid in zip(DAYS, PAID) if paid]
    assert sum(paid_only) / len(paid_only) == 11.25 < curve_summary(kaplan_meier(DAYS, PAID))["median_days"]


def test_cash_forecast_conditions_on_days_already_waited():
    curves = {"P1": kaplan_meier(DAYS, PAID)}
    open_claims = pl.DataFrame({"payer_id": ["P1", "P1", "NOCURVE"], "days_outstanding": [6, 0, 3],
                                "expected_amount": [100.0, 50.0, 999.0]})

    result = forecast(open_claims, curves, horizon=5)

    # Claim 1 waited 6 days: S(6) = 5/6, S(11) = 4/6 -> p = (5/6 − 4/6) / (5/6) = 0.2 -> $20.00.
    # Claim 2 is new: S(0) = 1, S(5) = 5/6 -> p = 1/6 -> $8.33. A payer with no curve forecasts nothing.
    assert result["expected"] == pytest.approx(20 + 50 / 6)
    # Variance 100² × 0.2 × 0.8 + 50² × (1/6)(5/6) = 1,600 + 347.22; 90% band ±1.644854 × 44.127 = ±72.58.
    assert result["high"] == pytest.approx(20 + 50 / 6 + 1.644854 * (1600 + 2500 * 5 / 36) ** 0.5, abs=0.001)
    assert result["low"] == 0.0  # the band is cut at zero
