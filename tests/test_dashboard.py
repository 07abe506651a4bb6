from streamlit.testing.v1 import AppTest

from etl.load import load_files
from tests.conftest import APP, HAND_MADE, open_app, scalar


def test_data_loaded_page_shows_row_counts_from_the_database(db_path, monkeypatch):
    load_files([HAND_MADE], db_path)

    page = open_app(db_path, monkeypatch, "admin", "views/data_loaded.py")

    assert not page.exception
    counts = page.dataframe[0].value
    as_dict = dict(zip(counts["table_name"], counts["row_count"]))
    assert as_dict["claims"] == 5 and as_dict["remit_adjustments"] == 10
    assert len(page.dataframe[1].value) == 3


def data_quality_page(db_path, monkeypatch) -> AppTest:
    return open_app(db_path, monkeypatch, "admin", "views/data_quality.py")


def loaded_with_problems(db_path, tmp_path):
    """The reconciliation fixture, an unbalanced 835, and a claims CSV with two bad lines."""
    from tests.conftest import FIXTURES

    unbalanced = tmp_path / "unbalanced.835"
    unbalanced.write_text((FIXTURES / "x12" / "cas_triplets_and_plb.835").read_text().replace("BPR*I*230.00", "BPR*I*235.50"))
    bad_code = tmp_path / "bad_code.csv"
    bad_code.write_text((HAND_MADE / "claims.csv").read_text().replace(",15.00,2026-09-15,", ",15.00,2031-09-15,"))
    folder = FIXTURES / "reconciliation"
    load_files([folder / "claims.csv", folder / "remits.csv", FIXTURES / "csv" / "claims_with_bad_rows.csv", unbalanced, bad_code], db_path)


def test_data_quality_page_lists_balancing_failures_and_unmatched_remits(db_path, tmp_path, monkeypatch):
    loaded_with_problems(db_path, tmp_path)

    page = data_quality_page(db_path, monkeypatch)

    assert not page.exception
    headers = [header.value for header in page.subheader]
    assert headers == ["Tables", "Load history", "Loaded with structural warnings", "Quarantine", "Latest validation results", "835 balancing failures",
                       "Unmatched remittances", "Service lines not tied to a claim line",
                       "Replacements and voids not tied to a claim", "Claims without a remittance", "Payments dated before their claim was sent",
                       "Duplicate ERAs"]
    balancing = next(frame.value for frame in page.dataframe if "difference_amount" in frame.value.columns)
    assert [str(value) for value in balancing["difference_amount"]] == ["5.50"]
    unmatched = next(frame.value for frame in page.dataframe if "reason" in frame.value.columns and "trace_number" in frame.value.columns)
    assert sorted(unmatched["claim_id"]) == ["M2", "R1", "T099", "T100", "X9"]


def test_two_checks_sharing_a_name_show_as_two_rows_each_with_its_own_severity_and_failures(db_path, tmp_path, monkeypatch):
    """claims' two checks on service_date_from share GX's name: in the future refuses the claim, older than three
    years loads and is counted. C1002 is dated 2099 (refused), C1003 2020 (loaded); each rule counts its own one."""
    claims = tmp_path / "claims.csv"
    text = (HAND_MADE / "claims.csv").read_text()
    claims.write_text(text.replace(",2026-09-10,2026-09-10,2026-09-11,", ",2099-09-10,2099-09-10,2099-09-11,")
                      .replace(",2026-09-15,2026-09-15,2026-09-17,", ",2020-09-15,2020-09-15,2020-09-17,"))
    load_files([claims], db_path)

    page = data_quality_page(db_path, monkeypatch)

    results = next(frame.value for frame in page.dataframe if "check" in frame.value.columns)
    dated = results[results["expectation"] == "expect_column_values_to_be_between(service_date_from)"]
    assert sorted(zip(dated["severity"], dated["unexpected_count"], dated["latest_success"])) == [("error", 1, False), ("warning", 1, False)]
    checks = dict(zip(dated["severity"], dated["check"]))
    assert checks["error"].endswith("is not in the future") and checks["warning"].endswith("is within the last three years")
    assert scalar(db_path, "select list(claim_id order by claim_id) from claims") == ["C1001", "C1003", "C1004", "C1005"]


