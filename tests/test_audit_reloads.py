"""A corrected worksheet loaded again replaces the sample's earlier findings for the same claims and codes (the latest
load wins, the raw rows stay as history, and the load says what it replaced); a sample counts only the findings loaded
after it was drawn, so a probe never judges itself on older audits. Issue 30.

The practice is tests/fixtures/worklist: eight claims W1–W8 of one CPT and one ICD-10 each, coded by CD1 (W1, W2, W5,
W6), CD2 (W3, W4) and CD3 (W7, W8). W1 and W2 were audited once before any sample (every code agreed)."""

import csv
from decimal import Decimal

import pytest

from etl import db as database
from etl.load import load_files
from etl.reports.audit_sampling import (PROBE_SIZE, SAMPLE_RESULTS_SQL, Universe, draw_sample, extrapolate_overpayment,
                                        probe_result, worksheet)
from etl.reports.scope import Scope
from tests.conftest import FIXTURES

HEADER = "claim_id,coder_id,auditor_id,audit_date,code_type,original_code,audited_code,finding,dollar_impact\n"
OLDER_AUDIT = (HEADER
               + "W1,CD1,AU2,2026-09-01,CPT,99214,99214,agree,0.00\n"
               + "W1,CD1,AU2,2026-09-01,ICD10,I10,I10,agree,0.00\n"
               + "W2,CD1,AU2,2026-09-01,CPT,99215,99215,agree,0.00\n"
               + "W2,CD1,AU2,2026-09-01,ICD10,I10,I10,agree,0.00\n")
# The auditor's findings: W1's visit upcoded ($45 overbilled), W4's downcoded ($20 underbilled), W6's upcoded ($60
# overbilled); every other code agrees. W6's is first entered with the wrong sign.
FINDINGS = {"W1": ("99213", "upcoded", "-45.00"), "W4": ("99214", "downcoded", "20.00"), "W6": ("99213", "upcoded", "-60.00")}


def practice(tmp_path):
    """The worklist practice with W1's and W2's older audit loaded, before any sample is drawn."""
    db = tmp_path / "practice.duckdb"
    load_files([FIXTURES / "worklist"], db)
    older = tmp_path / "older_audit.csv"
    older.write_text(OLDER_AUDIT)
    [loaded] = load_files([older], db)
    assert loaded.status == "loaded"
    return db


def filled(con, sample_id: int, path, wrong_sign_on: str | None = None):
    """The sample's worksheet filled in as FINDINGS says, written as CSV; W6's upcode entered positive when told."""
    rows = []
    for row in worksheet(con, sample_id).iter_rows(named=True):
        found = FINDINGS.get(row["claim_id"]) if row["code_type"] == "CPT" else None
        audited, finding, impact = found or (None, "agree", "0.00")
        if row["claim_id"] == wrong_sign_on and row["code_type"] == "CPT":
            impact = impact.lstrip("-")
        rows.append({**row, "auditor_id": "AU1", "audit_date": "2026-11-20", "audited_code": audited or row["original_code"],
                     "finding": finding, "dollar_impact": impact})
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER.strip().split(","))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_corrected_worksheet_loaded_again_counts_once_keeps_the_history_and_says_what_it_replaced(tmp_path):
    db = practice(tmp_path)
    with database.write_connection(db) as con:
        sample = draw_sample(con, Universe(), 4, seed=11)  # seed 11 draws W1, W4, W6 and W7 of the eight (N = 8, n = 4)
        first = filled(con, sample.sample_id, tmp_path / "worksheet.csv", wrong_sign_on="W6")
        fixed = filled(con, sample.sample_id, tmp_path / "worksheet_fixed.csv")
    assert sorted(sample.claims["claim_id"]) == ["W1", "W4", "W6", "W7"]

    [partial] = load_files([first], db)
    [again] = load_files([fixed], db)

    # First load: W6's procedure (line 6, after W1's and W4's two codes) is set aside; W1's two codes replace the
    # older audit's, which was loaded before the sample was drawn, so it is named as no sample's.
    assert (partial.status, partial.records_loaded, partial.records_quarantined) == ("partial", 7, 1)
    assert "line 6: dollar_impact 60.00 is positive on a finding of upcoded" in partial.message
    assert "enter it as -60.00" in partial.message
    assert "replaces 2 earlier findings for the same claims and codes" in partial.message
    # Second load: the 7 rows of the first load are replaced, and W6's procedure arrives.
    assert (again.status, again.records_loaded, again.records_quarantined) == ("loaded", 8, 0)
    assert "replaces 7 earlier findings of sample 1 for the same claims and codes" in again.message
    with database.read_connection(db) as con:
        history = con.execute("select file_id, count(*) from coding_audits group by file_id order by file_id").fetchall()
        results = con.sql(SAMPLE_RESULTS_SQL, params={"sample_id": sample.sample_id}).pl()
        accuracy = {row[0]: row[1:] for row in con.execute(
            "select coder_id, claims_audited, claims_correct, codes_audited, codes_correct, upcoded, downcoded, overpayment"
            " from coder_accuracy($scope) order by coder_id", Scope().params()).fetchall()}
        w1 = con.execute("select codes_audited, codes_correct, upcoded, overpayment from audited_claims"
                         " where claim_id = 'W1'").fetchall()
        progress = con.execute("select claims_audited, claims_in_error from audit_sample_progress").fetchall()
        shown = con.execute("select count(*) from claim_coding_audits where claim_id = 'W1'").fetchall()[0][0]

    # History: the older audit's 4 rows, the first load's 7 and the second's 8 all stay in coding_audits.
    assert [count for _, count in history] == [4, 7, 8]
    # Overpayment per claim (−dollar_impact): W1 45, W4 −20, W6 60, W7 0; ȳ = 85 / 4 = 21.25, T = N ȳ = 8 × 21.25 = 170.00.
    # Counted twice, W1 would be 90 and W4 −40: T = 8 × 110 / 4 = 220.00.
    assert dict(zip(results["claim_id"], results["overpayment"])) == {
        "W1": Decimal("45.00"), "W4": Decimal("-20.00"), "W6": Decimal("60.00"), "W7": Decimal("0.00")}
    estimate = extrapolate_overpayment(results)
    assert estimate["point_estimate"] == pytest.approx(170.00)
    # s² = (23.75² + 41.25² + 38.75² + 21.25²) / 3 = 4218.75 / 3 = 1406.25; Var(T) = 8² × (1 − 4/8) × 1406.25 / 4 = 11,250;
    # SE = 106.07; t(0.95; 3 df) = 2.35336, so the 90% bounds are 170 ∓ 249.61: −79.61 and 419.61.
    assert estimate["standard_error"] == pytest.approx(106.066, abs=0.001)
    assert estimate["lower_bound"] == pytest.approx(-79.61, abs=0.01)
    assert estimate["upper_bound"] == pytest.approx(419.61, abs=0.01)
    assert progress == [(4, 3)]
    # Per coder, W2 still from the older audit: CD1 W1 (1 of 2 codes), W2 (2 of 2), W6 (1 of 2): 3 claims, 1 right,
    # 6 codes, 4 right, 2 upcoded, 45 + 60 = 105 overpaid; CD2 W4: 1 of 2 codes, downcoded, −20; CD3 W7: 2 of 2.
    assert accuracy == {
        "CD1": (3, 1, 6, 4, 2, 0, Decimal("105.00")),
        "CD2": (1, 0, 2, 1, 0, 1, Decimal("-20.00")),
        "CD3": (1, 1, 2, 2, 0, 0, Decimal("0.00")),
    }
    # W1: 1 of 2 codes right (1 upcoded), overbilled by $45.00 (not 2 of 4 and $90.00); its Claim page lists 2 codes.
    assert w1 == [(2, 1, 1, Decimal("45.00"))] and shown == 2


