"""Plotly figures the pages draw; each takes a frame and column names and returns a figure. Text from files (payer
names, coder ids) is escaped first: Plotly draws every label as its own subset of HTML, links included."""

import html

import plotly.express as px
import polars as pl
import streamlit as st

from dashboard import display

# Plotly builds a figure property by property in Python: the Overview's six trends took 0.22 s of its 0.30 s warm run
# at 1M claims, every run, to draw the same frames again. The same frame and options give the same figure, so each is
# built once and shared; st.plotly_chart only reads it (to_dict), and no page changes a figure it is given.
figure_cache = st.cache_resource(max_entries=500, show_spinner=False)

# Plotly reads <a href>, <b>, <br> and <span style> in any label and decodes these entities back to the character,
# so escaped text is drawn exactly as it was typed; & goes first, or the entities themselves would be escaped. The same
# three as html.escape(quote=False), which escapes the labels of an axis order.
HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with &, < and > escaped in every text column, so Plotly shows labels as text and never as markup."""
    return frame.with_columns(_escaped(pl.col(name)) for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical))


# Plotly's d3 formats for each kind of figure (etl/reference/columns.csv): ticks, and hover text.
TICK_FORMATS = {"money": ("$", ",.0f"), "percent": ("", ".0%"), "days": ("", ",.0f"), "count": ("", ",d")}
HOVER_FORMATS = {"money": "$,.0f", "percent": ".1%", "days": ",.0f", "count": ",d", "number": ",.2f"}


def format_axis(figure, frame: pl.DataFrame, column: str, axis: str = "y", **where) -> None:
    """Ticks of the axis that shows `column` in the column's kind: $ on money, % on shares, and whole counts, which
    step by one when the counts are small (never 0.5 of a code)."""
    kind = display.kind_of(column, frame.schema[column])
    prefix, tick_format = TICK_FORMATS.get(kind, ("", None))
    update = figure.update_yaxes if axis == "y" else figure.update_xaxes
    if tick_format:
        update(tickprefix=prefix, tickformat=tick_format, **where)
    if kind == "count" and not frame.is_empty() and (frame[column].max() or 0) < 10:
        update(dtick=1, **where)


def hover_format(frame: pl.DataFrame, column: str) -> str:
    """A d3 format for the column's values in hover text."""
    return HOVER_FORMATS.get(display.kind_of(column, frame.schema[column]), "")


