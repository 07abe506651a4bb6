"""Denial-rate jumps: a planted jump is flagged, noise at the same volume is not, and one p-value is worked by hand."""

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from etl.reports.denial_jumps import FALSE_DISCOVERY_RATE, WEEKLY_COLUMNS, denial_jumps

FIRST_MONDAY = date(2026, 1, 5)
SCHEMA = dict(zip(WEEKLY_COLUMNS, [pl.String, pl.String, pl.String, pl.Date, pl.Int64, pl.Int64, pl.String]))
# Two payers, 26 weeks of 50 first adjudications each, four CARC categories from rare to common. The rare one
# (0.5%, about 2 in a baseline of 400 claims) often has a baseline with no denial at all.
PAYERS = ("60054", "62308")
CATEGORY_RATES = {"duplicate": 0.005, "coding_bundling": 0.02, "authorization_referral": 0.05, "eligibility_registration": 0.10}
WEEKS = 26
CLAIMS_A_WEEK = 50
SEEDS = range(200)


def weekly_counts(rows: list[tuple[str, str, date, int, int]]) -> pl.DataFrame:
    """Weekly counts from (payer, category, Monday, adjudicated, denied) rows, every denial CARC 197."""
    return pl.DataFrame([(payer, f"payer {payer}", category, week, claims, denied, "197")
                         for payer, category, week, claims, denied in rows], schema=SCHEMA, orient="row")


def simulated_practice(seed: int, jump: tuple[str, str, int, float] | None = None) -> pl.DataFrame:
    """Each payer-week's claims drawn at the category rates (a claim is denied for one category at most); `jump`
    (payer, category, week index, rate) plants one week at a higher rate."""
    rng = np.random.default_rng(seed)
    rows = []
    for payer in PAYERS:
        for week in range(WEEKS):
            rates = dict(CATEGORY_RATES)
            if jump and (jump[0], jump[2]) == (payer, week):
                rates[jump[1]] = jump[3]
            denied = rng.multinomial(CLAIMS_A_WEEK, [*rates.values(), 1 - sum(rates.values())])
            rows += [(payer, category, FIRST_MONDAY + timedelta(weeks=week), CLAIMS_A_WEEK, int(count))
                     for category, count in zip(rates, denied)]
    return weekly_counts(rows)


def test_the_p_value_is_the_binomial_tail_worked_by_hand():
    # Eight baseline weeks of 5 claims (N = 40) with 3 denials, then a week of n = 10 claims with 5 denials: m = 8 denials
    # in all, each in the tested week with probability n / (n + N) = 10 / 50 = 0.2 when nothing changed.
    # P(K >= 5 | Bin(8, 0.2)) = C(8,5) 0.2^5 0.8^3 + C(8,6) 0.2^6 0.8^2 + C(8,7) 0.2^7 0.8 + 0.2^8
    #                         = 56 x 0.00032 x 0.512 + 28 x 0.000064 x 0.64 + 8 x 0.0000128 x 0.8 + 0.00000256
    #                         = 0.00917504 + 0.00114688 + 0.00008192 + 0.00000256 = 0.0104064
    baseline = [("60054", "authorization_referral", FIRST_MONDAY + timedelta(weeks=week), 5, 1 if week in (1, 3, 6) else 0)
                for week in range(8)]
    tested_week = FIRST_MONDAY + timedelta(weeks=8)  # 2026-03-02, ISO week 10

    jumps = denial_jumps(weekly_counts([*baseline, ("60054", "authorization_referral", tested_week, 10, 5)]))

    # one test only (the first 8 weeks have no full baseline), so the BH q-value is the p-value itself, under 5%
    assert jumps["p_value"].to_list() == pytest.approx([0.0104064], abs=1e-10)
    assert jumps["q_value"].to_list() == pytest.approx([0.0104064], abs=1e-10)
    assert jumps["finding"].to_list() == [
        "Denials for authorization referral at payer 60054 jumped in week 10 of 2026 (from 2026-03-02): 5 of 10 claims "
        "(50.0%) against 3 of 40 (7.5%) in the 8 weeks before; mostly CARC 197."
    ]


def test_one_denial_after_a_baseline_without_any_is_no_jump():
    # 1 denial in 10 claims after 40 clean ones: m = 1, P(K >= 1 | Bin(1, 10/50)) = 0.2. A test against the baseline's
    # own rate, 0/40 = 0, would call any denial impossible (p = 0) and flag it.
    baseline = [("60054", "duplicate", FIRST_MONDAY + timedelta(weeks=week), 5, 0) for week in range(8)]

    jumps = denial_jumps(weekly_counts([*baseline, ("60054", "duplicate", FIRST_MONDAY + timedelta(weeks=8), 10, 1)]))

    assert jumps.is_empty()


def test_a_planted_jump_is_flagged_in_every_seeded_practice():
    # Authorization denials at 60054 go from 5% to 40% in week 20 (2026-05-25): about 20 of 50 claims against
    # about 20 of 400 in the 8 weeks before.
    planted = FIRST_MONDAY + timedelta(weeks=20)

    found = [
        denial_jumps(simulated_practice(seed, ("60054", "authorization_referral", 20, 0.40)))
        .filter(pl.col("payer_id") == "60054", pl.col("carc_category") == "authorization_referral",
                pl.col("adjudicated_week") == planted)
        .height
        for seed in SEEDS
    ]

    assert sum(found) == len(SEEDS)


def test_noise_at_the_same_volume_is_rarely_flagged():
    # No rate changes: any flag is a false one. Under this complete null Benjamini–Hochberg bounds the chance of any
    # flag in a practice (2 payers x 4 categories x 18 weeks tested) by the FDR level, 5%: about 10 of 200 practices
    # at most. The conditional binomial test is conservative, so far fewer are. The same test against the baseline's
    # own rate flags 164 of these 200 practices, mostly for the rare category's empty baselines.
    flagged = sum(not denial_jumps(simulated_practice(seed)).is_empty() for seed in SEEDS)

    assert flagged / len(SEEDS) <= FALSE_DISCOVERY_RATE / 2  # 2 of 200 at this writing


def test_no_counts_give_no_jumps():
    jumps = denial_jumps(pl.DataFrame(schema=SCHEMA))

    assert jumps.is_empty() and "finding" in jumps.columns
