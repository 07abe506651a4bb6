"""What a table on a page looks like in the browser, read from AppTest: each cell formatted by the column settings the
page sent, as Streamlit's front end does (static/js formatNumber: Intl formats, decimals from `step`), for the formats
the pages use. The browser's grid is a canvas, so its text cannot be read from the page itself."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal


def decimals(step: float | None) -> int | None:
    """The decimals a column's step asks for (1 → 0, 0.01 → 2, 0.001 → 3)."""
    if step is None:
        return None
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def truncated(value: float, places: int) -> float:
    """The number as the grid keeps it for a column with a step: truncated, not rounded, to the step's decimals (static/js
    DataFrame NumberColumn getCell: Math.trunc with a few units in the last place of slack), so 0.2666 with a step of
    0.001 is 0.266."""
    if places <= 0:
        return float(math.trunc(value))
    scale = 10 ** places
    scaled = value * scale
    return math.trunc(scaled + math.copysign(2 ** -52 * abs(scaled) * 10, scaled)) / scale


def intl(value: float, places: int, grouped: bool = True, trim: bool = False) -> str:
    """The number as Intl.NumberFormat writes it: from its shortest decimal form, rounded half away from zero."""
    text = f"{Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):{',' if grouped else ''}f}"
    return text.rstrip("0").rstrip(".") if trim and "." in text else text


def cell(value, settings: dict, placeholder: str) -> str:
    """One value as the browser shows it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return placeholder
    config = settings.get("type_config", {})
    kind, number_format, places = config.get("type"), config.get("format"), decimals(config.get("step"))
    if kind == "number":
        value = float(value)
        if places is not None:
            value = truncated(value, places)
        if number_format == "dollar":
            places = 2 if places is None else places
            text = f"${intl(abs(value), places)}"
            return f"-{text}" if float(intl(value, places, grouped=False)) < 0 else text
        if number_format == "percent":
            shown = max(places - 2, 0) if places is not None else 2
            return f"{intl(value * 100 if places is None else float(Decimal(repr(value)) * 100), shown, trim=places is None)}%"
        if number_format == "localized":
            return intl(value, places) if places is not None else intl(value, 3, trim=True)
        raise AssertionError(f"a format these tests do not know: {number_format}")
    if kind == "date" and isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def shown(element) -> list[dict[str, str]]:
    """The rows of an AppTest dataframe, keyed by the headings the browser shows, each cell as it reads on screen."""
    settings = json.loads(element.proto.columns or "{}")
    placeholder = element.proto.placeholder or "None"
    frame = element.value
    rows = []
    for record in frame.to_dict("records"):
        rows.append({settings.get(name, {}).get("label", name): cell(None if _missing(value) else _plain(value),
                                                                       settings.get(name, {}), placeholder)
                     for name, value in record.items()})
    return rows


def _missing(value) -> bool:
    try:
        import pandas

        return value is None or bool(pandas.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value):
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value


def table_with(page, heading: str):
    """The first table on the page with a column headed `heading`."""
    for element in page.dataframe:
        settings = json.loads(element.proto.columns or "{}")
        if heading in {entry.get("label") for entry in settings.values()}:
            return shown(element)
    raise AssertionError(f"no table headed {heading!r} on the page")
