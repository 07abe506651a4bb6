"""No value is changed on the way in: a CSV or workbook value is read as the person who wrote it meant it, or its
line is refused with the reason; never read as another number, date or name (issue 37, item 1)."""

import io
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings, strategies as st
from openpyxl import Workbook

from etl.load import load_files
from tests.conftest import HAND_MADE

CLAIMS = (HAND_MADE / "claims.csv").read_text().splitlines()
HEADER, C1005 = CLAIMS[0], CLAIMS[-1]
COLUMNS = HEADER.split(",")


def one_claim(**values: str) -> str:
    """C1005 (Aetna, 75.00 for one 99212 on 2026-10-20) with some fields written another way."""
    fields = C1005.split(",")
    for name, value in values.items():
        fields[COLUMNS.index(name)] = value
    return HEADER + "\n" + ",".join(fields) + "\n"


def load(tmp_path: Path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    [result] = load_files([path], tmp_path / "practice.duckdb")
    with duckdb.connect(str(tmp_path / "practice.duckdb"), read_only=True) as con:
        claims = con.execute("select claim_id, payer_id, total_charge, service_date_from from claims").fetchall()
    return result, claims


@pytest.mark.parametrize(("written", "reason"), [
    ('"1,00"', "total_charge '1,00' is not a dollar amount"),  # a decimal comma: one dollar, or a hundred?
    ('"100,50"', "total_charge '100,50' is not a dollar amount"),
    ('"1,2,3"', "total_charge '1,2,3' is not a dollar amount"),
    ("4$5", "total_charge '4$5' is not a dollar amount"),
])
def test_a_comma_or_sign_that_would_change_an_amount_refuses_its_line(tmp_path, written, reason):
    result, claims = load(tmp_path, "claims.csv", one_claim(total_charge=written, line_charge="75.00"))
    assert claims == []
    assert result.status == "rejected" and result.records_quarantined == 1
    assert "line 2" in result.message and reason in result.message


@pytest.mark.parametrize("written", ['"$1,075.00"', "$1075", "1075.00", '" 1,075 "'])
def test_thousands_commas_and_a_dollar_sign_read_as_the_amount_written(tmp_path, written):
    result, claims = load(tmp_path, "claims.csv", one_claim(total_charge=written, line_charge="1075.00"))
    assert result.status == "loaded", result.message
    assert claims == [("C1005", "AET01", Decimal("1075.00"), __import__("datetime").date(2026, 10, 20))]


@pytest.mark.parametrize("written", ["25-10-20", "10/20/26", "26-10-20"])
def test_a_two_digit_year_refuses_its_line_instead_of_the_year_25(tmp_path, written):
    result, claims = load(tmp_path, "claims.csv", one_claim(service_date_from=written))
    assert claims == []
    assert f"service_date_from '{written}' is not a valid date" in result.message and "line 2" in result.message


def test_a_byte_order_mark_before_a_header_name_keeps_its_column(tmp_path):
    text = one_claim().replace("claim_id,payer_id", "claim_id,\ufeffpayer_id", 1)
    result, claims = load(tmp_path, "claims.csv", text)
    assert result.status == "loaded", result.message
    assert claims[0][:2] == ("C1005", "AET01")


def test_windows_1252_curly_quotes_read_as_the_quotes_typed(tmp_path):
    text = one_claim(payer_name="Aetna \u201cPPO\u201d \u2013 East")
    result, _ = load(tmp_path, "claims.csv", text.encode("cp1252"))
    assert result.status == "loaded", result.message
    with duckdb.connect(str(tmp_path / "practice.duckdb"), read_only=True) as con:
        assert con.execute("select payer_name from claims").fetchone()[0] == "Aetna \u201cPPO\u201d \u2013 East"


def workbook(rows: list[list], hidden_first: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    if hidden_first:
        sheet.title, sheet.sheet_state = "old copy", "hidden"
        sheet.append(["claim_id"])
        sheet.append(["NOT-THIS-ONE"])
        sheet = book.create_sheet("claims")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def typed_row(**values) -> list:
    """C1005 as workbook cells: numbers as numbers, the rest as text."""
    cells = []
    for name, text in zip(COLUMNS, C1005.split(",")):
        value = values.get(name, text)
        cells.append(value)
    return cells


def test_the_visible_sheet_is_loaded_not_a_hidden_first_one(tmp_path):
    result, claims = load(tmp_path, "claims.xlsx", workbook([COLUMNS, typed_row()], hidden_first=True))
    assert result.status == "loaded", result.message
    assert [claim[0] for claim in claims] == ["C1005"]


def test_a_numeric_claim_id_in_a_workbook_keeps_its_digits(tmp_path):
    result, claims = load(tmp_path, "claims.xlsx", workbook([COLUMNS, typed_row(claim_id=1234567, total_charge=75.0)]))
    assert result.status == "loaded", result.message
    assert claims[0][:3] == ("1234567", "AET01", Decimal("75.00"))


def test_a_claim_id_longer_than_excel_keeps_is_refused_with_its_line(tmp_path):
    result, claims = load(tmp_path, "claims.xlsx", workbook([COLUMNS, typed_row(claim_id=12345678901234567890)]))
    assert claims == [] and result.status == "rejected"
    assert "line 2: the number 1.23456789012346e+19 has more digits than Excel keeps (15)" in result.message


@settings(max_examples=200, deadline=None)
@given(cents=st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=50))
def test_an_amount_in_any_style_claimscope_accepts_round_trips_exactly(cents):
    import polars as pl

    from etl.intake import values

    amounts = [Decimal(cent) / 100 for cent in cents]
    styles = [lambda a: f"{a:.2f}", lambda a: f"{a:,.2f}", lambda a: f"{'-' if a < 0 else ''}${abs(a):,.2f}",
              lambda a: f"{'$-' if a < 0 else '$'}{abs(a):,.2f}", lambda a: f"  {a:,.2f} "]
    for style in styles:
        frame = pl.DataFrame({"amount": [style(amount) for amount in amounts]})
        read = frame.select(values.bad_amount("amount").alias("bad"), values.to_amount("amount").alias("value"))
        assert not read["bad"].any(), frame
        assert read["value"].to_list() == amounts
