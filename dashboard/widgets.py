"""Small page helpers that draw something and return nothing surprising."""

import polars as pl
import streamlit as st


def table_or_note(frame: pl.DataFrame, when_empty: str, empty_is_good: bool = True) -> None:
    """Show the frame, or say in words why there is nothing to show."""
    if frame.is_empty():
        (st.success if empty_is_good else st.info)(when_empty)
    else:
        st.dataframe(frame, hide_index=True)
