"""A table sends the browser at most display.ROWS_SHOWN rows, in the frame's order, and says how many it holds."""

from streamlit.testing.v1 import AppTest


def a_table_of(rows: int) -> None:
    import polars as pl

    from dashboard import display

    display.table(pl.DataFrame({"claim_id": [f"C{number:05d}" for number in range(rows)],
                                "balance_amount": [float(number) for number in range(rows)]}))


def test_a_table_of_more_rows_than_shown_sends_the_first_and_says_how_many_there_are():
    page = AppTest.from_function(a_table_of, kwargs={"rows": 1_001}).run()

    shown = page.dataframe[0].value
    assert len(shown) == 1_000 and list(shown["claim_id"][:2]) == ["C00000", "C00001"] and shown["claim_id"].iloc[-1] == "C00999"
    assert page.caption[0].value == ("The first 1,000 of 1,001 rows, in this order: narrow the filters to see the others "
                                     "(an export holds them all).")


def test_a_table_within_the_limit_is_sent_whole_without_a_note():
    page = AppTest.from_function(a_table_of, kwargs={"rows": 1_000}).run()

    assert len(page.dataframe[0].value) == 1_000 and not page.caption