def test_quarantine_browser_filters_by_problem_and_hides_raw_records_until_asked(db_path, tmp_path, monkeypatch):
    loaded_with_problems(db_path, tmp_path)
    page = data_quality_page(db_path, monkeypatch)
    quarantine = next(frame.value for frame in page.dataframe if "locator" in frame.value.columns and "problem" in frame.value.columns)
    # claims_with_bad_rows.csv's 3 bad lines, and the claim with a line dated 2031 of its 3, each line its own row
    assert len(quarantine) == 6 and "raw" not in quarantine.columns

    page.multiselect[1].select("missing claim_id").run()
    page.toggle[0].set_value(True).run()

    quarantine = next(frame.value for frame in page.dataframe if "locator" in frame.value.columns and "problem" in frame.value.columns)
    assert list(quarantine["locator"]) == ["line 5"]
    assert quarantine["raw"][0].startswith(",AET01,Aetna")


def test_table_badges_show_where_records_were_quarantined(db_path, tmp_path, monkeypatch):
    loaded_with_problems(db_path, tmp_path)

    page = data_quality_page(db_path, monkeypatch)

    badges = {metric.label: metric.value for metric in page.metric}
    assert badges["claim_lines"] == "errors quarantined"  # a line dated in the future
    assert badges["claims"] == "clean"
    assert badges["remit_claims"] == "clean"


def late_payments_page(loaded_once, db_path, monkeypatch, as_of: str, fixture: str = "worklist") -> AppTest:
    from datetime import date

    from tests.conftest import FIXTURES, copy_database

    copy_database(loaded_once(FIXTURES / fixture), db_path)
    page = open_app(db_path, monkeypatch, "manager", "views/late_payments.py")
    page.date_input(key="as_of").set_value(date.fromisoformat(as_of)).run()
    return page


