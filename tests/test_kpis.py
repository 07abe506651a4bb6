"""Headline figures on the hand-built practice (tests/fixtures/worklist), each worked out by hand."""

import json
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.cli import app
from etl.reports import kpis as figures_of
from etl.reports.judgement import previous_period
from etl.reports.scope import Scope


@pytest.fixture
def practice(worklist_practice):
    return worklist_practice


def kpis(db, as_of):
    result = CliRunner().invoke(app, ["kpis", "--db", str(db), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_rates_and_ar_figures_as_of_the_fixture_date(practice):
    figures = kpis(practice, "2026-11-26")

    # First adjudications: W2 denied; W3, W5, W6, W8 paid -> 1 / 5 denied.
    assert figures["initial_denial_rate"] == 0.2
    # Paid on the first remittance with nothing after: W3, W6, W8 (W5 was reversed and paid again) -> 3 / 5.
    assert figures["first_pass_resolution_rate"] == 0.6
    # Open insurance A/R: W1 200 + W2 300 + W4 150 + W6 100 = 750.00 (W7 is self-pay).
    assert Decimal(figures["open_ar"]) == Decimal("750.00")
    # Over 90 days from service: W2 (117 days) 300 + W4 (178) 150 = 450 -> 60%; over 120: W4 150 -> 20%.
    assert (figures["ar_over_90_share"], figures["ar_over_120_share"]) == (0.6, 0.2)
    # Charges with service in the last 90 days: W1 200 + W3 100 + W5 120 + W6 250 + W8 50 = 720 -> 8.00 a day;
    # 750 / 8 = 93.75 days in A/R.
    assert figures["days_in_ar"] == 93.8


def test_net_collection_rate_counts_only_claims_old_enough_to_settle(practice):
    figures = kpis(practice, "2027-02-20")

    # Every claim has a service date at least 90 days before 2027-02-20. Payments: W3 60 + W5 70 (80 paid, reversed,
    # 70 paid again) + W6 100 + W8 50 = 280. Charges less contractual and patient share: W1 200 + W2 300 + W3 (100 - 30 - 10) + W4 150
    # + W5 (120 - 40 - 10) + W6 (250 - 50) + W8 50 = 1,030: patient responsibility (W3 10, W5 10) is left out, since
    # patient payments never arrive on an 835. 280 / 1,030 = 0.2718.
    assert Decimal(figures["settled_payments"]) == Decimal("280.00")
    assert Decimal(figures["settled_collectible"]) == Decimal("1030.00")
    assert figures["net_collection_rate"] == 0.2718


def test_figures_narrow_to_one_payer(practice):
    result = CliRunner().invoke(app, ["kpis", "--db", str(practice), "--as-of", "2026-11-26", "--payer", "60054", "--format", "json"])
    figures = json.loads(result.output)

    # Aetna's claims: W1 200 (no answer), W5 120 (paid 70 after the reversal, CO 40, PR 10), W6 250 (paid 100, CO 50),
    # W8 50 (paid 50).
    assert Decimal(figures["gross_charges"]) == Decimal("620.00")
    assert Decimal(figures["payments"]) == Decimal("220.00")
    assert Decimal(figures["contractual_adjustments"]) == Decimal("90.00")
    assert Decimal(figures["patient_responsibility"]) == Decimal("10.00")
    assert Decimal(figures["open_ar"]) == Decimal("300.00")  # W1 200 + W6 100
    # First adjudications W5, W6, W8, none denied; W6 and W8 paid first time with nothing after -> 2 / 3.
    assert (figures["adjudicated_claims"], figures["initial_denial_rate"], figures["first_pass_resolution_rate"]) == (3, 0.0, 0.6667)


def test_figures_narrow_to_a_range_of_service_dates(practice):
    result = CliRunner().invoke(
        app, ["kpis", "--db", str(practice), "--as-of", "2026-11-26", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json"]
    )
    figures = json.loads(result.output)

    # Served in October: W1 200, W6 250, W8 50; paid W6 100 + W8 50; open W1 200 + W6 100.
    assert Decimal(figures["gross_charges"]) == Decimal("500.00")
    assert Decimal(figures["payments"]) == Decimal("150.00")
    assert Decimal(figures["open_ar"]) == Decimal("300.00")
    assert figures["adjudicated_claims"] == 2


def test_quarter_to_date_is_compared_with_the_same_days_of_last_quarter(practice):
    as_of, scope = date(2026, 11, 26), Scope(start=date(2026, 10, 1), end=date(2026, 11, 26))
    compared = previous_period(as_of, scope, "quarter_to_date")
    with database.read_connection(practice) as con:
        now = figures_of.kpis(con, as_of, scope)
        before = figures_of.kpis(con, compared.as_of, compared.scope)

    # Now, served 1 Oct - 26 Nov: W1 200 and W6 100 open (W3 and W8 paid in full, W7 self-pay) = 300, on 200 + 100 + 250
    # + 50 = 600 of charges over the range's 57 days (31 in October, 26 in November): 300 / (600 / 57) = 28.5 days;
    # W3, W6 and W8 adjudicated, none denied.
    assert (now["open_ar"], now["days_in_ar"], now["charge_window_days"]) == (Decimal("300.00"), 28.5, 57)
    assert (now["adjudicated_claims"], now["initial_denial_rate"]) == (3, 0.0)
    # Before, served 1 Jul - 26 Aug and seen on 26 Aug: W2 alone, 300 open on 300 of charges over 57 days (31 + 26):
    # 300 / (300 / 57) = 57.0 days; its denial came on 1 Sep, so nothing was adjudicated yet and there is no denial rate
    # to compare with.
    assert (compared.scope.start, compared.scope.end, compared.as_of) == (date(2026, 7, 1), date(2026, 8, 26), date(2026, 8, 26))
    assert (before["open_ar"], before["days_in_ar"]) == (Decimal("300.00"), 57.0)
    assert (before["adjudicated_claims"], before["initial_denial_rate"]) == (0, None)


@pytest.mark.parametrize(("start", "end", "as_of", "window_days", "open_ar", "charges", "days_in_ar"), [
    # 30 days, 1-30 Nov seen on 30 Nov: W3 paid in full, W7 self-pay: nothing open on W3's 100 -> 0 days.
    (date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 30), 30, "0.00", "100.00", 0.0),
    # 30 days, 1-30 Oct seen on 26 Nov (a month back, as "Last month" is): W1 200 + W6 100 open, on W1 200 + W6 250 +
    # W8 50 = 500 of charges -> 500 / 30 = 16.67 a day; 300 / 16.67 = 18.0 days (the old 90-day divisor said 54).
    (date(2026, 10, 1), date(2026, 10, 30), date(2026, 11, 26), 30, "300.00", "500.00", 18.0),
    # 68 days, 20 Sep - 26 Nov seen on 26 Nov: open W1 200 + W6 100 = 300, on W1 200 + W3 100 + W6 250 + W8 50 = 600
    # (W5, 10 Sep, is before it) -> 600 / 68 = 8.82 a day; 300 / 8.82 = 34.0 days.
    (date(2026, 9, 20), date(2026, 11, 26), date(2026, 11, 26), 68, "300.00", "600.00", 34.0),
    # 90 days, 29 Aug - 26 Nov, the window itself: W1 200 + W6 100 open on 720 of charges (W1, W3, W5, W6, W8) ->
    # 8.00 a day; 300 / 8 = 37.5 days.
    (date(2026, 8, 29), date(2026, 11, 26), date(2026, 11, 26), 90, "300.00", "720.00", 37.5),
    # 365 days to 26 Nov: every insurance claim, 750 open (W1 200, W2 300, W4 150, W6 100); the charges still come
    # from the last 90 days only (720), so a year's range reads as the whole book does: 750 / 8 = 93.75 -> 93.8.
    (date(2025, 11, 27), date(2026, 11, 26), date(2026, 11, 26), 90, "750.00", "720.00", 93.8),
])
def test_days_in_ar_averages_the_charges_of_the_days_the_range_covers(practice, start, end, as_of, window_days, open_ar,
                                                                      charges, days_in_ar):
    with database.read_connection(practice) as con:
        figures = figures_of.kpis(con, as_of, Scope(start=start, end=end))
    assert figures["charge_window_days"] == window_days
    assert (figures["open_ar"], figures["recent_charges"]) == (Decimal(open_ar), Decimal(charges))
    assert figures["days_in_ar"] == days_in_ar
