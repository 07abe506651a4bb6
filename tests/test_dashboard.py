from streamlit.testing.v1 import AppTest

from etl.load import load_files
from tests.conftest import REPO, HAND_MADE

APP = str(REPO / "dashboard" / "app.py")


def test_data_loaded_page_shows_row_counts_from_the_database(db_path, monkeypatch):
    load_files([HAND_MADE], db_path)
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))

    page = AppTest.from_file(APP, default_timeout=30).run()
    page.switch_page("views/data_loaded.py").run()

    assert not page.exception
    counts = page.dataframe[0].value
    as_dict = dict(zip(counts["table_name"], counts["row_count"]))
    assert as_dict["claims"] == 5 and as_dict["remit_adjustments"] == 10
    assert len(page.dataframe[1].value) == 3


def data_quality_page(db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))
    page = AppTest.from_file(APP, default_timeout=30)
    page.run()
    page.switch_page("views/data_quality.py").run()
    return page


def loaded_with_problems(db_path, tmp_path):
    """The reconciliation fixture, an unbalanced 835, and a claims CSV with two bad lines."""
    from tests.conftest import FIXTURES

    unbalanced = tmp_path / "unbalanced.835"
    unbalanced.write_text((FIXTURES / "x12" / "cas_triplets_and_plb.835").read_text().replace("BPR*I*230.00", "BPR*I*235.50"))
    bad_code = tmp_path / "bad_code.csv"
    bad_code.write_text((HAND_MADE / "claims.csv").read_text().replace(",81002,", ",8100,"))
    folder = FIXTURES / "reconciliation"
    load_files([folder / "claims.csv", folder / "remits.csv", FIXTURES / "csv" / "claims_with_bad_rows.csv", unbalanced, bad_code], db_path)


def test_data_quality_page_lists_balancing_failures_and_unmatched_remits(db_path, tmp_path, monkeypatch):
    loaded_with_problems(db_path, tmp_path)

    page = data_quality_page(db_path, monkeypatch)

    assert not page.exception
    headers = [header.value for header in page.subheader]
    assert headers == ["Tables", "Load history", "Quarantine", "Latest validation results", "835 balancing failures",
                       "Unmatched remittances", "Claims without a remittance", "Payments dated before their claim was sent",
                       "Duplicate ERAs"]
    balancing = next(frame.value for frame in page.dataframe if "difference_amount" in frame.value.columns)
    assert [str(value) for value in balancing["difference_amount"]] == ["5.50"]
    unmatched = next(frame.value for frame in page.dataframe if "reason" in frame.value.columns and "trace_number" in frame.value.columns)
    assert sorted(unmatched["claim_id"]) == ["M2", "R1", "T099", "T100", "X9"]


def test_quarantine_browser_filters_by_problem_and_hides_raw_records_until_asked(db_path, tmp_path, monkeypatch):
    loaded_with_problems(db_path, tmp_path)
    page = data_quality_page(db_path, monkeypatch)
    quarantine = next(frame.value for frame in page.dataframe if "locator" in frame.value.columns and "problem" in frame.value.columns)
    assert len(quarantine) == 4 and "raw" not in quarantine.columns

    page.multiselect[1].select("missing claim_id").run()
    page.toggle[0].set_value(True).run()

    quarantine = next(frame.value for frame in page.dataframe if "locator" in frame.value.columns and "problem" in frame.value.columns)
    assert list(quarantine["locator"]) == ["line 5"]
    assert quarantine["raw"][0].startswith(",AET01,Aetna")


def test_table_badges_show_where_records_were_quarantined(db_path, tmp_path, monkeypatch):
    loaded_with_problems(db_path, tmp_path)

    page = data_quality_page(db_path, monkeypatch)

    badges = {metric.label: metric.value for metric in page.metric}
    assert badges["claim_lines"] == "errors quarantined"  # 8100 is not a CPT code
    assert badges["claims"] == "clean"
    assert badges["remit_claims"] == "clean"


def late_payments_page(db_path, monkeypatch, as_of: str) -> AppTest:
    from datetime import date

    from tests.conftest import FIXTURES

    load_files([FIXTURES / "worklist"], db_path)
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))
    page = AppTest.from_file(APP, default_timeout=30).run()
    page.switch_page("views/late_payments.py").run()
    page.date_input[0].set_value(date.fromisoformat(as_of)).run()
    return page


def test_late_payments_page_shows_the_ranked_worklist_with_patients_masked(db_path, monkeypatch):
    page = late_payments_page(db_path, monkeypatch, "2026-11-26")

    assert not page.exception
    work = next(frame.value for frame in page.dataframe if "priority_score" in frame.value.columns)
    assert list(work["claim_id"]) == ["W1", "W2", "W6", "W4"]
    assert all(value.startswith("patient ••") for value in work["patient"])
    assert "patient_key" not in work.columns


def test_aging_basis_toggle_moves_a_claim_between_buckets(db_path, monkeypatch):
    page = late_payments_page(db_path, monkeypatch, "2026-12-02")

    def buckets():
        aging = next(frame.value for frame in page.dataframe if "aging_bucket" in frame.value.columns and "claim_count" in frame.value.columns)
        return dict(zip(aging["aging_bucket"], aging["balance_amount"].astype(str)))

    # 2026-12-02: W1 is 62 days from service (61-90) but 60 days from submission (31-60); W6 is 48 / 47 days.
    by_service = buckets()
    page.sidebar.radio[0].set_value("Submission date").run()
    by_submission = buckets()

    assert not page.exception
    assert by_service["61-90"] == "200.00" and by_service["31-60"] == "100.00"
    assert "61-90" not in by_submission and by_submission["31-60"] == "300.00"


def test_overview_tiles_show_the_hand_computed_figures_and_their_definitions(db_path, monkeypatch):
    from datetime import date

    from tests.conftest import FIXTURES

    load_files([FIXTURES / "worklist"], db_path)
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))
    page = AppTest.from_file(APP, default_timeout=30).run()
    page.date_input[0].set_value(date(2026, 11, 26)).run()

    assert not page.exception
    tiles = {metric.label: metric.value for metric in page.metric}
    # The same figures tests/test_kpis.py works out by hand.
    assert tiles["Initial denial rate"] == "20.0%"
    assert tiles["First-pass resolution"] == "60.0%"
    assert tiles["Days in A/R"] == "93.8"
    assert tiles["A/R over 120 days"] == "20.0%"
    assert all(metric.help for metric in page.metric)
