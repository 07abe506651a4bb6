"""The payer scorecard on a hand-made practice (tests/fixtures/scorecard), each figure worked out by hand and equal to
what `claimscope kpis --payer`, the Timelines page and the Late payments page give; the funnel's exact binomial limits
against worked examples; and the page."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from etl import db as database
from etl.load import load_files
from etl.reports import stats
from etl.reports.kpis import kpis
from etl.reports.scope import Scope
from etl.reports.scorecard import funnel_curves, payer_scorecard, with_denial_judgement
from etl.reports.timelines import payment_waits, time_to_payment_by_payer
from tests.conftest import FIXTURES, open_app

AS_OF = date(2026, 11, 30)


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """Aetna S1-S5 and Cigna C1-C3 (and self-pay X1, left out), with a contract rate for Aetna's 99214."""
    db = tmp_path_factory.mktemp("scorecard") / "scorecard.duckdb"
    load_files([FIXTURES / "scorecard"], db)
    return db


@pytest.fixture(scope="module")
def card(practice):
    with database.read_connection(practice) as con:
        rows = payer_scorecard(con, AS_OF)
    return {row["payer_name"]: row for row in rows.iter_rows(named=True)}


def test_each_payers_figures_are_the_hand_computed_ones(card):
    aetna, cigna = card["Aetna"], card["Cigna"]
    assert sorted(card) == ["Aetna", "Cigna"]  # self-pay X1 is left out

    # Aetna: S1 200 + S2 300 + S3 150 + S4 100 + S5 100 = 850.00 charged; paid S1 120 + S4 80 + S5 90 = 290.00.
    assert (aetna["claim_count"], aetna["gross_charges"], aetna["payments"]) == (5, Decimal("850.00"), Decimal("290.00"))
    # First adjudications S1, S2 (CO-197, denied), S4, S5 -> 1 / 4 = 25%. Wilson, z = 1.96: centre
    # (0.25 + z²/8) / (1 + z²/4) = 0.7302 / 1.9604 = 0.3725, half-width z √(0.25·0.75/4 + z²/64) / 1.9604 = 0.3269.
    assert (aetna["adjudicated_claims"], aetna["first_denied_claims"], aetna["initial_denial_rate"]) == (4, 1, 0.25)
    assert (aetna["denial_rate_low"], aetna["denial_rate_high"]) == pytest.approx((0.0456, 0.6994), abs=1e-4)
    # Settled (served on or before 2026-09-01, 90 days back): S1, S2, S4. Paid 120 + 0 + 80 = 200 of collectible
    # (200 - 60 CO-45 - 20 PR) + 300 (a denial stays collectible) + (100 - 20) = 500 -> 40%.
    assert aetna["net_collection_rate"] == 0.4
    # Waits from submission: paid after 10 (S5), 20 (S4) and 30 (S1) days; S3 unpaid after 55, S2 (denied) after 117.
    # Kaplan-Meier: 4/5 after day 10, x 3/4 = 0.6 after day 20, x 2/3 = 0.4 after day 30: first below half on day 30.
    assert aetna["median_days_to_payment"] == 30
    # Open: S2 300 (119 days from service, over 90) + S3 150 (56 days) = 450.00; 300 / 450 = 66.67% over 90.
    assert (aetna["open_ar"], aetna["ar_over_90"], aetna["ar_over_90_share"]) == (Decimal("450.00"), Decimal("300.00"), 0.6667)
    # S1's 99214 was allowed 120 paid + 20 PR = 140 against the contract's 150.00, below 150 x 0.98 = 147: 10.00 short.
    assert aetna["underpaid_amount"] == Decimal("10.00")

    # Cigna: C1 400 + C2 250 + C3 120 = 770.00 charged; paid C2 150 + C3 60 = 210.00.
    assert (cigna["claim_count"], cigna["gross_charges"], cigna["payments"]) == (3, Decimal("770.00"), Decimal("210.00"))
    # C2 and C3 adjudicated, neither denied: 0 / 2, Wilson from 0 to z² / (2 + z²) = 3.8415 / 5.8415 = 0.6576.
    assert (cigna["adjudicated_claims"], cigna["initial_denial_rate"]) == (2, 0.0)
    assert (cigna["denial_rate_low"], cigna["denial_rate_high"]) == pytest.approx((0.0, 0.6576), abs=1e-4)
    # Settled: C1 alone (served 2026-06-01), unanswered: 0 paid of 400 collectible.
    assert cigna["net_collection_rate"] == 0.0
    # Paid after 30 (C2) and 35 (C3) days, C1 unpaid after 180: 2/3 after day 30, x 1/2 = 1/3 after day 35.
    assert cigna["median_days_to_payment"] == 35
    # Open: C1 400 (182 days) + C3 120 - 60 paid - 20 CO-45 = 40 (41 days; its CO-197 40 stays open) = 440.00; 400 over 90
    # -> 90.91%.
    assert (cigna["open_ar"], cigna["ar_over_90"], cigna["ar_over_90_share"]) == (Decimal("440.00"), Decimal("400.00"), 0.9091)
    assert cigna["underpaid_amount"] == Decimal("0.00")

    # The practice's rate, 1 / 6: Aetna's 1 of 4 lies inside Binomial(4, 1/6)'s 99.8% limits (0 to 3), Cigna's 0 of 2
    # inside (0 to 2). A payer with a handful of claims is not flagged for noise.
    assert not aetna["is_denial_rate_outlier"] and not cigna["is_denial_rate_outlier"]