def test_a_fix_loaded_alone_adds_the_missing_finding_and_replaces_nothing(tmp_path):
    db = practice(tmp_path)
    with database.write_connection(db) as con:
        sample = draw_sample(con, Universe(), 4, seed=11)
        first = filled(con, sample.sample_id, tmp_path / "worksheet.csv", wrong_sign_on="W6")
    load_files([first], db)
    fix = tmp_path / "fix.csv"
    fix.write_text(HEADER + "W6,CD1,AU1,2026-11-20,CPT,99214,99213,upcoded,-60.00\n")

    [loaded] = load_files([fix], db)

    assert loaded.status == "loaded" and "replaces" not in loaded.message  # the wrong row never loaded
    with database.read_connection(db) as con:
        results = con.sql(SAMPLE_RESULTS_SQL, params={"sample_id": sample.sample_id}).pl()
    # the same four claims as the full re-load: 45 − 20 + 60 + 0 = 85 overpaid in the sample
    assert results["overpayment"].sum() == Decimal("85.00") and len(results) == 4


def test_a_probe_counts_only_findings_loaded_after_it_was_drawn(tmp_path, monkeypatch):
    from tests.conftest import open_app

    db = practice(tmp_path)
    with database.write_connection(db) as con:
        probe = draw_sample(con, Universe(), PROBE_SIZE, seed=4, purpose="probe")  # the whole universe: 8 claims
        before = probe_result(con.sql(SAMPLE_RESULTS_SQL, params={"sample_id": probe.sample_id}).pl())
        progress = con.execute("select claims_audited from audit_sample_progress").fetchall()
        sheet = filled(con, probe.sample_id, tmp_path / "probe.csv")

    # W1 and W2 were audited before the probe was drawn: the probe has judged nothing yet (not "0 of 2 in error").
    assert before == {"claims_audited": 0, "claims_in_error": 0, "error_rate": 0.0} and progress == [(0,)]
    page = open_app(db, monkeypatch, "auditor", "views/coder_accuracy.py")
    assert not page.exception and not any(text.value.startswith("Probe:") for text in page.markdown)

    page.file_uploader[0].set_value((sheet.name, sheet.read_bytes(), "text/csv")).run()  # loaded as an auditor does
    next(button for button in page.button if button.label == "Load worksheet").click().run()
    assert not page.exception
    # its own worksheet: W1, W4 and W6 in error of the eight
    assert any("Probe: **3 of 8 claims** in error (37.5%)" in text.value for text in page.markdown)


def test_a_negative_lower_bound_says_no_overpayment_is_established(tmp_path, monkeypatch):
    from tests.conftest import open_app

    db = practice(tmp_path)
    with database.write_connection(db) as con:
        sample = draw_sample(con, Universe(), 4, seed=11)
        sheet = filled(con, sample.sample_id, tmp_path / "worksheet.csv")
    load_files([sheet], db)

    page = open_app(db, monkeypatch, "auditor", "views/coder_accuracy.py")

    assert not page.exception
    lower = next(metric for metric in page.metric if metric.label.startswith("Lower bound"))
    assert lower.value == "−$79.61"  # worked out in the first test of this file
    assert any(caption.value.startswith("Below zero: at 90% confidence the sample does not establish that the practice "
                                        "was overpaid") for caption in page.caption)
