"""Time to payment: Kaplan–Meier with censored claims and the cash forecast, against hand computations."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

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


def per_claim_forecast(open_claims, curves, horizon):
    """The forecast as it was written before it was vectorised: one claim at a time, the reference it must equal."""
    expected = variance = 0.0
    for payer_id, days_outstanding, amount in open_claims.select("payer_id", "days_outstanding", "expected_amount").iter_rows():
        curve = curves.get(payer_id)
        if curve is None:
            continue
        waited = survival_at(curve, days_outstanding)
        probability = 0.0 if waited == 0 else (waited - survival_at(curve, days_outstanding + horizon)) / waited
        expected += float(amount) * probability
        variance += float(amount) ** 2 * probability * (1 - probability)
    return expected, variance


waits_strategy = st.lists(st.tuples(st.integers(0, 200), st.booleans()), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    payers=st.dictionaries(st.sampled_from(["60054", "62308", "MCRB1"]), waits_strategy, min_size=1),
    open_rows=st.lists(st.tuples(st.sampled_from(["60054", "62308", "MCRB1", "NOCURVE"]), st.integers(0, 400),
                                 st.decimals("0.01", "25000.00", places=2)), max_size=60),
    horizon=st.sampled_from([30, 60, 90]),
)
def test_the_vectorised_forecast_equals_the_per_claim_one_to_the_cent(payers, open_rows, horizon):
    import math

    from scipy import stats

    curves = {payer: kaplan_meier([days for days, _ in waits], [paid for _, paid in waits]) for payer, waits in payers.items()}
    open_claims = pl.DataFrame(open_rows, schema={"payer_id": pl.Utf8, "days_outstanding": pl.Int64,
                                                  "expected_amount": pl.Decimal(18, 2)}, orient="row")
    expected, variance = per_claim_forecast(open_claims, curves, horizon)
    result = forecast(open_claims, curves, horizon)
    margin = stats.norm.ppf(0.95) * math.sqrt(variance)
    assert round(result["expected"], 2) == round(expected, 2)
    assert round(result["high"], 2) == round(expected + margin, 2)
    assert round(result["low"], 2) == round(max(0.0, expected - margin), 2)


def test_the_vectorised_forecast_equals_the_per_claim_one_on_the_sample_practice(sample_db):
    from etl import db as database
    from etl.reports.timelines import payment_waits

    as_of = date(2026, 11, 26)
    with database.read_connection(sample_db) as con:
        waits = payment_waits(con, as_of)
        open_claims = con.sql("select payer_id, $as_of - submitted_date as days_outstanding, balance_amount as expected_amount"
                              " from insurance_balances($as_of) where balance_amount > 0", params={"as_of": as_of}).pl()
    assert open_claims.height > 50
    curves = {payer_id: kaplan_meier(claims["days"].to_numpy(), claims["is_paid"].to_numpy())
              for (payer_id,), claims in waits.group_by("payer_id")}
    for horizon in (30, 60, 90):
        expected, _ = per_claim_forecast(open_claims, curves, horizon)
        assert round(forecast(open_claims, curves, horizon)["expected"], 2) == round(expected, 2)


def test_the_stage_lag_boxes_are_plotlys_quartiles_computed_in_sql(tmp_path):
    from etl import db as database
    from etl.load import load_files
    from etl.reports.timelines import stage_lag_boxes
    from tests.conftest import FIXTURES

    load_files([FIXTURES / "worklist"], tmp_path / "practice.duckdb")
    with database.read_connection(tmp_path / "practice.duckdb") as con:
        boxes = stage_lag_boxes(con, date(2026, 11, 26)).filter(pl.col("stage") == "charge_lag_days")

    # Days from service to submission. Aetna: W6 1, W8 1, W1 2, W5 2 -> sorted [1, 1, 2, 2]; Plotly's quartile at p
    # sits at position 4p - 1/2: Q1 at 0.5 -> 1, the median at 1.5 -> 1.5, Q3 at 2.5 -> 2; IQR 1, so the whiskers reach
    # the last values within [-0.5, 3.5]: 1 and 2. Cigna: W4 2, W2 4 -> Q1 at 0 -> 2, median at 0.5 -> 3, Q3 at 1 -> 4.
    # Medicare: W3 1 alone. W7 is self-pay.
    assert boxes.select("payer_name", "claim_count", "q1", "median", "q3", "lower_fence", "upper_fence").rows() == [
        ("Aetna", 4, 1.0, 1.5, 2.0, 1.0, 2.0),
        ("Cigna", 2, 2.0, 3.0, 4.0, 2.0, 4.0),
        ("Medicare Part B", 1, 1.0, 1.0, 1.0, 1.0, 1.0),
    ]


@settings(max_examples=80, deadline=None)
@given(days=st.lists(st.integers(0, 400), min_size=1, max_size=60))
def test_the_sql_quartiles_and_fences_equal_plotlys_on_any_sample(days):
    import duckdb
    import numpy as np

    from etl.reports.timelines import STAGE_LAG_BOXES_SQL
    from etl.reports.scope import Scope

    with duckdb.connect() as con:
        con.execute("create macro in_scope(a, b, c, d, scope) as true")
        con.execute("create table payment_timelines as select 'P' as payer_name, unnest($days) as charge_lag_days,"
                    " null::int as adjudication_days, null::int as first_remit_to_final_payment_days,"
                    " null::date as first_remit_date, null::date as final_payment_date, date '2026-01-01' as submitted_date,"
                    " 'P' as payer_id, null as rendering_npi, null::date as service_date_from", {"days": days})
        [row] = con.sql(STAGE_LAG_BOXES_SQL, params={"as_of": date(2026, 11, 26), **Scope().params()}).pl().rows(named=True)
    values = np.sort(np.asarray(days, dtype=float))
    q1, median, q3 = np.percentile(values, [25, 50, 75], method="hazen")  # Plotly's "linear" quartiles
    inside = values[(values >= q1 - 1.5 * (q3 - q1)) & (values <= q3 + 1.5 * (q3 - q1))]
    assert (row["q1"], row["median"], row["q3"]) == pytest.approx((q1, median, q3))
    assert (row["lower_fence"], row["upper_fence"]) == pytest.approx((min(q1, inside.min()), max(q3, inside.max())))
