"""The named date ranges a report can be limited to (this month, last month, quarter to date, ...), counted from the
as-of date, so a saved link shows the same period whatever day it is opened."""

from __future__ import annotations

from datetime import date, timedelta

# Preset id -> label, in the order the sidebar offers them. "all" and "custom" take their dates from elsewhere: the
# dates on file, and the user's own range.
PRESETS = {
    "all": "All dates on file",
    "this_month": "This month",
    "last_month": "Last month",
    "quarter_to_date": "Quarter to date",
    "year_to_date": "Year to date",
    "last_12_months": "Last 12 months",
    "custom": "Custom",
}


def preset_range(preset: str, as_of: date) -> tuple[date, date]:
    """The first and last day (both counted) of a calendar preset ending on or before the as-of date."""
    if preset == "this_month":
        return as_of.replace(day=1), as_of
    if preset == "last_month":
        last_day = as_of.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    if preset == "quarter_to_date":
        return date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1), as_of
    if preset == "year_to_date":
        return date(as_of.year, 1, 1), as_of
    if preset == "last_12_months":
        # the day after the same date a year earlier; 29 February's year-earlier date is 28 February
        year_earlier = as_of.replace(year=as_of.year - 1, day=28 if (as_of.month, as_of.day) == (2, 29) else as_of.day)
        return year_earlier + timedelta(days=1), as_of
    raise ValueError(f"{preset!r} is not a calendar preset")