def test_late_payments_page_shows_the_ranked_worklist_with_patients_masked(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")

    assert not page.exception
    work = next(frame.value for frame in page.dataframe if "priority_score" in frame.value.columns)
    # priorities 180.00, 90.00, 67.50 (W4, filed on time and never answered), 55.00 (tests/test_worklist.py)
    assert list(work["claim_id"]) == ["W1", "W2", "W4", "W6"]
    assert all(value.startswith("patient ••") for value in work["patient"])
    assert "patient_key" not in work.columns


def test_late_payments_page_totals_unanswered_claims_past_their_payers_expected_time(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")

    late = next(frame.value for frame in page.dataframe if "oldest_days" in frame.value.columns)
    # Both payers expect an answer in 30 days: W1 (Aetna, 200.00) has waited 54, W4 (Cigna, 150.00) 176.
    assert [(row.payer_name, row.claim_count, str(row.balance_amount), row.oldest_days) for row in late.itertuples()] == [
        ("Aetna", 1, "200.00", 54), ("Cigna", 1, "150.00", 176),
    ]


def test_late_payments_page_lists_lines_paid_below_the_usual_rate_and_works_their_claims(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26", fixture="underpayment")
    # the section says how many claims and how much before the lines are read: U7 and U9, 10.00 short each
    assert "**2 claims, $20.00 short.**" in [text.value for text in page.markdown]
    assert not [frame for frame in page.dataframe if "shortfall_amount" in frame.value.columns]
    page.session_state["underpaid_open"] = True
    page.run()

    assert not page.exception
    lines = next(frame.value for frame in page.dataframe if "shortfall_amount" in frame.value.columns)
    work = next(frame.value for frame in page.dataframe if "priority_score" in frame.value.columns)
    # tests/test_underpayment.py works these figures out by hand
    assert list(zip(lines["claim_id"], lines["shortfall_amount"].astype(str))) == [("U7", "10.00"), ("U9", "10.00")]
    assert list(zip(work["claim_id"], work["work_status"], work["underpaid_amount"].astype(str))) == [
        ("U10", "Partially paid", "0.00"), ("U7", "Underpaid", "10.00"), ("U9", "Underpaid", "10.00"),  # in words on screen
    ]


def test_aging_basis_toggle_moves_a_claim_between_buckets(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-12-02")

    def buckets():
        grid = next(frame.value for frame in page.dataframe if "is_all_payers" in frame.value.columns).set_index("payer_name")
        return {bucket: str(grid.loc["Total", bucket]) for bucket in ("31-60", "61-90")}

    # 2026-12-02: W1 is 62 days from service (61-90) but 60 days from submission (31-60); W6 is 48 / 47 days.
    by_service = buckets()
    page.radio(key="aging_basis").set_value("Submission date").run()
    by_submission = buckets()

    assert not page.exception
    assert by_service == {"31-60": "100.00", "61-90": "200.00"}
    assert by_submission == {"31-60": "300.00", "61-90": "0.00"}


def test_overview_tiles_show_the_hand_computed_figures_and_their_definitions(db_path, monkeypatch):
    from datetime import date

    from tests.conftest import FIXTURES

    load_files([FIXTURES / "worklist"], db_path)
    page = open_app(db_path, monkeypatch, "manager")
    page.date_input(key="as_of").set_value(date(2026, 11, 26)).run()

    assert not page.exception
    tiles = {metric.label: metric.value for metric in page.metric}
    # The same figures tests/test_kpis.py works out by hand.
    assert tiles["Initial denial rate"] == "20.0%"
    assert tiles["First-pass resolution"] == "60.0%"
    assert tiles["Days in A/R"] == "94"  # 93.8 days, shown whole
    assert tiles["A/R over 120 days"] == "20.0%"
    assert all(metric.help for metric in page.metric)
    assert not any("charge_amount" in frame.value.columns for frame in page.dataframe)  # read only when opened
    # The claims behind the money add up to the tiles, to the cent.
    page.session_state["claims_behind_open"] = True
    page.run()
    behind = next(frame.value for frame in page.dataframe if "balance_amount" in frame.value.columns and "charge_amount" in frame.value.columns)
    assert f"${sum(behind['charge_amount']):,.0f}" == tiles["Gross charges"] == "$1,170"  # W7 is self-pay
    assert f"${sum(behind['paid_to_date_amount']):,.0f}" == tiles["Payments"]
    assert f"${sum(value for value in behind['balance_amount'] if value > 0):,.0f}" == tiles["Open insurance A/R"] == "$750"


def test_payer_filter_narrows_the_worklist_and_opening_a_claim_shows_its_history(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")

    page.multiselect(key="payers").select("60054").run()

    assert not page.exception
    work = next(frame.value for frame in page.dataframe if "priority_score" in frame.value.columns)
    assert list(work["claim_id"]) == ["W1", "W6"]  # Aetna's open claims; Cigna's W2 and W4 drop out


def test_date_range_narrows_the_overview_money_figures(loaded_once, db_path, monkeypatch):
    from datetime import date

    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")
    page.switch_page("views/overview.py").run()
    page.selectbox(key="date_preset").set_value("custom").run()
    page.date_input(key="date_range").set_value((date(2026, 10, 1), date(2026, 10, 31))).run()

    assert not page.exception
    tiles = {metric.label: metric.value for metric in page.metric}
    # Served in October: W1 200 + W6 250 + W8 50; paid W6 100 + W8 50; open W1 200 + W6 100 (tests/test_kpis.py).
    assert (tiles["Gross charges"], tiles["Payments"], tiles["Open insurance A/R"]) == ("$500", "$150", "$300")


def test_claim_page_shows_the_reversal_and_correction_with_their_sources(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")
    page.switch_page("views/claim.py").run()
    page.session_state["claim_on_file_open"] = True  # the rows on file, with their sources, sit in a lazy expander
    page.text_input[0].set_value("W5").run()

    assert not page.exception
    remits = next(frame.value for frame in page.dataframe if "match_status" in frame.value.columns)
    assert [str(value) for value in remits["paid_amount"]] == ["80.00", "-80.00", "70.00"]
    assert list(remits["status"])[1].startswith("Reversal")
    assert all(remits["source_file"].str.endswith("remits.csv")) and all(remits["locator"].str.startswith("line "))
    history = next(frame.value for frame in page.dataframe if "balance_amount" in frame.value.columns and "as_of" in frame.value.columns)
    assert [str(value) for value in history["balance_amount"]] == ["120.00", "0.00", "0.00"]
    submissions = next(frame.value for frame in page.dataframe if "submitted_date" in frame.value.columns)
    assert "patient_key" not in submissions.columns and submissions["patient"][0].startswith("patient ••")


def test_claim_page_shows_an_underpaid_line_against_the_as_of_date_the_reports_use(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26", fixture="underpayment")
    page.switch_page("views/claim.py").run()
    page.text_input[0].set_value("U9").run()

    assert not page.exception
    underpaid = next(frame.value for frame in page.dataframe if "shortfall_amount" in frame.value.columns)
    # two units allowed 190.00 against Aetna's usual 100.00 a unit (tests/test_underpayment.py)
    assert [(str(row.expected_allowed_amount), str(row.shortfall_amount)) for row in underpaid.itertuples()] == [("200.00", "10.00")]
    assert any("as of 2026-11-26" in caption.value for caption in page.caption)

    page.text_input[0].set_value("U1").run()
    assert not any("shortfall_amount" in frame.value.columns for frame in page.dataframe)


def test_claim_page_says_so_when_the_claim_is_not_on_file(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")
    page.switch_page("views/claim.py").run()
    page.text_input[0].set_value("NOPE'; drop table claims; --").run()

    assert not page.exception
    assert "No claim" in page.warning[0].value


REPORT_PAGES = ["views/overview.py", "views/late_payments.py", "views/timelines.py", "views/coder_accuracy.py", "views/denials.py"]


def test_every_report_page_renders_after_each_filter_changes_on_the_sample_practice(sample_db, monkeypatch):
    from datetime import date

    from etl import db as database

    with database.read_connection(sample_db) as con:
        payer, provider = con.execute(
            "select payer_id, rendering_npi from stg_837__claims group by all order by count(*) desc limit 1"
        ).fetchall()[0]
    changes = [
        lambda page: page.date_input(key="as_of").set_value(date(2026, 9, 30)),
        lambda page: page.radio(key="date_basis").set_value("Submission date"),
        lambda page: page.selectbox(key="date_preset").set_value("last_month"),
        lambda page: page.selectbox(key="date_preset").set_value("custom"),
        lambda page: page.date_input(key="date_range").set_value((date(2026, 3, 1), date(2026, 8, 31))),
        lambda page: page.multiselect(key="payers").select(payer),
        lambda page: page.multiselect(key="providers").select(provider),
    ]
    for view in REPORT_PAGES:
        page = open_app(sample_db, monkeypatch, "manager", view)
        for change in changes:
            change(page).run()
            assert not page.exception, (view, page.exception)
        assert page.title[0].value and not page.error, view

    # The last page is Denials, narrowed to one payer and provider: its count must match the mart read directly.
    with database.read_connection(sample_db) as con:
        adjudicated, denied = con.execute(
            "select count(*), count(*) filter (where is_denied) from initial_adjudications where adjudicated_date <= date '2026-09-30'"
            " and payer_id = ? and rendering_npi = ? and submitted_date between date '2026-03-01' and date '2026-08-31'",
            [payer, provider],
        ).fetchall()[0]
    tiles = {metric.label: metric for metric in page.metric}
    assert tiles["Denied charges"].delta == f"{denied:,} of {adjudicated:,} claims"


def test_timelines_page_counts_unpaid_claims_as_censored(loaded_once, db_path, monkeypatch):
    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")
    page.switch_page("views/timelines.py").run()

    assert not page.exception
    summary = next(frame.value for frame in page.dataframe if "median_days" in frame.value.columns)
    aetna = summary[summary["payer_name"] == "Aetna"].iloc[0]
    # Aetna: paid after 18 (W8), 19 (W5) and 20 (W6) days; W1 unpaid after 54 days, censored.
    # S(18) = 3/4, S(19) = 3/4 x 2/3 = 1/2, S(20) = 1/4 -> 75% paid by day 30. The median is the first day S falls
    # strictly below 1/2 (statsmodels follows SAS): day 20. Naive mean (18+19+20)/3 = 19.
    assert (aetna["claims"], aetna["paid_claims"], aetna["censored"]) == (4, 3, 1)
    assert aetna["median_days"] == 20 and aetna["paid_by_day_30"] == 0.75 and aetna["naive_mean_days_paid_only"] == 19
    assert len(page.get("plotly_chart")) == 5  # the payment curves, three stage-lag boxes, the lag trend

    # Medicare Part B alone: W3, sent a day after service, answered after 4 days and paid in full by that answer. A box
    # of zeros would draw as a flat line on an axis of -1 to 1, so the stage says it in words instead.
    page.multiselect(key="payers").select("MCRB1").run()
    assert "Every claim took 0 days at this stage (1 claim)." in [caption.value for caption in page.caption]
    assert len(page.get("plotly_chart")) == 4


def test_coder_accuracy_page_draws_a_sample_with_the_seed_shown_and_recorded(loaded_once, db_path, monkeypatch):
    from etl import db as database

    page = late_payments_page(loaded_once, db_path, monkeypatch, "2026-11-26")
    page.switch_page("views/coder_accuracy.py").run()
    page.radio(key="sample_sizing").set_value("Fixed").run()  # the fixed size opens once Fixed is chosen
    page.number_input(key="sample_fixed_size").set_value(4)
    page.number_input(key="audit_seed").set_value(77)
    page.radio(key="sample_method").set_value("Stratified by coder")
    page.button(key="draw_sample").click().run()

    assert not page.exception
    assert "drawn with seed 77" in page.success[0].value
    with database.read_connection(db_path) as con:
        assert con.execute("select seed, method, sample_size from audit_samples").fetchall() == [(77, "stratified", 4)]


def test_every_page_on_an_empty_database_says_what_to_do_instead_of_failing(db_path, monkeypatch):
    for view in ["views/overview.py", "views/late_payments.py", "views/timelines.py", "views/coder_accuracy.py",
                 "views/denials.py", "views/data_loaded.py", "views/data_quality.py", "views/claim.py"]:
        page = open_app(db_path, monkeypatch, "manager", view)
        assert not page.exception and not page.error, view
    assert "No files loaded yet" in page.switch_page("views/data_loaded.py").run().info[0].value


def test_a_load_shows_on_an_open_page_once_the_data_version_is_looked_up_again(db_path, monkeypatch):
    import time

    from dashboard.queries.cache import VERSION_SECONDS
    from tests.conftest import FIXTURES

    load_files([HAND_MADE], db_path)
    page = open_app(db_path, monkeypatch, "admin", "views/data_loaded.py")
    assert {metric.label: metric.value for metric in page.metric}["Claim submissions"] == "5"

    load_files([FIXTURES / "worklist" / "claims.csv"], db_path)
    time.sleep(VERSION_SECONDS + 0.5)
    page.run()

    # Results stay cached until the data changes; then the next lookup of the version brings the 8 new claims.
    assert {metric.label: metric.value for metric in page.metric}["Claim submissions"] == "13"
