"""How a figure reads wherever it leaves claimscope, on a page or in a board pack: money as $1,234 (cents where they
matter), shares to one decimal, whole days, thousands separated, and a dash for what is missing. Every figure rounds
half up, as a reader rounds by hand (26.65% reads 26.7%), never half to even or by truncation."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

MISSING = "—"


def half_up(value: Decimal | float, places: int = 0) -> Decimal:
    """The value rounded half away from zero; a float is taken as it prints (0.2665 is 0.2665, not 0.26649…)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rounded(frame: pl.DataFrame, places: Mapping[str, int]) -> pl.DataFrame:
    """The named number columns rounded half away from zero to their places, by the rule of `half_up`, before a
    format shows them: Streamlit's grid truncates a number to its column's step (26.66% read 26.6%), and a float's
    own rounding goes by its binary value (0.5045 to 0.504). Floats stay floats and decimals decimals."""
    named = {name: shown for name, shown in places.items() if name in frame.columns}
    return frame.with_columns(
        *(pl.col(name).round(shown, mode="half_away_from_zero").cast(frame.schema[name])
          for name, shown in named.items() if frame.schema[name].is_decimal()),
        *(_half_up_floats(frame[name], shown) for name, shown in named.items() if frame.schema[name].is_float()),
    )


def _half_up_floats(values: pl.Series, places: int) -> pl.Series:
    """Floats rounded half up as they print. Away from a tie, rounding the binary value gives the same; the few values
    within a hair of a tie (0.5045 is 0.50449999… in binary) are rounded from their printed digits, one by one."""
    result = values.round(places, mode="half_away_from_zero")
    scaled = (values * 10 ** places).abs()
    near_tie = ((scaled - scaled.floor() - 0.5).abs() < 1e-6).fill_null(False).arg_true()
    if near_tie.len():
        result = result.scatter(near_tie, [float(half_up(value, places)) for value in values.gather(near_tie)])
    return result.cast(values.dtype).alias(values.name)


def money(value: Decimal | float | None, cents: bool = False) -> str:
    """$1,234, or $1,234.56 where cents matter; a refund or recoupment keeps its sign in front: −$45."""
    if value is None:
        return MISSING
    shown = f"${half_up(abs(value), 2 if cents else 0):,}"
    return f"−{shown}" if value < 0 and shown.strip("$0.,") else shown


def percent(value: float | None) -> str:
    """A share with one decimal: 27.2%."""
    return MISSING if value is None else f"{half_up(_hundredfold(value), 1)}%"


def _hundredfold(share: Decimal | float) -> Decimal:
    """A share in percent, exactly: 0.5045 is 50.45, where the float product 0.5045 * 100 is 50.449999…"""
    return Decimal(str(share)) * 100


def days(value: float | None) -> str:
    """Days as a whole number."""
    return MISSING if value is None else f"{half_up(value):,}"


def count(value: int | None) -> str:
    """A count with thousands separated."""
    return MISSING if value is None else f"{value:,}"


def interval_note(measured: dict) -> str:
    """A rate's 95% interval in words (etl.reports.stats.rate), or why there is none."""
    if measured["rate"] is None:
        return "no claims"
    if measured["too_few"]:
        return "too few claims for an interval"
    low, high = measured["interval"]
    return f"95% CI {percent(low)}–{percent(high)}"


def points(change: float) -> str:
    """A change of a share in percentage points, signed: +1.5 pts, 0.0 pts."""
    shown = half_up(_hundredfold(change), 1)
    return f"{shown:+} pts" if shown else "0.0 pts"


def days_change(change: float) -> str:
    """A change in days, signed: +6 days, 0 days."""
    shown = half_up(change)
    return f"{shown:+,} days" if shown else "0 days"