def test_each_payers_figures_equal_the_cli_the_timelines_page_and_the_underpaid_lines(practice, card):
    with database.read_connection(practice) as con:
        ids = dict(con.sql("select payer_name, payer_id from payers").fetchall())
        timelines = time_to_payment_by_payer(payment_waits(con, AS_OF))[0]
        for name, row in card.items():
            alone = kpis(con, AS_OF, Scope(payers=(ids[name],)))  # what `claimscope kpis --payer` prints
            for figure in ("claim_count", "gross_charges", "payments", "adjudicated_claims", "first_denied_claims",
                           "initial_denial_rate", "net_collection_rate", "open_ar", "ar_over_90", "ar_over_90_share"):
                assert row[figure] == alone[figure], (name, figure)
            # the Timelines page's row for the payer, by name
            assert row["median_days_to_payment"] == timelines.filter(payer_name=name)["median_days"].item()
            shortfall = database.scalar(con, "select coalesce(sum(shortfall_amount), 0) from underpaid_lines(?) where payer_id = ?",
                                        [AS_OF, ids[name]])
            assert row["underpaid_amount"] == shortfall
        # the practice's figures are the payers' added up
        practice_figures = kpis(con, AS_OF)
    assert practice_figures["open_ar"] == sum(row["open_ar"] for row in card.values()) == Decimal("890.00")
    assert practice_figures["initial_denial_rate"] == 0.1667


def test_funnel_limits_are_the_binomial_quantiles_worked_by_hand():
    # Binomial(10, 1/2), in 1,024ths: P(X <= k) = 1, 11, 56, 176, ... for k = 0, 1, 2, 3; P(X <= 7) = 968, 8: 1,013,
    # 9: 1,023. The 95% limits are the 2.5% and 97.5% quantiles (25.6 and 998.4 in 1,024ths): 2 and 8 denials.
    # The 99.8% limits, 0.1% and 99.9% (1.024 and 1,022.98): 1 and 9.
    assert stats.funnel_limits(10, 0.5, 0.95) == (2, 8)
    assert stats.funnel_limits(10, 0.5, 0.998) == (1, 9)
    # Binomial(20, 0.1): P(X <= k) = 0.1216, 0.3917, 0.6769, 0.8670, 0.9568, 0.9887, 0.9976, 0.9996 for k = 0..7, so
    # 95%: 0 to 5 (0.9568 < 0.975 <= 0.9887); 99.8%: 0 to 7 (0.9976 < 0.999 <= 0.9996).
    assert stats.funnel_limits(20, 0.1, 0.95) == (0, 5)
    assert stats.funnel_limits(20, 0.1, 0.998) == (0, 7)
    # Outside means below the lower count or above the upper: 0 and 10 of 10 at 1/2 (each P = 1/1,024 < 0.1%), not 1 or 9.
    assert stats.outside_funnel([0, 1, 9, 10], 10, 0.5, 0.998).tolist() == [True, False, False, True]
    # The drawn funnel is the same limits as rates: at 10 claims, 10% to 90%.
    at_ten = funnel_curves(0.5, 10).filter(adjudicated_claims=10, coverage=0.998)
    assert (at_ten["low"].item(), at_ten["high"].item()) == (0.1, 0.9)


def test_a_payer_outside_the_wider_limits_is_flagged_and_one_inside_is_not():
    # Three payers of 10 claims each, 0, 5 and 10 of them first denied: the practice's rate is 15 / 30 = 1/2, and
    # against Binomial(10, 1/2)'s 99.8% limits (1 to 9, worked out above) Aetna's 0 and UnitedHealthcare's 10 lie
    # outside, Cigna's 5 inside.
    payers = pl.DataFrame({"payer_name": ["Aetna", "Cigna", "UnitedHealthcare"], "first_denied_claims": [0, 5, 10],
                           "adjudicated_claims": [10, 10, 10]})

    judged = with_denial_judgement(payers)

    assert judged["is_denial_rate_outlier"].to_list() == [True, False, True]
    # Cigna's 5 of 10, Wilson: centre (0.5 + z²/20) / (1 + z²/10) = 0.5, half-width z √(0.025 + z²/400) / 1.3841 = 0.2634
    assert (judged["denial_rate_low"][1], judged["denial_rate_high"][1]) == pytest.approx((0.2366, 0.7634), abs=1e-4)


