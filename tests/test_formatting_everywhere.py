"""Every percentage rounds half up (half away from zero) to the precision it is shown at, never truncated and never by
its binary value (issue 30: 26.66% read 26.6% and 91.67% read 91.6%): the shared formats, a table as the browser's grid
draws it (tests/screen.py truncates to a column's step, as the grid does), a chart's hover text as d3 writes it, every
table and chart of every page of the sample practice, and the CSV and Excel exports.

Hand-worked cases: 2/3 = 66.666…% → 66.7%; 0.26665 = 26.665% → 26.7% (truncation says 26.6%); 11/12 = 91.666…% →
91.7%; 0.5045 = 50.45% → 50.5% (its float is 0.50449999…, so rounding the binary value says 50.4%); 0.1225 = 12.25% →
12.3% (half to even says 12.2%)."""

import csv
import io
import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from openpyxl import load_workbook

from etl.reports import formats, spreadsheets
from tests.conftest import open_app
from tests.screen import decimals, shown

# value, as a reader rounds it by hand to a tenth of a percent
SHARES = [(2 / 3, "66.7%"), (0.26665, "26.7%"), (0.2666, "26.7%"), (11 / 12, "91.7%"), (0.5045, "50.5%"), (0.1225, "12.3%"),
          (0.0005, "0.1%"), (0.00049, "0.0%"), (1.0, "100.0%")]


def by_hand(value: float, places: int = 1) -> str:
    """A share as a percentage to `places` decimals, rounded half up from the value as it prints."""
    return f"{(Decimal(repr(value)) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def d3_percent(value: float, places: int) -> str:
    """d3-format's "%" type, as Plotly's hover text writes it: (x * 100).toFixed(places), which rounds the product's
    exact binary value, ties up."""
    return f"{Decimal(value * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


@pytest.mark.parametrize(("value", "expected"), SHARES)
def test_a_share_reads_rounded_half_up_to_a_tenth_of_a_percent(value, expected):
    assert formats.percent(value) == expected


def test_the_hand_worked_shares_are_ones_truncation_and_binary_rounding_get_wrong():
    # the cases above are the ones that tell the rules apart, so a test passing on them cannot pass by luck
    assert f"{0.26665 * 100:.3f}"[:4] == "26.6"  # truncation: 26.6
    assert f"{0.5045:.1%}" == "50.4%"  # rounding the float's binary value
    assert round(Decimal("12.25"), 1) == Decimal("12.2")  # half to even


def test_rounded_keeps_floats_and_money_and_rounds_both_half_up():
    frame = pl.DataFrame({"share": [value for value, _ in SHARES] + [None],
                          "paid_amount": [Decimal("444.50"), Decimal("-2.50"), Decimal("0.49"), None, None, None, None, None, None, None]},
                         schema={"share": pl.Float64, "paid_amount": pl.Decimal(18, 2)})

    rounded = formats.rounded(frame, {"share": 3, "paid_amount": 0})

    assert rounded.schema == frame.schema
    assert rounded["share"].to_list() == [0.667, 0.267, 0.267, 0.917, 0.505, 0.123, 0.001, 0.0, 1.0, None]
    # 444.50 → 445 (half to even says 444); −2.50 → −3, away from zero
    assert rounded["paid_amount"].to_list()[:4] == [Decimal("445"), Decimal("-3"), Decimal("0"), None]


def table_script():
    """A page drawing one table of shares and money through the formatting layer."""
    from decimal import Decimal

    import polars as pl

    from dashboard import display

    shares = [2 / 3, 0.26665, 0.2666, 11 / 12, 0.5045, 0.1225, 0.0005, 0.00049, 1.0]
    display.table(pl.DataFrame({
        "payer_name": [f"P{number}" for number in range(9)],
        "initial_denial_rate": shares,
        "denied_amount": [Decimal(text) for text in ("445.67", "444.50", "0.49", "1234.99", "0", "1", "2", "3", "4")],
    }, schema={"payer_name": pl.String, "initial_denial_rate": pl.Float64, "denied_amount": pl.Decimal(18, 2)}))


