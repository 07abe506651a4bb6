"""The synthetic practice: reproducible, clean to load, and shaped like its profile."""

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from etl.load import load_files
from etl.synth import synthesize
from etl.synth.profile import read_profile
from tests.conftest import scalar

END = date(2026, 11, 26)
START = END - timedelta(days=364)  # the first day of a 12-month window ending at END
PROFILE = read_profile()
CODING_REASONS = [reason.code for reason in PROFILE.coding_errors.denial_reasons]


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path):
    first = synthesize(tmp_path / "a", claims=300, seed=11, months=3, end=END, output_format="both")
    second = synthesize(tmp_path / "b", claims=300, seed=11, months=3, end=END, output_format="both")
    other = synthesize(tmp_path / "c", claims=300, seed=12, months=3, end=END, output_format="both")

    for kind in ("x12", "csv"):
        assert file_bytes(first / kind) == file_bytes(second / kind)
        assert file_bytes(first / kind) != file_bytes(other / kind)


def test_committed_samples_load_with_nothing_quarantined_and_every_identity_balanced(sample_db):
    assert scalar(sample_db, "select count(*) from source_files where status <> 'loaded'") == 0
    assert scalar(sample_db, "select count(*) from quarantine") == 0
    assert scalar(sample_db, "select count(*) from balancing_issues") == 0
    # The life events the profile asks for are all there.
    statuses = scalar(sample_db, "select list(distinct status_code order by status_code) from remit_claims")
    assert statuses == ["1", "19", "2", "22", "4"]
    assert scalar(sample_db, "select list(distinct reason_code order by reason_code) from provider_adjustments") == ["FB", "L6", "WO"]
    assert scalar(sample_db, "select count(*) from claims where frequency_code = '7'") > 0
    assert scalar(sample_db, "select bool_and(is_synthetic) from source_files")  # CSVs too, through the manifest


def test_every_insurance_claim_gets_its_coder_from_the_coders_export(sample_db):
    # an 837 names no coder (the self-pay claims CSV does)
    assert scalar(sample_db, "select count(*) from claims inner join source_files using (file_id) where kind = '837P' and coder_id is not null") == 0
    assert scalar(sample_db, "select count(*) from int_claims__submissions where coder_id is null") == 0


def test_a_generated_file_edited_afterwards_is_no_longer_synthetic(tmp_path):
    folder = tmp_path / "practice"
    synthesize(folder, 40, seed=3, months=2, end=date(2026, 11, 26))
    audits = folder / "audits.csv"
    audits.write_text(audits.read_text() + "RS99999999,CD01,AU01,2026-11-01,CPT,99213,99213,agree,0.00\n")

    load_files([folder], tmp_path / "p.duckdb")

    flags = dict(duckdb.connect(str(tmp_path / "p.duckdb"), read_only=True).execute(
        "select kind, bool_and(is_synthetic) from source_files group by kind").fetchall())
    assert flags["audits_csv"] is False
    assert flags["coders_csv"] and flags["claims_csv"] and flags["835"] and flags["837P"]


def test_generated_npis_pass_the_luhn_check(sample_db):
    npis = scalar(sample_db, "select list(distinct rendering_npi) from claims where rendering_npi is not null")

    def luhn(npi: str) -> bool:
        digits = [int(c) for c in "80840" + npi]
        return sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits))) % 10 == 0

    assert 5 <= len(npis) <= 20 and all(luhn(npi) for npi in npis)


