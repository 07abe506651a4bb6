"""Audit samples: sizes from the attribute-sampling formula, allocation, reproducible draws, exact intervals, and the
stratified overpayment estimate, each against figures worked out by hand."""

import math
from datetime import date

import polars as pl
import pytest
from scipy.stats import beta

from etl import db as database
from etl.reports.audit_sampling import (
    Universe, allocate, draw, draw_sample, extrapolate_overpayment, sample_size, universe_claims, universe_size, worksheet,
)
from etl.reports.scope import Scope
from etl.reports.stats import exact_interval


def test_sample_size_matches_the_worked_example():
    # 95% confidence (z = 1.959964), ±5% precision, 10% expected error rate, universe of 1,000 claims:
    # n0 = 1.959964² × 0.10 × 0.90 / 0.05² = 3.841459 × 0.09 / 0.0025 = 138.29
    # n  = 138.29 / (1 + 137.29 / 1000) = 121.59 -> 122 claims.
    assert sample_size(0.95, 0.05, 0.10, 1000) == 122
    # Without a meaningful finite-population correction (N = 1,000,000) it is n0 rounded up: 139.
    assert sample_size(0.95, 0.05, 0.10, 1_000_000) == 139
    # A universe smaller than the sample is audited whole.
    assert sample_size(0.95, 0.05, 0.10, 20) == 18 and sample_size(0.99, 0.01, 0.5, 20) == 20


def test_proportional_allocation_uses_largest_remainders_and_equal_allocation_caps_small_strata():
    # 30 of 100 claims: A 50 -> 15.0, B 30 -> 9.0, C 20 -> 6.0.
    assert allocate({"A": 50, "B": 30, "C": 20}, 30, "proportional") == {"A": 15, "B": 9, "C": 6}
    # 10 of 60: exact 5.0, 3.33, 1.67 -> floors 5, 3, 1 (9); the largest remainder (C, 0.67) takes the last one.
    assert allocate({"A": 30, "B": 20, "C": 10}, 10, "proportional") == {"A": 5, "B": 3, "C": 2}
    # Equal: 12 over 3 strata is 4 each, but C holds only 2, so its 2 unused go to A and B in turn.
    assert allocate({"A": 30, "B": 20, "C": 2}, 12, "equal") == {"A": 5, "B": 5, "C": 2}


def universe_of(coders: dict[str, int]) -> pl.DataFrame:
    rows = [(index, f"C{index:05d}", coder) for index, coder in enumerate(c for c, n in coders.items() for _ in range(n))]
    return pl.DataFrame(rows, schema=["claim_record_id", "claim_id", "coder_id"], orient="row")


def test_the_same_universe_and_seed_give_the_same_sample_and_strata_are_as_allocated():
    claims = universe_of({"CD1": 120, "CD2": 60, "CD3": 20})

    first, again, other = draw(claims, 40, 2026, True), draw(claims, 40, 2026, True), draw(claims, 40, 2027, True)

    assert first["claim_id"].to_list() == again["claim_id"].to_list()
    assert first["claim_id"].to_list() != other["claim_id"].to_list()
    sizes = dict(first.group_by("stratum").len().iter_rows())
    assert sizes == {"CD1": 24, "CD2": 12, "CD3": 4}  # 40 × 120/200, 40 × 60/200, 40 × 20/200
    assert first.filter(stratum="CD1")["stratum_size"][0] == 120 and first["claim_id"].n_unique() == 40
    assert set(first.filter(stratum="CD3")["coder_id"]) == {"CD3"}


def test_clopper_pearson_bounds_match_the_beta_quantiles():
    # 45 of 50 claims coded right: the exact 95% interval is Beta(0.025; 45, 6) .. Beta(0.975; 46, 5).
    low, high = exact_interval(45, 50)
    assert low == pytest.approx(beta.ppf(0.025, 45, 6)) and high == pytest.approx(beta.ppf(0.975, 46, 5))
    assert (round(low, 4), round(high, 4)) == (0.7819, 0.9667)
    # All right: the upper bound is 1 and the lower one is (0.025)^(1/n).
    assert exact_interval(30, 30) == (pytest.approx(0.025 ** (1 / 30)), 1.0)