def _shares_rounded(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    """The named columns that hold shares rounded half up to what the hover text shows (display.shares_rounded)."""
    return display.shares_rounded(frame, *(name for name in names if display.kind_of(name, frame.schema[name]) == "percent"))


def _labels(frame: pl.DataFrame) -> dict[str, str]:
    """Every column's label, for the legend title and hover text."""
    return {name: display.label(name) for name in frame.columns}


def _escaped(text: pl.Expr) -> pl.Expr:
    text = text.cast(pl.String)
    for character, entity in HTML_ESCAPES:
        text = text.str.replace_all(character, entity, literal=True)
    return text


@figure_cache
def stacked_bars(frame: pl.DataFrame, x: str, y: str, stack: str, order: list[str], y_title: str):
    """Bars per x, stacked by `stack`, with x in the given order."""
    frame = _shares_rounded(as_text(display.in_words(frame, stack)), y)
    figure = px.bar(frame.to_pandas(), x=x, y=y, color=stack, labels=_labels(frame),
                    category_orders={x: [html.escape(label, quote=False) for label in order]})
    figure.update_layout(yaxis_title=y_title, xaxis_title=None, legend_title=None, margin={"t": 10})
    figure.update_traces(hovertemplate=f"%{{x}}<br>%{{fullData.name}}: %{{y:{hover_format(frame, y)}}}<extra></extra>")
    format_axis(figure, frame, y)
    return figure


@figure_cache
def pareto(frame: pl.DataFrame, code: str, description: str, value: str, cumulative: str, y_title: str):
    """Bars largest first, each named by its code and the start of its description (all of it on hover), with the
    cumulative share as a line on a second axis."""
    from plotly.subplots import make_subplots
    import plotly.graph_objects as go

    frame = display.shares_rounded(as_text(frame.with_columns(pl.col(description).fill_null("no description on file"))), cumulative)
    names = [f"{code_value}: {_shortened(text)}" for code_value, text in zip(frame[code], frame[description])]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(go.Bar(x=names, y=[float(v) for v in frame[value]], name=y_title, customdata=frame[description].to_list(),
                            hovertemplate=f"%{{customdata}}<br>%{{y:{hover_format(frame, value)}}}<extra></extra>"))
    figure.add_trace(go.Scatter(x=names, y=frame[cumulative].to_list(), name="Cumulative share", mode="lines+markers",
                                hovertemplate="%{y:.1%} of denied charges<extra></extra>"), secondary_y=True)
    figure.update_yaxes(title_text=y_title, secondary_y=False)
    format_axis(figure, frame, value, secondary_y=False)
    figure.update_yaxes(title_text="Cumulative share", tickformat=".0%", range=[0, 1.05], dtick=0.25, secondary_y=True)
    figure.update_layout(margin={"t": 10}, xaxis_type="category", legend={"orientation": "h", "y": -0.45})
    return figure


def _shortened(text: str, length: int = 28) -> str:
    """The start of a long description, for an axis label."""
    return text if len(text) <= length else text[:length].rstrip(" ,.;:") + "…"


@figure_cache
def heatmap(frame: pl.DataFrame, x: str, y: str, value: str, title: str):
    """A value per (x, y) cell, written in each cell."""
    frame = _shares_rounded(as_text(display.in_words(frame, x)), value)
    wide = frame.pivot(on=x, index=y, values=value).fill_null(0)
    columns = [name for name in wide.columns if name != y]
    tick = hover_format(frame, value)
    figure = px.imshow([[float(v) for v in row] for row in wide.select(columns).rows()], x=columns, y=wide[y].to_list(),
                       labels={"color": title}, aspect="auto", color_continuous_scale="Reds", text_auto=tick or True)
    figure.update_traces(hovertemplate=f"%{{y}} · %{{x}}: %{{z:{tick}}}<extra></extra>")
    prefix, tick_format = TICK_FORMATS.get(display.kind_of(value, frame.schema[value]), ("", None))
    figure.update_coloraxes(colorbar_tickprefix=prefix, colorbar_tickformat=tick_format)
    figure.update_layout(margin={"t": 10})
    return figure


@figure_cache
def lines(frame: pl.DataFrame, x: str, y: str, series: str, y_title: str):
    """One line per series."""
    frame = _shares_rounded(as_text(display.in_words(frame, series)), y)
    figure = px.line(frame.to_pandas(), x=x, y=y, color=series, markers=True, labels=_labels(frame))
    figure.update_layout(yaxis_title=y_title, xaxis_title=None, legend_title=None, margin={"t": 10})
    figure.update_traces(hovertemplate=f"%{{x|%b %Y}}<br>%{{fullData.name}}: %{{y:{hover_format(frame, y)}}}<extra></extra>")
    format_axis(figure, frame, y)
    return figure


@figure_cache
def trend_with_benchmark(frame: pl.DataFrame, x: str, y: str, benchmark: float | None, benchmark_label: str, percent: bool,
                         grain: str = "month", maturing: str | None = None):
    """One figure per period, on a date axis labelled by month (or day for weeks), with its benchmark dashed."""
    frame = display.shares_rounded(as_text(frame), y) if percent else as_text(frame)
    if grain == "month":  # a month's point sits on its first day, under the tick that names it, not on the next month's
        frame = frame.with_columns(pl.col(x).dt.truncate("1mo"))
    import plotly.graph_objects as go

    # go, not px.line: a single unnamed series needs none of Plotly Express's grouping, which was half a cold build
    figure = go.Figure(go.Scatter(x=frame[x].cast(pl.String).to_list(), y=frame[y].to_list(), mode="lines+markers",
                                  showlegend=False))
    if maturing and maturing in frame.columns and frame[maturing].any():
        # periods still settling are drawn hollow: their figure will still move
        young = frame.filter(pl.col(maturing))
        figure.add_scatter(x=young[x].cast(pl.String).to_list(), y=young[y].to_list(), mode="markers", name="still maturing",
                           marker={"symbol": "circle-open", "size": 11, "color": "gray"}, showlegend=False,
                           hovertemplate=f"still maturing: %{{y:{'.1%' if percent else ',.0f'}}}<extra></extra>")
    if benchmark is not None:
        figure.add_hline(y=benchmark, line_dash="dash", line_color="gray", annotation_text=f"benchmark: {benchmark_label}")
    figure.update_layout(xaxis_title=None, yaxis_title=None, margin={"t": 10, "b": 0}, height=220)
    # Dates, never an hour axis: one tick a month, or one a week.
    figure.update_xaxes(type="date", tickformat="%b %Y" if grain == "month" else "%d %b",
                        dtick="M1" if grain == "month" else 7 * 24 * 60 * 60 * 1000, tick0=str(frame[x][0]))
    period = "%{x|%b %Y}" if grain == "month" else "week to %{x|%d %b %Y}"
    figure.update_traces(hovertemplate=f"{period}: %{{y:{'.1%' if percent else ',.0f'}}}<extra></extra>", selector={"mode": "lines+markers"})
    figure.update_yaxes(tickformat=".0%" if percent else ",.0f")
    return figure


@figure_cache
def step_lines(frame: pl.DataFrame, x: str, y: str, series: str, y_title: str, x_title: str):
    """One step curve per series (Kaplan–Meier), y as a percentage."""
    frame = display.shares_rounded(as_text(frame), y)
    figure = px.line(frame.to_pandas(), x=x, y=y, color=series, line_shape="hv")
    figure.update_traces(hovertemplate=f"%{{fullData.name}}<br>{x_title} %{{x:,.0f}}: %{{y:.1%}}<extra></extra>")
    figure.update_layout(yaxis_title=y_title, xaxis_title=x_title, legend_title=None, margin={"t": 10})
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return figure


@figure_cache
def boxes(quartiles: pl.DataFrame, x: str, y_title: str):
    """The distribution of a measure per x, drawn from its quartiles and whisker ends (q1, median, q3, lower_fence,
    upper_fence: etl/reports/timelines.py stage_lag_boxes) rather than from every value."""
    import plotly.graph_objects as go

    quartiles = as_text(quartiles)
    figure = go.Figure(go.Box(
        x=quartiles[x].to_list(), q1=quartiles["q1"].to_list(), median=quartiles["median"].to_list(),
        q3=quartiles["q3"].to_list(), lowerfence=quartiles["lower_fence"].to_list(),
        upperfence=quartiles["upper_fence"].to_list(), boxpoints=False, name="",
        hovertemplate="%{x}<br>median %{median:,.0f} days<extra></extra>",
    ))
    figure.update_layout(yaxis_title=y_title, xaxis_title=None, margin={"t": 10}, showlegend=False)
    figure.update_yaxes(tickformat=",.0f")
    return figure


@figure_cache
def rates_with_intervals(frame: pl.DataFrame, x: str, rate: str, low: str, high: str, target: float | None, y_title: str):
    """A rate per x with its interval as error bars, and the target as a dashed line."""
    frame = display.shares_rounded(as_text(frame), rate, low, high)
    pandas = frame.to_pandas()
    figure = px.scatter(pandas, x=x, y=rate, error_y=pandas[high] - pandas[rate], error_y_minus=pandas[rate] - pandas[low],
                        labels=_labels(frame))
    figure.update_traces(hovertemplate="%{x}: %{y:.1%}<extra></extra>")
    if target is not None:
        figure.add_hline(y=target, line_dash="dash", line_color="gray", annotation_text=f"target {target:.0%}")
    figure.update_layout(yaxis_title=y_title, xaxis_title=None, margin={"t": 10}, xaxis_type="category")
    figure.update_yaxes(tickformat=".0%")
    return figure


@figure_cache
def funnel(points: pl.DataFrame, limits: pl.DataFrame, rate: float, x: str, y: str, label: str, flagged: str, y_title: str):
    """Each row's rate against its volume (log scale), with the pooled rate and its control limits drawn as a funnel:
    `limits` has x, coverage, low and high (etl/reports/scorecard.py funnel_curves); rows where `flagged` stand out."""
    import plotly.graph_objects as go

    points = display.shares_rounded(as_text(points), y)
    figure = go.Figure()
    for coverage, dash in zip(sorted(limits["coverage"].unique()), ("dash", "dot")):
        band = limits.filter(pl.col("coverage") == coverage)
        for side in ("low", "high"):
            figure.add_trace(go.Scatter(
                x=band[x].to_list(), y=band[side].to_list(), mode="lines",
                line={"dash": dash, "color": "gray", "width": 1, "shape": "hv"},  # whole-count limits step with the count
                name=f"{coverage * 100:g}% limits", legendgroup=str(coverage), showlegend=side == "low", hoverinfo="skip",
            ))
    figure.add_hline(y=rate, line_color="gray", annotation_text=f"practice {display.percent(rate)}", annotation_position="top left")
    for is_flagged, name, colour in ((False, "Within the 99.8% limits", "#1f77b4"), (True, "Outside the 99.8% limits", "#d62728")):
        shown = points.filter(pl.col(flagged) == is_flagged)
        figure.add_trace(go.Scatter(
            x=shown[x].to_list(), y=shown[y].to_list(), text=shown[label].to_list(), mode="markers+text", name=name,
            textposition="top center", textfont={"size": 11, "color": colour},  # each dot names its payer
            marker={"size": 10, "color": colour}, hovertemplate="%{text}: %{y:.1%} of %{x:,} claims<extra></extra>",
        ))
    figure.update_xaxes(type="log", title_text="Claims adjudicated (log scale)")
    figure.update_yaxes(tickformat=".0%", title_text=y_title, rangemode="tozero")
    figure.update_layout(margin={"t": 10}, legend_title=None)
    return figure