def test_a_table_shows_each_share_rounded_half_up_where_the_grid_would_truncate_it():
    from streamlit.testing.v1 import AppTest

    page = AppTest.from_function(table_script, default_timeout=60).run()

    assert not page.exception
    rows = shown(page.dataframe[0])
    assert [row["Initial denial rate"] for row in rows] == [expected for _, expected in SHARES]
    # whole dollars in a table of payers: 445.67 → $446 (the grid alone truncates to $445), 444.50 → $445, 0.49 → $0
    assert [row["Denied charges"] for row in rows][:4] == ["$446", "$445", "$0", "$1,235"]


def test_chart_hover_text_rounds_shares_half_up():
    from dashboard import charts

    frame = pl.DataFrame({"coder_id": [f"CD{number}" for number in range(len(SHARES))],
                          "claim_accuracy": [value for value, _ in SHARES],
                          "claim_low": [0.0] * len(SHARES), "claim_high": [1.0] * len(SHARES)})

    figure = charts.rates_with_intervals(frame, "coder_id", "claim_accuracy", "claim_low", "claim_high", 0.95, "Claim accuracy")

    [points] = figure.data
    assert ":.1%}" in points.hovertemplate
    assert [d3_percent(value, 1) for value in points.y] == [expected for _, expected in SHARES]


def test_the_pareto_and_the_trend_hover_round_their_shares_half_up():
    from dashboard import charts

    pareto = charts.pareto(pl.DataFrame({"carc_code": ["197", "16", "50"], "description": ["a", "b", "c"],
                                         "denied_amount": [Decimal("5045"), Decimal("4955"), Decimal("0")],
                                         "cumulative_share": [0.5045, 1.0, 1.0]}),
                           "carc_code", "description", "denied_amount", "cumulative_share", "Denied charges")
    trend = charts.trend_with_benchmark(pl.DataFrame({"period_end": [date(2026, 9, 30), date(2026, 10, 31)],
                                                      "initial_denial_rate": [0.1225, 2 / 3], "is_maturing": [False, True]}),
                                        "period_end", "initial_denial_rate", 0.05, "under 5%", percent=True,
                                        maturing="is_maturing")

    assert [d3_percent(value, 1) for value in pareto.data[1].y] == ["50.5%", "100.0%", "100.0%"]
    assert [d3_percent(value, 1) for value in trend.data[0].y] == ["12.3%", "66.7%"]
    # the month still maturing, drawn hollow, is a percentage on hover too, not the bare share 0.667
    assert "%{y:.1%}" in trend.data[1].hovertemplate and [d3_percent(value, 1) for value in trend.data[1].y] == ["66.7%"]