def test_stratified_overpayment_estimate_matches_the_hand_computation():
    audited = pl.DataFrame({
        "stratum": ["A"] * 4 + ["B"] * 3,
        "stratum_size": [100] * 4 + [50] * 3,
        "overpayment": [0.0, 10.0, 20.0, 30.0, 5.0, 5.0, 20.0],
    })
    result = extrapolate_overpayment(audited)

    # A: mean 15, s² = (225 + 25 + 25 + 225) / 3 = 166.667; B: mean 10, s² = (25 + 25 + 100) / 2 = 75.
    # T = 100 × 15 + 50 × 10 = 2,000.
    # Var = 100² × (1 − 4/100) × 166.667 / 4 + 50² × (1 − 3/50) × 75 / 3 = 400,000 + 58,750 = 458,750; SE 677.31.
    # df = 3 + 2 = 5; t(0.95; 5) = 2.015048; margin 1,364.81.
    assert result["point_estimate"] == pytest.approx(2000.0)
    assert result["standard_error"] == pytest.approx(math.sqrt(458_750))
    assert result["degrees_of_freedom"] == 5
    assert result["lower_bound"] == pytest.approx(2000 - 2.015048 * math.sqrt(458_750), abs=0.01)
    assert round(result["lower_bound"], 2) == 635.19


def test_a_recorded_draw_repeats_and_its_worksheet_lists_every_code(sample_db, tmp_path):
    import shutil

    db = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, db)
    universe = Universe(Scope(start=date(2026, 1, 1), end=date(2026, 6, 30)), coders=("CD02", "CD05"))
    with database.write_connection(db) as con:
        claims = universe_claims(con, universe)
        recorded = draw_sample(con, universe, 30, seed=11, stratify_by_coder=True, allocation="equal")
        sheet = worksheet(con, recorded.sample_id)
        stored = con.execute("select seed, method, allocation, universe_size, sample_size from audit_samples").fetchall()

    assert set(claims["coder_id"]) == {"CD02", "CD05"}
    assert recorded.claims["claim_id"].to_list() == draw(claims, 30, 11, True, "equal")["claim_id"].to_list()
    assert dict(recorded.claims.group_by("stratum").len().iter_rows()) == {"CD02": 15, "CD05": 15}
    assert stored == [(11, "stratified", "equal", len(claims), 30)]
    assert set(sheet["claim_id"]) == set(recorded.claims["claim_id"]) and set(sheet["code_type"]) == {"CPT", "ICD10"}
    assert sheet["finding"].null_count() == len(sheet)  # left for the auditor


def test_worksheet_round_trip_through_the_cli_gives_accuracy_and_the_extrapolated_overpayment(tmp_path, monkeypatch):
    import csv

    from typer.testing import CliRunner

    from etl.reports.audit_sampling import SAMPLE_RESULTS_SQL
    from etl.cli import app
    from etl.load import load_files
    from tests.conftest import FIXTURES

    db, sheet = tmp_path / "audit.duckdb", tmp_path / "sheet.csv"
    load_files([FIXTURES / "worklist"], db)
    drawn = CliRunner().invoke(app, ["audit-sample", "--db", str(db), "--size", "8", "--strata", "coder", "--seed", "5", "--out", str(sheet)])
    assert drawn.exit_code == 0, drawn.output
    assert "8 of 8 claims, seed 5" in " ".join(drawn.output.split())

    # The auditor agrees with everything except W1's visit (upcoded: $40 overbilled) and W3's (downcoded: $20 underbilled).
    rows = list(csv.DictReader(sheet.open()))
    assert len(rows) == 16  # eight claims, one CPT and one ICD-10 each
    for row in rows:
        row.update(auditor_id="AU1", audit_date="2026-11-20", audited_code=row["original_code"], finding="agree", dollar_impact="0.00")
        if row["code_type"] == "CPT" and row["claim_id"] == "W1":
            row.update(audited_code="99213", finding="upcoded", dollar_impact="-40.00")
        if row["code_type"] == "CPT" and row["claim_id"] == "W3":
            row.update(audited_code="99214", finding="downcoded", dollar_impact="20.00")
    with sheet.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    [loaded] = load_files([sheet], db)
    assert loaded.status == "loaded" and loaded.records_loaded == 16

    with database.read_connection(db) as con:
        accuracy = {coder: (right, total) for coder, right, total in con.execute(
            "select coder_id, claims_correct, claims_audited from coder_accuracy($scope)", Scope().params()
        ).fetchall()}
        audited = con.sql(SAMPLE_RESULTS_SQL, params={"sample_id": 1}).pl()
    # CD1 coded W1, W2, W5, W6 (W1 wrong); CD2 W3, W4 (W3 wrong); CD3 W7, W8.
    assert accuracy == {"CD1": (3, 4), "CD2": (1, 2), "CD3": (2, 2)}
    estimate = extrapolate_overpayment(audited)
    # Every claim of the universe was audited: the total is exact (40 − 20 = 20) and the interval has no width.
    assert estimate["point_estimate"] == pytest.approx(20.0)
    assert estimate["lower_bound"] == pytest.approx(20.0) and estimate["degrees_of_freedom"] == 5

    from tests.conftest import open_app

    page = open_app(db, monkeypatch, "auditor", "views/coder_accuracy.py")
    shown = next(frame.value for frame in page.dataframe if "against_target" in frame.value.columns).set_index("coder_id")
    # 3 of 4 right: the exact 95% interval runs from Beta(0.025; 3, 2) = 0.194 to Beta(0.975; 4, 1) = 0.994, which holds 95%.
    assert shown.loc["CD1", "claim_accuracy"] == 0.75 and round(shown.loc["CD1", "claim_low"], 3) == 0.194
    assert shown.loc["CD1", "against_target"] == "not yet known: audit more claims"
    lower_bound = next(metric for metric in page.metric if metric.label.startswith("Lower bound"))
    assert lower_bound.value == "$20.00"