@pytest.fixture(scope="module")
def practice_20k(tmp_path_factory):
    """20,000 claims over 12 months, loaded from the CSV form of the same simulation."""
    folder = synthesize(tmp_path_factory.mktemp("practice"), claims=20_000, seed=3, months=12, end=END, output_format="csv")
    db = tmp_path_factory.mktemp("db") / "practice.duckdb"
    load_files([folder], db)
    con = duckdb.connect(str(db), read_only=True)
    con.execute(
        """
        create temp table first_remits as
        select c.claim_id, c.payer_id, c.coder_id, c.submitted_date, c.service_date_from,
               r.status_code, p.payment_date, r.remit_claim_id,
               p.payment_date - c.submitted_date as days_to_payment
        from claims as c
        left join (
            select rc.*, rp.payer_id, rp.payment_date,
                   row_number() over (partition by rc.claim_id, rp.payer_id order by rp.payment_date, rc.remit_claim_id) as n
            from remit_claims as rc join remit_payments as rp using (payment_id)
        ) as r on r.claim_id = c.claim_id and r.payer_id = c.payer_id and r.n = 1
        left join remit_payments as p on p.payment_id = r.payment_id
        where c.frequency_code = '1'
        """
    )
    yield con
    con.close()


BILLED = [payer for payer in PROFILE.payers if not payer.self_pay]


@pytest.mark.parametrize("payer", [p for p in BILLED if p.payer_id != PROFILE.authorization_spike.payer_id], ids=lambda p: p.name)
def test_initial_denial_rate_outside_coding_errors_matches_the_profile(practice_20k, payer):
    denied, adjudicated = practice_20k.execute(
        """
        select count(*) filter (
                   where status_code = '4' and not exists (
                       select 1 from remit_adjustments a where a.remit_claim_id = f.remit_claim_id and a.reason_code in ?)),
               count(*) filter (where status_code is not null)
        from first_remits f where payer_id = ?
        """,
        [CODING_REASONS, payer.payer_id],
    ).fetchall()[0]

    assert abs(denied / adjudicated - payer.denial_rate) <= 0.02


@pytest.mark.parametrize("payer", BILLED, ids=lambda p: p.name)
def test_median_days_to_payment_matches_the_profile(practice_20k, payer):
    median, fastest = practice_20k.execute(
        "select median(days_to_payment), min(days_to_payment) from first_remits where payer_id = ? and status_code is not null",
        [payer.payer_id],
    ).fetchall()[0]

    # Payers pay on their run weekdays, so a payment waits up to six days past its due day.
    assert payer.days_to_pay.median - 1 <= median <= payer.days_to_pay.median + 7
    assert fastest >= payer.days_to_pay.minimum


@pytest.mark.parametrize("payer", BILLED, ids=lambda p: p.name)
def test_never_paid_share_matches_the_profile(practice_20k, payer):
    # Claims from the first six months have had six months to be paid; what is still silent never will be.
    unpaid = practice_20k.execute(
        """
        select avg(case when status_code is null then 1.0 else 0.0 end)
        from first_remits where payer_id = ? and submitted_date < ? + interval 6 month
        """,
        [payer.payer_id, START],
    ).fetchall()[0][0]

    assert abs(unpaid - payer.never_paid_share) <= 0.015


def test_one_payer_has_an_authorization_denial_spike(practice_20k):
    spike = PROFILE.authorization_spike
    rates = practice_20k.execute(
        """
        select (date_diff('month', date_trunc('month', ?::date), submitted_date) between ? and ?) as in_spike,
               avg(case when exists (
                   select 1 from remit_adjustments a where a.remit_claim_id = f.remit_claim_id and a.reason_code in ('197', '198')
               ) then 1.0 else 0.0 end)
        from first_remits f
        where payer_id = ? and status_code is not null
        group by all
        """,
        [START, spike.from_month, spike.from_month + spike.months - 1, spike.payer_id],
    ).fetchall()
    by_window = dict(rates)

    assert by_window[True] >= by_window[False] + 0.08


def test_the_drifting_coder_makes_more_errors_late_than_early(practice_20k):
    drifting = next(coder.coder_id for coder in PROFILE.coders if coder.drift_per_month)
    early, late = practice_20k.execute(
        """
        select avg(case when finding <> 'agree' then 1.0 else 0.0 end) filter (where audit_date < date '2026-06-01'),
               avg(case when finding <> 'agree' then 1.0 else 0.0 end) filter (where audit_date >= date '2026-06-01')
        from coding_audits where coder_id = ? and code_type = 'CPT'
        """,
        [drifting],
    ).fetchall()[0]

    assert late > early + 0.03
