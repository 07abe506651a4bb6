"""The biller's work queue: work items that persist and are audited, items the loader resolves, appeals whose outcome
is read from later 835s, overturn rates and time to decision, the ranking of claims not yet due, and the exports."""

import csv
import json
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from etl import db as database
from etl.cli import app
from etl.load import load_files
from etl.reports.scope import Scope
from etl.work import appeals, items, queue
from etl.work.items import Actor, WorkError
from tests.conftest import FIXTURES, open_app, scalar

AS_OF = date(2026, 11, 26)
DANA = Actor("dana", "biller")
REMIT_HEADER = (FIXTURES / "worklist" / "remits.csv").read_text().splitlines()[0].split(",")
CLAIM_HEADER = (FIXTURES / "worklist" / "claims.csv").read_text().splitlines()[0].split(",")


@pytest.fixture
def practice(worklist_practice):
    return worklist_practice


def write_rows(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def remit(trace: str, paid_on: str, claim_id: str, payer_id: str, payer_name: str, status: str, charge: str, paid: str,
          adjustments: list[tuple[str, str, str]]) -> list[dict]:
    """One claim payment of a remits CSV, a row per CAS adjustment (group, reason, amount)."""
    base = {"trace_number": trace, "payer_id": payer_id, "payer_name": payer_name, "payee_npi": "1234567893",
            "payment_method": "ACH", "payment_amount": paid, "payment_date": paid_on, "claim_id": claim_id,
            "claim_status_code": status, "claim_charge": charge, "claim_paid": paid, "patient_responsibility": "0.00",
            "payer_claim_id": f"P{claim_id}", "filing_indicator": "CI"}
    return [{**base, "group_code": group, "reason_code": reason, "adjustment_amount": amount} for group, reason, amount in adjustments]


def change(db: Path, work, *args):
    with database.write_connection(db) as con:
        return work(con, *args)


def read(db: Path, work, *args):
    with database.read_connection(db) as con:
        return work(con, *args)


def team_queue(db: Path, as_of: date = AS_OF, **filters) -> pl.DataFrame:
    return read(db, queue.queue_rows, as_of, Scope(), queue.QueueFilters(view="team", **filters), "dana")


def test_work_items_are_kept_with_their_history_and_audit_trail_and_notes_are_never_logged(practice):
    change(practice, items.assign, ["W1", "W2"], "dana", DANA)
    change(practice, items.set_status, ["W2"], "waiting_on_payer", DANA)
    change(practice, items.set_follow_up, ["W2"], date(2026, 12, 3), DANA)
    change(practice, items.add_note, "W2", "=HYPERLINK(\"http://x\") Called Cigna, ref 778; member DOB 1970-01-01", DANA)

    # a fresh connection (a restarted server) reads them back
    mine = read(practice, queue.queue_rows, AS_OF, Scope(), queue.QueueFilters(view="mine"), "dana")
    assert mine.select("claim_id", "owner_name", "status", "follow_up_date").rows() == [
        ("W1", "dana", "new", None), ("W2", "dana", "waiting_on_payer", date(2026, 12, 3)),
    ]
    unassigned = read(practice, queue.queue_rows, AS_OF, Scope(), queue.QueueFilters(view="unassigned"), "dana")
    assert unassigned["claim_id"].to_list() == ["W4", "W6"]  # W4, filed on time: 67.50 above W6's 55.00
    history = read(practice, items.history, "W2")
    assert history.select("user_name", "field", "before_value", "after_value").rows() == [
        ("dana", "owner", None, "dana"), ("dana", "status", "new", "waiting_on_payer"),
        ("dana", "follow_up_date", None, "2026-12-03"), ("dana", "note", None, "note 1"),
    ]
    assert history["note_text"][3].startswith("=HYPERLINK")
    trail = read(practice, lambda con: con.execute(
        "select action, object_ids, details from audit_log where action like 'work%' order by entry_id").fetchall())
    assert [(action, ids) for action, ids, _ in trail] == [
        ("work_change", ["W1", "W2"]), ("work_change", ["W2"]), ("work_change", ["W2"]), ("work_note", ["W2"]),
    ]
    assert json.loads(trail[1][2]) == {"field": "status", "before": ["new"], "after": "waiting_on_payer"}
    assert all("Cigna" not in details and "DOB" not in details for _, _, details in trail)
    assert read(practice, lambda con: con.execute("select count(*) from audit_log where details like '%778%'").fetchone()[0]) == 0
    # the chain still verifies with the work entries in it
    from etl.access import audit_trail
    assert read(practice, audit_trail.verify) is None


def test_a_change_is_refused_with_its_reason_and_nothing_is_half_written(practice):
    with pytest.raises(WorkError, match="no claim on file with id NOPE"):
        change(practice, items.assign, ["W1", "NOPE"], "dana", DANA)
    with pytest.raises(WorkError, match="status must be one of"):
        change(practice, items.set_status, ["W1"], "lost", DANA)
    with pytest.raises(WorkError, match="no active account named 'zed'"):
        change(practice, items.assign, ["W1"], "zed", DANA, ["dana", "eli"])
    assert scalar(practice, "select count(*) from work_items") == 0
    assert scalar(practice, "select count(*) from work_item_history") == 0


def test_the_loader_resolves_an_item_when_a_later_file_pays_the_claim_in_full(practice, tmp_path):
    change(practice, items.assign, ["W1", "W6"], "dana", DANA)
    change(practice, items.set_status, ["W1", "W6"], "in_progress", DANA)
    change(practice, items.add_note, "W1", "Called Aetna", DANA)
    # W1: 200.00 charged, 150.00 paid and 50.00 CO-45 contractual: 200 - 150 - 50 = 0 left. W6 (100.00 open) is untouched.
    load_files([write_rows(tmp_path / "later.csv", REMIT_HEADER,
                           remit("T10", "2026-11-20", "W1", "60054", "Aetna", "1", "200.00", "150.00", [("CO", "45", "50.00")]))],
               practice)

    rows = scalar(practice, "select list([claim_id, status, status_reason, updated_by] order by claim_id) from work_items")
    assert rows == [["W1", "resolved", "paid in full: the payment of 2026-11-20 left no insurance balance", "claimscope load"],
                    ["W6", "in_progress", None, "dana"]]
    history = read(practice, items.history, "W1")
    assert history.select("user_name", "field", "before_value", "after_value").rows()[-1] == (
        "claimscope load", "status", "in_progress", "resolved")
    assert history["note_text"].drop_nulls().to_list() == ["Called Aetna"]  # nothing the biller wrote is lost
    # resolved claims leave the open queue; asked for, the paid claim is no longer on the worklist at all
    assert "W1" not in team_queue(practice)["claim_id"].to_list()


def test_the_loader_resolves_items_whose_claims_are_voided_or_replaced(db_path):
    folder = FIXTURES / "x12" / "replacements"
    load_files([folder / "originals.837p", folder / "acme_lines.835"], db_path)
    change(db_path, items.assign, ["V1", "R1", "L1"], "dana", DANA)

    load_files([folder / "corrections.837p"], db_path)

    # tests/test_replacements.py: V1 is voided under its own id; R1 is replaced by R1B (its REF*F8); L1 stays open
    rows = scalar(db_path, "select list([claim_id, status, status_reason] order by claim_id) from work_items")
    assert rows == [["L1", "new", None], ["R1", "resolved", "replaced by claim R1B"],
                    ["V1", "resolved", "voided: a void (CLM05-3 8) was sent for it"]]


def appeal_on_w2(db: Path, tmp_path: Path, answer: list[dict] | None) -> pl.DataFrame:
    """W2 (Cigna, 300.00) was denied CO-197 on 2026-09-01; appeal it on 2026-09-10, then load the payer's answer."""
    appeal_id = change(db, appeals.record_appeal, "W2", "first", date(2026, 9, 10), DANA)
    assert appeal_id == 1
    if answer:
        load_files([write_rows(tmp_path / "answer.csv", REMIT_HEADER, answer)], db)
    return read(db, appeals.outcomes, AS_OF)


@pytest.mark.parametrize(("answer", "outcome", "paid"), [
    # paid 240.00 with 60.00 CO-45: 300 - 240 - 60 = 0 left
    (remit("T9", "2026-10-01", "W2", "62308", "Cigna", "1", "300.00", "240.00", [("CO", "45", "60.00")]), "overturned", "240.00"),
    # paid 150.00 with 60.00 CO-45: 90.00 still owed
    (remit("T9", "2026-10-01", "W2", "62308", "Cigna", "1", "300.00", "150.00", [("CO", "45", "60.00")]), "partially_overturned", "150.00"),
    # denied again
    (remit("T9", "2026-10-01", "W2", "62308", "Cigna", "4", "300.00", "0.00", [("CO", "197", "300.00")]), "upheld", "0.00"),
])
def test_an_appeal_outcome_is_read_from_the_next_835(practice, tmp_path, answer, outcome, paid):
    outcomes = appeal_on_w2(practice, tmp_path, answer)

    row = outcomes.row(0, named=True)
    assert (row["claim_id"], row["appeal_level"], row["outcome"], row["outcome_source"]) == ("W2", "first", outcome, "read from 835")
    assert (row["decision_date"], str(row["decision_paid_amount"])) == (date(2026, 10, 1), paid)
    # Cigna decides within 60 days (payer_rules.csv): 2026-09-10 + 60
    assert row["decision_due_date"] == date(2026, 11, 9)
    assert (row["denial_carc_code"], row["denial_category"]) == ("197", "authorization_referral")
    assert scalar(practice, "select status from work_items where claim_id = 'W2'") in ("appealed", "resolved")


def test_an_undecided_appeal_waits_and_an_outcome_set_by_hand_stands(practice, tmp_path):
    outcomes = appeal_on_w2(practice, tmp_path, None)
    assert outcomes["outcome"].to_list() == [None]
    assert team_queue(practice).filter(pl.col("claim_id") == "W2").select(
        "status", "appeal_level", "decision_due_date", "appeal_outcome").row(0) == ("appealed", "first", date(2026, 11, 9), None)

    change(practice, appeals.set_outcome, 1, "upheld", date(2026, 10, 15), DANA)
    row = read(practice, appeals.outcomes, AS_OF).row(0, named=True)
    assert (row["outcome"], row["outcome_source"], row["decision_date"]) == ("upheld", "set by hand", date(2026, 10, 15))
    # as of a day before the decision it was still undecided
    assert read(practice, appeals.outcomes, date(2026, 10, 14))["outcome"].to_list() == [None]
    with pytest.raises(WorkError, match="no denial on file"):
        change(practice, appeals.record_appeal, "W1", "first", date(2026, 11, 1), DANA)


def test_a_second_undecided_appeal_at_the_same_level_is_refused_naming_the_first(practice, tmp_path):
    # W2 (Cigna, 300.00) was denied CO-197 on 2026-09-01
    change(practice, appeals.record_appeal, "W2", "first", date(2026, 9, 10), DANA)

    with pytest.raises(WorkError) as refused:
        change(practice, appeals.record_appeal, "W2", "first", date(2026, 9, 12), DANA)

    assert str(refused.value) == ("claim W2 already has an undecided first level appeal: appeal 1, sent 2026-09-10. "
                                  "Set its outcome first, or record the next level")
    # nothing of the second was written: one appeal, one appeal line in the history and one in the access log
    assert scalar(practice, "select list(appeal_id) from appeals") == [1]
    assert scalar(practice, "select count(*) from work_item_history where field = 'appeal'") == 1
    assert scalar(practice, "select count(*) from audit_log where action = 'appeal'") == 1


def test_the_next_level_is_recorded_on_purpose_and_a_decided_appeal_frees_its_level(practice, tmp_path):
    change(practice, appeals.record_appeal, "W2", "first", date(2026, 9, 10), DANA)
    # chosen on purpose, the next level is recorded while the first still waits
    assert change(practice, appeals.record_appeal, "W2", "second", date(2026, 9, 20), DANA) == 2
    with pytest.raises(WorkError, match="undecided second level appeal: appeal 2, sent 2026-09-20"):
        change(practice, appeals.record_appeal, "W2", "second", date(2026, 9, 21), DANA)

    # appeal 1 decided by hand, appeal 2 by Cigna's 835 of 2026-10-01 (denied again): neither blocks its level now
    change(practice, appeals.set_outcome, 1, "upheld", date(2026, 9, 25), DANA)
    load_files([write_rows(tmp_path / "answer.csv", REMIT_HEADER,
                           remit("T9", "2026-10-01", "W2", "62308", "Cigna", "4", "300.00", "0.00", [("CO", "197", "300.00")]))],
               practice)
    assert read(practice, appeals.open_appeals, "W2").is_empty()
    assert change(practice, appeals.record_appeal, "W2", "external", date(2026, 10, 5), DANA) == 3
    assert change(practice, appeals.record_appeal, "W2", "second", date(2026, 10, 6), DANA) == 4
    assert read(practice, appeals.open_appeals, "W2").select("appeal_id", "appeal_level").rows() == [
        (3, "external"), (4, "second")]


@pytest.mark.parametrize(("level", "outcome", "offered"), [
    (None, None, "first"), ("first", None, "first"), ("first", "upheld", "second"),
    ("second", "partially_overturned", "external"), ("external", "upheld", "external"),
])
def test_the_page_offers_the_same_level_while_it_waits_and_the_next_once_decided(level, outcome, offered):
    assert appeals.level_to_offer(level, outcome) == offered


def test_the_cli_refuses_a_second_appeal_with_one_error_line(practice):
    runner = CliRunner()
    appeal = ["work", "appeal", "W2", "--level", "first", "--sent", "2026-09-10", "--db", str(practice), "--by", "dana"]
    assert runner.invoke(app, appeal).exit_code == 0

    again = runner.invoke(app, appeal)

    assert again.exit_code == 1
    assert again.stderr == ("Error: claim W2 already has an undecided first level appeal: appeal 1, sent 2026-09-10. "
                            "Set its outcome first, or record the next level\n")
    assert scalar(practice, "select count(*) from appeals") == 1


def test_overturn_rates_carry_wilson_intervals_and_too_few_under_30():
    from statsmodels.stats.proportion import proportion_confint

    # 40 decided Aetna coding appeals, 14 overturned in full and 6 in part; 5 Cigna ones, 1 overturned; 3 undecided
    outcomes = (["overturned"] * 14 + ["partially_overturned"] * 6 + ["upheld"] * 20 + ["overturned"] + ["upheld"] * 4 + [None] * 3)
    payers = ["60054"] * 40 + ["62308"] * 5 + ["60054"] * 3
    frame = pl.DataFrame({"payer_id": payers, "denial_category": ["coding_bundling"] * 48, "outcome": outcomes})

    rates = appeals.overturn_rates(frame)

    aetna, cigna = rates.rows(named=True)
    assert (aetna["decided_appeals"], aetna["overturned_appeals"], aetna["overturn_rate"], aetna["too_few"]) == (40, 20, 0.5, False)
    low, high = proportion_confint(20, 40, alpha=0.05, method="wilson")
    assert aetna["interval_low"] == pytest.approx(low, abs=1e-12) and aetna["interval_high"] == pytest.approx(high, abs=1e-12)
    assert (cigna["decided_appeals"], cigna["overturned_appeals"], cigna["too_few"]) == (5, 1, True)


def test_time_to_decision_censors_undecided_appeals():
    # sent 2026-10-01: decided after 10 and 30 days; the third undecided on the as-of date 2026-11-21 (51 days)
    frame = pl.DataFrame({
        "sent_date": [date(2026, 10, 1)] * 3,
        "decision_date": [date(2026, 10, 11), date(2026, 10, 31), None],
        "outcome": ["upheld", "overturned", None],
    })

    steps, summary = appeals.time_to_decision(frame, date(2026, 11, 21))
    # by hand: day 10, 3 at risk, 1 decided: 2/3 undecided; day 30, 2 at risk, 1 decided: 1/3; the third censored
    assert steps["days"].to_list() == [0.0, 10.0, 30.0]
    assert steps["undecided_share"].to_list() == pytest.approx([1.0, 2 / 3, 1 / 3])
    assert summary["median_days"] == 30.0

    # as of 2026-10-21 (appeals.outcomes blanks a decision made after it) two are censored at 20 days: no median yet
    earlier = frame.with_columns(pl.when(pl.col("decision_date") <= date(2026, 10, 21)).then(pl.col(name)).alias(name)
                                 for name in ("decision_date", "outcome"))
    steps, summary = appeals.time_to_decision(earlier, date(2026, 10, 21))
    assert steps["days"].to_list() == [0.0, 10.0] and steps["undecided_share"][1] == pytest.approx(2 / 3)
    assert summary["median_days"] is None


def test_claims_not_yet_due_are_labelled_and_ranked_below_every_claim_that_is_due(db_path, tmp_path):
    # W9: 1,000.00 to Aetna sent 2026-11-20, six days before the as-of date: inside Aetna's 30 expected days, so not
    # yet due, although its priority (1,000 x 0.95 = 950.00) is the largest on the list
    claims = (FIXTURES / "worklist" / "claims.csv").read_text().splitlines()
    new_claim = dict(zip(CLAIM_HEADER, claims[1].split(","))) | {
        "claim_id": "W9", "member_id": "A9", "service_date_from": "2026-11-19", "submitted_date": "2026-11-20",
        "total_charge": "1000.00", "line_charge": "1000.00"}
    load_files([FIXTURES / "worklist", write_rows(tmp_path / "new.csv", CLAIM_HEADER, [new_claim])], db_path)

    rows = team_queue(db_path).select("claim_id", "priority_score", "is_not_yet_due", "expected_pay_date")
    assert rows["claim_id"].to_list() == ["W1", "W2", "W4", "W6", "W9"]
    assert rows.row(4) == ("W9", pytest.approx(950), True, date(2026, 12, 20))
    assert team_queue(db_path, pay_date="not_yet_due")["claim_id"].to_list() == ["W9"]
    reason = team_queue(db_path).filter(pl.col("claim_id") == "W1")["priority_reason"][0]
    # W1: 200.00 unanswered 56 days from service; 0.90 likely (no response, 31-60); Aetna's 120-day filing limit
    # leaves 64 days: boost 1 (tests/test_worklist.py: priority 180.00)
    assert reason == "$200.00 at stake × 90% likely to be recovered (no response, 31-60 days) × 1.0 (no deadline within 60 days)"


def test_queue_filters_follow_ups_and_sorts(practice):
    change(practice, items.set_follow_up, ["W6"], date(2026, 11, 26), DANA)
    change(practice, items.set_follow_up, ["W2"], date(2026, 12, 10), DANA)
    change(practice, items.set_status, ["W4"], "written_off", DANA)

    assert team_queue(practice, follow_up="due")["claim_id"].to_list() == ["W6"]
    assert team_queue(practice, follow_up="later")["claim_id"].to_list() == ["W2"]
    assert team_queue(practice, follow_up="none")["claim_id"].to_list() == ["W1"]  # W4 is written off: off the open queue
    assert team_queue(practice, statuses=("written_off",))["claim_id"].to_list() == ["W4"]
    assert team_queue(practice, sort="balance", statuses=())["balance_amount"].cast(pl.Float64).to_list() == [300, 200, 150, 100]
    assert team_queue(practice, work_categories=("authorization_referral",))["claim_id"].to_list() == ["W2"]


def test_the_cli_works_the_queue_and_exports_it_as_the_screen_orders_it(practice, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    runner = CliRunner()
    for args in (["assign", "W1", "W6", "--to", "dana"], ["status", "W6", "--status", "waiting_on_payer", "--follow-up", "2026-12-01"],
                 ["note", "W6", "=1+1 called the payer"], ["appeal", "W2", "--level", "first", "--sent", "2026-09-10"],
                 ["outcome", "1", "--outcome", "upheld", "--decided", "2026-12-01"]):
        result = runner.invoke(app, ["work", *args, "--db", str(practice), "--by", "dana"])
        assert result.exit_code == 0, result.output
    refused = runner.invoke(app, ["work", "status", "W1", "--status", "lost", "--db", str(practice), "--by", "dana"])
    assert refused.exit_code == 1 and "status must be one of" in refused.output

    out = tmp_path / "queue.xlsx"
    result = runner.invoke(app, ["work", "list", "--db", str(practice), "--by", "dana", "--as-of", "2026-11-26", "--sort", "balance",
                                 "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["work_queue"]
    header = [cell.value for cell in sheet[1]]
    body = list(sheet.iter_rows(min_row=2))
    assert [row[header.index("Claim")].value for row in body] == ["W2", "W1", "W4", "W6"]  # balance 300, 200, 150, 100
    balance = body[0][header.index("Balance")]
    assert (balance.value, balance.number_format) == (300, "$#,##0.00")
    # priority ranks claims: a plain number, not dollars (300.00 x 30% x 1.0 = 90 for W2)
    assert (body[0][header.index("Priority")].value, body[0][header.index("Priority")].number_format) == (90, "#,##0")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{len(body) + 1}"
    w6 = next(row for row in body if row[header.index("Claim")].value == "W6")
    assert (w6[header.index("Owner")].value, w6[header.index("Work status")].value) == ("dana", "Waiting on payer")
    assert w6[header.index("Follow up")].value.date() == date(2026, 12, 1)
    # the CLI has no PHI role: the note is hidden; a cell never holds a formula
    assert w6[header.index("Latest note")].value == "(hidden: notes may hold PHI)"
    assert all(cell.data_type != "f" for row in body for cell in row)
    w2 = next(row for row in body if row[header.index("Claim")].value == "W2")
    assert (w2[header.index("Appeal")].value, w2[header.index("Decision due")].value.date()) == ("First level", date(2026, 11, 9))
    # decided on 2026-12-01, after the as-of date of this export: not yet known on 2026-11-26
    assert w2[header.index("Appeal outcome")].value is None
    assert scalar(practice, "select outcome || ' ' || outcome_set_by from appeals") == "upheld dana"


def test_the_queue_page_shows_my_claims_pinned_and_explained_and_a_biller_acts_on_one(practice, monkeypatch):
    from datetime import date as day

    change(practice, items.assign, ["W2", "W6"], "test-biller", DANA)
    page = open_app(practice, monkeypatch, "biller")
    page.date_input(key="as_of").set_value(day(2026, 11, 26)).run()

    assert not page.exception
    assert page.title[0].value == "Work queue"
    table = next(frame.value for frame in page.dataframe if "next_action" in frame.value.columns)
    assert table["claim_id"].to_list() == ["W2", "W6"]  # My queue: the two assigned to this biller, by priority
    assert list(table.columns[:3]) == ["claim_id", "owner_name", "status"]
    assert {metric.label: metric.value for metric in page.metric}["Balance to collect"] == "$400"  # 300 + 100

    # sorted by balance on screen, the export holds the same rows in the same order (one function serves both)
    page.segmented_control(key="queue_view").set_value("team").run()
    page.selectbox(key="queue_sort").set_value("balance").run()
    on_screen = next(frame.value for frame in page.dataframe if "next_action" in frame.value.columns)["claim_id"].to_list()
    assert on_screen == ["W2", "W1", "W4", "W6"]
    from io import BytesIO

    from openpyxl import load_workbook

    from etl.work import exports
    export = read(practice, queue.queue_rows, AS_OF, Scope(), queue.QueueFilters(view="team", sort="balance"), "test-biller")
    sheet = load_workbook(BytesIO(exports.xlsx_bytes(exports.queue_export(export, phi=True), "work queue")))["work queue"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == on_screen
    page.selectbox(key="queue_sort").set_value("priority").run()

    page.segmented_control(key="queue_view").set_value("unassigned").run()
    unassigned = next(frame.value for frame in page.dataframe if "next_action" in frame.value.columns)
    assert unassigned["claim_id"].to_list() == ["W1", "W4"]
    # the table's column settings pin the claim id and the action columns
    settings = json.loads(next(frame.proto.columns for frame in page.dataframe if "next_action" in frame.value.columns))
    assert [name for name, column in settings.items() if column.get("pinned")] == [
        "claim_id", "next_action", "priority_score", "deadline_days_left"]


def queue_on_screen(page) -> list[str]:
    return next(frame.value for frame in page.dataframe if "next_action" in frame.value.columns)["claim_id"].to_list()


def tick(page, *rows: int) -> None:
    """Tick these rows of the queue table, as a click on their boxes does (st.dataframe reports row positions)."""
    page.session_state["queue_table"] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    page.run()


def button(page, label: str):
    return next(found for found in page.button if found.label == label)


def test_a_selection_follows_the_claim_not_its_row_and_a_change_says_what_it_saved(practice, monkeypatch):
    from datetime import date as day

    change(practice, items.assign, ["W1"], "dana", DANA)
    page = open_app(practice, monkeypatch, "biller")
    page.date_input(key="as_of").set_value(day(2026, 11, 26)).run()
    page.segmented_control(key="queue_view").set_value("unassigned").run()
    assert queue_on_screen(page)[0] == "W2" and sorted(queue_on_screen(page)) == ["W2", "W4", "W6"]

    tick(page, 0)  # W2
    assert [header.value for header in page.subheader][0] == "Act on 1 selected claim"
    page.selectbox(key="bulk_owner").set_value("test-biller")
    page.selectbox(key="bulk_status").set_value("in_progress")
    button(page, "Apply to the selected claims").click().run()

    # W2 left Unassigned: another claim now sits on its row, and must not inherit its tick
    assert not page.exception
    assert sorted(queue_on_screen(page)) == ["W4", "W6"]
    assert list(page.session_state["queue_table"]["selection"]["rows"]) == []
    assert "Act on 1 selected claim" not in [header.value for header in page.subheader]
    assert [note.value for note in page.success] == [
        "Saved: ` W2 ` assigned to ` test-biller `, status In progress. ` W2 ` left this view, so it is no longer selected."]
    assert scalar(practice, "select list([claim_id, owner_name, status] order by claim_id) from work_items") == [
        ["W1", "dana", "new"], ["W2", "test-biller", "in_progress"]]

    # ticked in Unassigned, W4 stays selected in Team, on the row it sits on there (below W1 and W2), and nothing else is
    unassigned = queue_on_screen(page)
    tick(page, unassigned.index("W4"))
    page.segmented_control(key="queue_view").set_value("team").run()
    team = queue_on_screen(page)
    assert team[:2] == ["W1", "W2"] and team.index("W4") != unassigned.index("W4")
    assert list(page.session_state["queue_table"]["selection"]["rows"]) == [team.index("W4")]
    assert "#### Claim ` W4 `" in [text.value for text in page.markdown]
    assert not page.success  # said once, after the change


def test_the_page_records_an_appeal_once_refuses_it_twice_and_sets_its_outcome(practice, monkeypatch):
    from datetime import date as day

    page = open_app(practice, monkeypatch, "biller")
    page.date_input(key="as_of").set_value(day(2026, 11, 26)).run()
    page.segmented_control(key="queue_view").set_value("team").run()
    tick(page, queue_on_screen(page).index("W2"))
    page.date_input(key="appeal_sent").set_value(day(2026, 9, 10))
    button(page, "Record the appeal").click().run()
    assert [note.value for note in page.success] == ["Saved: First level appeal 1 recorded on ` W2 `, sent 2026-09-10."]

    # Cigna decides within 60 days (payer_rules.csv): due 2026-11-09; the form still offers the first level
    waits = "Appeal 1 (first level, sent 2026-09-10, decision due 2026-11-09) waits for a decision"
    assert any(caption.value.startswith(waits) for caption in page.caption)
    assert next(box for box in page.selectbox if box.label == "Appeal level").value == "first"
    page.date_input(key="appeal_sent").set_value(day(2026, 9, 12))
    button(page, "Record the appeal").click().run()
    assert [note.value for note in page.warning] == [
        "` claim W2 already has an undecided first level appeal: appeal 1, sent 2026-09-10. Set its outcome first, or "
        "record the next level `"]
    assert scalar(practice, "select count(*) from appeals") == 1

    assert page.selectbox(key="outcome_appeal").value == 1
    page.selectbox(key="outcome").set_value("upheld")
    page.date_input(key="outcome_date").set_value(day(2026, 10, 15))
    button(page, "Set the outcome").click().run()
    assert [note.value for note in page.success] == ["Saved: appeal 1 on ` W2 ` upheld, decided 2026-10-15."]
    assert scalar(practice, "select outcome from appeals where appeal_id = 1") == "upheld"
    # decided, the first level is free; the form now offers the next
    assert next(box for box in page.selectbox if box.label == "Appeal level").value == "second"
    assert not any(caption.value.startswith(waits) for caption in page.caption)


@contextmanager
def another_process_writing(db: Path):
    """Another process holding the database's write lock, as `claimscope load` does while it writes: DuckDB gives its
    write lock to one process at a time."""
    import subprocess
    import sys

    loader = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print(flush=True);"
                               " sys.stdin.read()", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        loader.stdout.readline()  # the lock is held
        yield
    finally:
        loader.communicate("")


@pytest.fixture
def dashboard_writer(practice, monkeypatch):
    """The dashboard's write actions as a signed-in auditor and biller, waiting half a second for the lock, not a minute."""
    from dashboard import actions
    from etl.access.policy import User

    monkeypatch.setenv("CLAIMSCOPE_DB", str(practice))
    monkeypatch.setattr(actions, "require", lambda capability: None)
    monkeypatch.setattr(actions.session, "current_user", lambda: User("dana", "biller"))
    monkeypatch.setattr(database, "LOCK_TIMEOUT_SECONDS", 0.5)
    return actions


def test_a_change_while_the_loader_holds_the_database_says_the_loader_is_busy(practice, dashboard_writer):
    with another_process_writing(practice):
        problem = dashboard_writer.work(items.set_status, ["W1"], "in_progress")

    assert problem == "The loader is busy; try again in a minute."
    assert read(practice, items.items).is_empty()  # nothing written


def test_a_sample_drawn_or_a_worksheet_uploaded_while_the_loader_holds_the_database_says_so(practice, dashboard_writer,
                                                                                          monkeypatch):
    from etl.reports.audit_sampling import Universe

    said = []
    monkeypatch.setattr(dashboard_writer.st, "warning", lambda text, **_: said.append(text))
    worksheet = b"claim_id,line_number,code_type,original_code,auditor_id,audit_date,audited_code,finding,dollar_impact\n"
    with another_process_writing(practice):
        drawn = dashboard_writer.draw_audit_sample(Universe(Scope()), 3, 7, False, "proportional")
        uploaded = dashboard_writer.load_upload("worksheet.csv", worksheet)

    assert drawn is None and said == ["The loader is busy; try again in a minute."]
    assert (uploaded.status, uploaded.message) == ("failed", "worksheet.csv: nothing loaded. The loader is busy; try again in a minute.")
    assert scalar(practice, "select count(*) from audit_samples") == 0
    assert scalar(practice, "select count(*) from source_files where path like '%worksheet%'") == 0