def test_a_worksheet_filled_in_excel_loads_back_and_a_blank_finding_is_quarantined_by_row(tmp_path):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from etl.cli import app
    from etl.load import load_files
    from tests.conftest import FIXTURES

    db, sheet = tmp_path / "audit.duckdb", tmp_path / "sheet.xlsx"
    load_files([FIXTURES / "worklist"], db)
    assert CliRunner().invoke(app, ["audit-sample", "--db", str(db), "--size", "3", "--seed", "9", "--out", str(sheet)]).exit_code == 0

    book = load_workbook(sheet)
    # the drawn codes: the open rows below them (for a missing code) stay blank
    rows = [row for row in book.active.iter_rows(min_row=2) if row[0].value]
    header = [cell.value for cell in next(book.active.iter_rows(max_row=1))]
    column = {name: index for index, name in enumerate(header)}
    for row in rows[:-1]:  # the auditor leaves the last code unreviewed
        row[column["auditor_id"]].value = "AU1"
        row[column["audit_date"]].value = date(2026, 11, 20)  # typed as a date, as Excel keeps it
        row[column["audited_code"]].value = row[column["original_code"]].value
        row[column["finding"]].value = "agree"
        row[column["dollar_impact"]].value = 0
    book.save(sheet)

    [result] = load_files([sheet], db)

    assert result.kind == "audits_csv" and result.status == "partial"
    assert (result.records_loaded, result.records_quarantined) == (len(rows) - 1, 1)
    with database.read_connection(db) as con:
        locator, reason, raw = con.execute("select locator, reason, raw from quarantine").fetchall()[0]
    assert locator == f"line {len(rows) + 1}"  # the sheet's row number, header being row 1
    assert "auditor_id" in reason and raw.startswith(rows[-1][column["claim_id"]].value)


def test_a_zip_that_is_not_a_workbook_is_rejected_with_a_clear_error(tmp_path):
    import zipfile

    from etl.load import load_files

    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("notes.txt", "not a spreadsheet")

    [result] = load_files([archive], tmp_path / "z.duckdb")

    # a zip that is no workbook is opened as a delivery of files (etl/intake/archives.py): its one member, neither
    # X12 nor a claimscope CSV, is refused by name
    assert (result.path, result.status) == (f"{archive}!/notes.txt", "rejected")
    assert "not X12" in result.message and "not a claimscope CSV header" in result.message


@pytest.mark.parametrize(("universe", "claim_ids"), [
    # C1001-C1005, one submission each: the whole hand-made practice.
    (Universe(), ["C1001", "C1002", "C1003", "C1004", "C1005"]),
    # 992xx: C1001 99214, C1002 99213, C1004 99215, C1005 99212; C1003's 99203 starts 992 too (99 2 03).
    (Universe(procedure_families=("992",)), ["C1001", "C1002", "C1003", "C1004", "C1005"]),
    # 9921: 99214, 99213, 99215, 99212; not C1003 (99203).
    (Universe(procedure_families=("9921",)), ["C1001", "C1002", "C1004", "C1005"]),
    # 206 (20610, C1004) or 81002 (C1003), whole codes being families of five characters.
    (Universe(procedure_families=("206", "81002")), ["C1003", "C1004"]),
    # CD1's claims narrowed to 93000 (C1003 only); a six-character family names no code.
    (Universe(coders=("CD1",), procedure_families=("93000",)), ["C1003"]),
    (Universe(procedure_families=("930000",)), []),
])
def test_the_universe_size_counts_the_claims_a_draw_reads(universe, claim_ids, tmp_path):
    from etl.load import load_files
    from tests.conftest import HAND_MADE

    db = tmp_path / "hand.duckdb"
    load_files([HAND_MADE / "claims.csv"], db)
    with database.read_connection(db) as con:
        assert sorted(universe_claims(con, universe)["claim_id"]) == claim_ids
        assert universe_size(con, universe) == len(claim_ids)