def test_the_scorecard_page_shows_the_practice_rate_and_each_payers_figures(practice, monkeypatch):
    page = open_app(practice, monkeypatch, "manager", "views/payer_scorecard.py")
    page.date_input(key="as_of").set_value(AS_OF).run()

    assert not page.exception
    tiles = {metric.label: metric.value for metric in page.metric}
    assert tiles["Practice initial denial rate"] == "16.7%"  # 1 first denial of 6 adjudicated claims
    assert tiles["Payers outside the 99.8% limits"] == "0"
    table = page.dataframe[0].value.set_index("payer_name")
    assert str(table.loc["Aetna", "underpaid_amount"]) == "10.00"
    assert str(table.loc["Cigna", "open_ar"]) == "440.00"
    assert table.loc["Aetna", "median_days_to_payment"] == 30
    assert [heading.value for heading in page.subheader] == ["Payers side by side", "Initial denial rate against claim volume"]


def funnel_practice(folder) -> "Path":
    """Three payers of 10 claims each, served 2026-09-01 and answered 2026-10-01, 100.00 a claim: Aetna denies none,
    Cigna 5 and UnitedHealthcare all 10 (CO-197); the rest are paid in full. The same counts as the test above."""
    from tests.test_denials import write_csv

    claims, remits = [], []
    for payer_id, payer_name, denied in (("60054", "Aetna", 0), ("62308", "Cigna", 5), ("87726", "UnitedHealthcare", 10)):
        for number in range(10):
            claim_id, is_denied = f"{payer_name[:2].upper()}{number}", number < denied
            claims.append({"claim_id": claim_id, "payer_id": payer_id, "payer_name": payer_name, "member_id": f"M{claim_id}",
                           "patient_last_name": "TEST", "patient_first_name": claim_id, "patient_birth_date": "1970-01-01",
                           "billing_npi": "1234567893", "coder_id": "CD1", "claim_type": "professional",
                           "frequency_code": "1", "place_of_service": "11", "service_date_from": "2026-09-01",
                           "submitted_date": "2026-09-02", "total_charge": "100.00", "line_number": "1",
                           "procedure_code": "99213", "units": "1", "line_charge": "100.00", "diagnosis_codes": "I10"})
            remits.append({"trace_number": f"T{payer_id}", "payer_id": payer_id, "payer_name": payer_name,
                           "payee_npi": "1234567893", "payment_method": "ACH", "payment_amount": "100.00",
                           "payment_date": "2026-10-01", "claim_id": claim_id, "claim_status_code": "4" if is_denied else "1",
                           "claim_charge": "100.00", "claim_paid": "0.00" if is_denied else "100.00",
                           "patient_responsibility": "0.00", "payer_claim_id": f"P{claim_id}", "filing_indicator": "CI",
                           **({"group_code": "CO", "reason_code": "197", "adjustment_amount": "100.00"} if is_denied else {})})
    folder.mkdir()
    write_csv(folder / "claims.csv", claims)
    write_csv(folder / "remits.csv", remits)
    return folder


def test_the_scorecard_shows_money_beside_the_payer_and_the_funnels_verdict_in_words(tmp_path, monkeypatch):
    import json

    from tests.screen import table_with

    db = tmp_path / "funnel.duckdb"
    load_files([funnel_practice(tmp_path / "funnel")], db)
    page = open_app(db, monkeypatch, "manager", "views/payer_scorecard.py")
    page.date_input(key="as_of").set_value(AS_OF).run()

    assert not page.exception
    table = next(element for element in page.dataframe if "Payer" in json.loads(element.proto.columns).get("payer_name", {}).values())
    settings = json.loads(table.proto.columns)
    shown = [settings[name]["label"] for name in table.proto.column_order]
    # the money first, beside the payer's name, where a manager reads it without scrolling sideways
    assert shown[:6] == ["Payer", "Charges", "Payments", "Open A/R", "A/R over 90 days", "Underpaid"]
    assert not any(settings[name].get("type_config", {}).get("type") == "checkbox" for name in table.proto.column_order)
    rows = {row["Payer"]: row for row in table_with(page, "Against the 99.8% limits")}
    # 15 of 30 denied: the practice's rate is 1/2; Binomial(10, 1/2)'s 99.8% limits are 1 to 9 denials (worked out above)
    assert {payer: row["Against the 99.8% limits"] for payer, row in rows.items()} == {
        "Aetna": "Outside limits: denial rate low", "Cigna": "Within limits",
        "UnitedHealthcare": "Outside limits: denial rate high"}
    # Cigna's 5 of 10: Wilson 23.66% to 76.34%, one decimal half up
    assert (rows["Cigna"]["95% CI"], rows["Cigna"]["Charges"]) == ("23.7%–76.3%", "$1,000")
    assert {metric.label: metric.value for metric in page.metric}["Payers outside the 99.8% limits"] == "2"

    # each dot of the funnel is labelled with its payer, not only on hover
    funnel = json.loads(page.get("plotly_chart")[0].proto.spec)
    dots = [trace for trace in funnel["data"] if trace.get("mode", "").startswith("markers")]
    assert all(trace["mode"] == "markers+text" for trace in dots)
    assert sorted(name for trace in dots for name in trace["text"]) == ["Aetna", "Cigna", "UnitedHealthcare"]
