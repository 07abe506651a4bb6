"""Denial analytics on the hand-built practice: the initial denial rate by count and dollars, its reasons, and the
weeks a payer's denial rate jumped."""

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from etl.load import load_files
from tests.conftest import FIXTURES, open_app


def open_denials(db_path, monkeypatch, files: Path):
    load_files([files], db_path)
    page = open_app(db_path, monkeypatch, "manager", "views/denials.py")
    page.date_input(key="as_of").set_value(date(2026, 11, 26)).run()
    page.selectbox(key="date_preset").set_value("custom").run()
    page.date_input(key="date_range").set_value((date(2026, 1, 1), date(2026, 11, 26))).run()
    return page


@pytest.fixture
def denials_page(db_path, monkeypatch):
    return open_denials(db_path, monkeypatch, FIXTURES / "worklist")


def test_initial_denial_rate_by_count_and_dollars(denials_page):
    metrics = {metric.label: (metric.value, metric.delta) for metric in denials_page.metric}

    # First adjudications: W2 denied (300.00); W3 (100.00), W5 (120.00, its first remit, not the reversal), W6 (250.00)
    # and W8 (50.00) paid. 1 of 5 by count; 300 / 820 = 36.6% by dollars. Five claims is under 30: too few for a rate.
    assert metrics["Initial denial rate"] == ("20.0%", "too few claims for an interval")
    assert metrics["Initial denial rate by dollars"][0] == "36.6%"
    assert metrics["Denied charges"] == ("$300", "1 of 5 claims")
    assert not denials_page.exception


def test_denial_reasons_are_listed_with_their_description_and_category(denials_page):
    reasons = next(frame.value for frame in denials_page.dataframe if "carc_code" in frame.value.columns)

    assert list(reasons["carc_code"]) == ["197"]
    assert reasons["carc_category"][0] == "Authorization referral"  # the category list's authorization_referral, in words
    assert reasons["description"][0].startswith("Precertification/authorization/notification")
    assert float(reasons["cumulative_share"][0]) == 1.0


def test_a_scope_without_claims_shows_one_neutral_note_and_no_empty_sections(denials_page):
    denials_page.date_input(key="date_range").set_value((date(2025, 1, 1), date(2025, 6, 30))).run()

    assert not denials_page.exception
    assert [note.value for note in denials_page.info] == [
        "No claim in scope had its first adjudication by 2026-11-26, so there is no denial to show. Widen the dates, "
        "payers or providers in the sidebar."
    ]
    assert not denials_page.success and not denials_page.metric and not denials_page.subheader


def write_csv(path: Path, rows: list[dict]) -> None:
    header = (FIXTURES / "worklist" / path.name).read_text().splitlines()[0].split(",")
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(rows)


def jump_practice(folder: Path) -> Path:
    """Aetna answers 5 claims a week for 9 weeks, each on the Wednesday: one CO-197 denial in the 8 weeks from
    2026-06-08, then 4 of the 5 in the week of 2026-08-03 (ISO week 32). Every other answer pays in full."""
    claims, remits = [], []
    for week in range(9):
        monday = date(2026, 6, 8) + timedelta(weeks=week)
        denied = range(4) if week == 8 else range(1) if week == 3 else range(0)
        for number in range(5):
            claim_id = f"J{week}{number}"
            served = monday - timedelta(days=14)
            claims.append({"claim_id": claim_id, "payer_id": "60054", "payer_name": "Aetna", "member_id": f"A{claim_id}",
                           "patient_last_name": "TEST", "patient_first_name": claim_id, "patient_birth_date": "1970-01-01",
                           "billing_npi": "1234567893", "coder_id": "CD1", "claim_type": "professional",
                           "frequency_code": "1", "place_of_service": "11", "service_date_from": served,
                           "submitted_date": served + timedelta(days=1), "total_charge": "100.00", "line_number": "1",
                           "procedure_code": "99213", "units": "1", "line_charge": "100.00", "diagnosis_codes": "I10"})
            is_denied = number in denied
            remits.append({"trace_number": f"T{week}", "payer_id": "60054", "payer_name": "Aetna", "payee_npi": "1234567893",
                           "payment_method": "ACH", "payment_amount": "100.00", "payment_date": monday + timedelta(days=2),
                           "claim_id": claim_id, "claim_status_code": "4" if is_denied else "1", "claim_charge": "100.00",
                           "claim_paid": "0.00" if is_denied else "100.00", "patient_responsibility": "0.00",
                           "payer_claim_id": f"P{claim_id}", "filing_indicator": "CI",
                           **({"group_code": "CO", "reason_code": "197", "adjustment_amount": "100.00"} if is_denied else {})})
    folder.mkdir()
    write_csv(folder / "claims.csv", claims)
    write_csv(folder / "remits.csv", remits)
    return folder


def test_the_week_a_payers_denial_rate_jumped_is_said_in_words(db_path, tmp_path, monkeypatch):
    page = open_denials(db_path, monkeypatch, jump_practice(tmp_path / "jump"))

    assert not page.exception
    jumps = next(frame.value for frame in page.dataframe if "q_value" in frame.value.columns)
    # Week 32 is the only week with 8 weeks behind it: n = 5, N = 40, m = 4 + 1 denials, each in week 32 with chance
    # 5/45 = 1/9 if nothing changed. P(K >= 4 | Bin(5, 1/9)) = 5 (1/9)^4 (8/9) + (1/9)^5 = 41 / 59049 = 0.000694: one
    # test, so its BH q-value is the same, under 5%.
    assert [text.value for text in page.text] == [
        "Denials for authorization referral at Aetna jumped in week 32 of 2026 (from 2026-08-03): 4 of 5 claims (80.0%) "
        "against 1 of 40 (2.5%) in the 8 weeks before; mostly CARC 197."
    ]
    assert list(jumps["q_value"]) == pytest.approx([41 / 59049])


def test_wilson_interval_matches_the_formula():
    from etl.reports.stats import wilson_interval

    low, high = wilson_interval(1, 5)

    # p = 0.2, n = 5, z = 1.959964, z² = 3.841459: centre (p + z²/2n) / (1 + z²/n) = 0.584146 / 1.768292 = 0.330345;
    # half-width z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 1.959964 × 0.265358 / 1.768292 = 0.294121
    assert low == pytest.approx(0.330345 - 0.294121, abs=2e-6)
    assert high == pytest.approx(0.330345 + 0.294121, abs=2e-6)


def plotted(values) -> list:
    """A Plotly array as the page sends it: a list, or numbers packed as base64 (Plotly 6's bdata)."""
    import base64

    import numpy as np

    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_months_without_a_denial_are_drawn_at_zero_not_skipped(db_path, tmp_path, monkeypatch):
    import json

    page = open_denials(db_path, monkeypatch, jump_practice(tmp_path / "jump"))

    assert not page.exception
    headings = [heading.value for heading in page.subheader]
    charts = [json.loads(chart.proto.spec) for chart in page.get("plotly_chart")]
    per_month = charts[headings.index("Denials per month by category")]
    # The jump practice's answers run from Wednesday 2026-06-10 to 2026-08-05: no denial in June, one CO-197 on
    # 2026-07-01 (week 3), four on 2026-08-05 (week 8), and none after, up to the as-of month, November. Six months on
    # one line, the empty ones at 0: a line skipping them ran straight from July's 1 to nothing, hiding the quiet.
    [line] = per_month["data"]
    assert [day[:7] for day in plotted(line["x"])] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert plotted(line["y"]) == [0, 1, 4, 0, 0, 0]
    assert line["name"] == "Authorization referral"
