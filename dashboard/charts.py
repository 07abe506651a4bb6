"""Plotly figures the pages draw; each takes a frame and column names and returns a figure."""

import plotly.express as px
import polars as pl


def stacked_bars(frame: pl.DataFrame, x: str, y: str, stack: str, order: list[str], y_title: str):
    """Bars per x, stacked by `stack`, with x in the given order."""
    figure = px.bar(frame.to_pandas(), x=x, y=y, color=stack, category_orders={x: order})
    figure.update_layout(yaxis_title=y_title, xaxis_title=None, legend_title=None, margin={"t": 10})
    return figure