def test_the_exports_round_each_share_half_up_and_mark_it_a_percentage():
    frame = pl.DataFrame({"claim_id": [f"C{number}" for number in range(len(SHARES))],
                          "recovery_likelihood": [value for value, _ in SHARES]})

    sheet = load_workbook(io.BytesIO(spreadsheets.xlsx_bytes(frame, "shares")))["shares"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    text = list(csv.DictReader(io.StringIO(spreadsheets.csv_bytes(frame).decode())))

    # Excel shows 0.0%: the value it holds is the share rounded half up to that tenth of a percent
    assert {cell.number_format for cell in cells} == {"0.0%"}
    assert [by_hand(cell.value) for cell in cells] == [expected for _, expected in SHARES]
    assert [cell.value for cell in cells] == [0.667, 0.267, 0.267, 0.917, 0.505, 0.123, 0.001, 0, 1]
    assert [row["recovery_likelihood"] for row in text] == ["0.667", "0.267", "0.267", "0.917", "0.505", "0.123", "0.001",
                                                            "0.0", "1.0"]


# Every page a manager opens, and the admin's; the sample practice's claim with the most remittances for the Claim page.
MANAGER_PAGES = ["overview", "payer_scorecard", "work_queue", "late_payments", "denials", "timelines", "coder_accuracy", "claim"]
ADMIN_PAGES = ["data_loaded", "data_quality", "audit_log"]
PERCENT_IN_HOVER = re.compile(r"%\{([a-z]+):[^}]*?\.(\d)%\}")


def percent_cells(page) -> list[tuple[str, str, float, str]]:
    """Every percent cell of every table on the page whose column has a step: (heading, column, value sent, text
    shown, the step's decimals)."""
    found = []
    for element in page.dataframe:
        settings = json.loads(element.proto.columns or "{}")
        percent = {name: column for name, column in settings.items()
                   if (column.get("type_config") or {}).get("format") == "percent"}
        if not percent:
            continue
        frame = element.value
        for row, on_screen in zip(frame.to_dict("records"), shown(element)):
            for name, column in percent.items():
                value, places = row.get(name), decimals(column["type_config"].get("step"))
                # a missing value is a dash; without a step the grid does not truncate, and Intl rounds half up itself
                if value is None or value != value or places is None:
                    continue
                found.append((column.get("label", name), name, float(value), on_screen[column.get("label", name)], places))
    return found


def plotly_values(values) -> list:
    """A trace's values as a flat list: Plotly sends a numeric array as base64 typed data ({"dtype", "bdata",
    "shape"}), and a heatmap's z as rows."""
    import base64

    import numpy

    if isinstance(values, dict) and "bdata" in values:
        return numpy.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).astype(float).ravel().tolist()
    if isinstance(values, list) and values and isinstance(values[0], (list, dict)):
        return [value for row in values for value in plotly_values(row)]
    return list(values or [])


def hover_shares(page) -> list[tuple[str, float, str, str]]:
    """Every share a chart's hover text writes as a percentage: (chart, value, d3's text, the text by hand)."""
    found = []
    for chart in page.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            for axis, places in PERCENT_IN_HOVER.findall(trace.get("hovertemplate") or ""):
                flat = [value for value in plotly_values(trace.get(axis)) if isinstance(value, (int, float)) and value == value]
                found += [(chart.proto.id, value, d3_percent(value, int(places)), by_hand(value, int(places))) for value in flat]
    return found


@pytest.fixture(scope="module")
def sample_claim(sample_db):
    from etl import db as database

    with database.read_connection(sample_db) as con:
        return con.execute("select claim_id from claim_remittances group by claim_id order by count(*) desc, claim_id limit 1").fetchone()[0]


def test_every_percentage_on_every_page_of_the_sample_practice_rounds_half_up(sample_db, sample_claim, monkeypatch):
    checked, pages_with_shares, wrong = 0, set(), []
    for role, names in (("manager", MANAGER_PAGES), ("admin", ADMIN_PAGES)):
        for name in names:
            page = open_app(sample_db, monkeypatch, role, f"views/{name}.py",
                            query_params={"claim_id": sample_claim} if name == "claim" else None)
            if name == "work_queue":  # every open claim, not only the manager's own
                page.segmented_control(key="queue_view").set_value("team").run()
            assert not page.exception, (name, page.exception)
            for heading, column, value, text, places in percent_cells(page):
                # what the grid shows is the value sent rounded half up to the column's precision
                if text != by_hand(value, max(places - 2, 0)):
                    wrong.append((name, heading, value, text))
                checked += 1
                pages_with_shares.add(name)
            for chart, value, text, expected in hover_shares(page):
                if text != expected:
                    wrong.append((name, chart, value, text))
                checked += 1
                pages_with_shares.add(name)

    assert wrong == [], wrong[:20]
    # not a vacuous pass: the sample practice shows shares on these pages
    assert {"overview", "payer_scorecard", "denials", "timelines", "coder_accuracy"} <= pages_with_shares
    assert checked > 100
