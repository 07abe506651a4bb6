"""Small page helpers that draw something and return nothing surprising."""

import io
from datetime import date

import polars as pl
import streamlit as st


def table_or_note(frame: pl.DataFrame, when_empty: str, empty_is_good: bool = True) -> None:
    """Show the frame (dates as dates), or say in words why there is nothing to show."""
    if frame.is_empty():
        (st.success if empty_is_good else st.info)(when_empty)
    else:
        dates = {name: st.column_config.DateColumn(format="YYYY-MM-DD") for name, dtype in frame.schema.items() if dtype == pl.Date}
        st.dataframe(frame, hide_index=True, column_config=dates)


def as_of_date() -> date:
    """The sidebar's report date: aging and deadlines count from it."""
    return st.sidebar.date_input("As of", value=date.today(), help="Aging and deadlines are counted from this date.")


def masked_patients(frame: pl.DataFrame) -> pl.DataFrame:
    """Replace patient_key with a short masked tag: enough to tell rows apart, nothing that identifies anyone."""
    if "patient_key" not in frame.columns:
        return frame
    tag = pl.lit("patient ••") + pl.col("patient_key").str.slice(-4)
    return frame.with_columns(pl.when(pl.col("patient_key").is_not_null()).then(tag).alias("patient_key")).rename({"patient_key": "patient"})


def export_buttons(frame: pl.DataFrame, name: str) -> None:
    """CSV and Excel downloads of exactly what the table shows."""
    excel = io.BytesIO()
    frame.write_excel(excel, worksheet=name)
    left, right = st.columns(2)
    left.download_button("Export CSV", frame.write_csv(), file_name=f"{name}.csv", mime="text/csv")
    right.download_button(
        "Export Excel", excel.getvalue(), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def period() -> tuple[date, date]:
    """The sidebar's reporting period (by adjudication date): the last twelve months by default."""
    today = date.today()
    chosen = st.sidebar.date_input("Period", value=(today.replace(year=today.year - 1), today), help="Claims adjudicated in this period.")
    return (chosen[0], chosen[-1]) if isinstance(chosen, tuple) else (chosen, chosen)


def rate_metric(column, label: str, rate: float | None, interval: tuple[float, float] | None, too_few: bool, help_text: str) -> None:
    """A rate as a percentage with its 95% interval, or 'too few claims' under the minimum denominator."""
    if rate is None:
        column.metric(label, "no claims", help=help_text)
    elif too_few:
        column.metric(label, f"{rate:.1%}", "too few claims", delta_color="off", delta_arrow="off", help=help_text)
    else:
        low, high = interval
        column.metric(label, f"{rate:.1%}", f"95% CI {low:.1%}–{high:.1%}", delta_color="off", delta_arrow="off", help=help_text)
