"""The sidebar's date presets, against ranges worked out on a calendar."""

from datetime import date

import pytest

from etl.reports.periods import PRESETS, preset_range


@pytest.mark.parametrize(("preset", "as_of", "expected"), [
    ("this_month", date(2026, 6, 30), (date(2026, 6, 1), date(2026, 6, 30))),
    ("this_month", date(2026, 7, 1), (date(2026, 7, 1), date(2026, 7, 1))),  # the first of the month: one day
    ("last_month", date(2026, 3, 15), (date(2026, 2, 1), date(2026, 2, 28))),  # 2026 is not a leap year
    ("last_month", date(2024, 3, 31), (date(2024, 2, 1), date(2024, 2, 29))),  # 2024 is
    ("last_month", date(2026, 1, 10), (date(2025, 12, 1), date(2025, 12, 31))),  # across the new year
    ("last_month", date(2026, 5, 31), (date(2026, 4, 1), date(2026, 4, 30))),  # a 30-day month before a 31-day one
    ("quarter_to_date", date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31))),  # the last day of Q1
    ("quarter_to_date", date(2026, 4, 1), (date(2026, 4, 1), date(2026, 4, 1))),  # the first day of Q2
    ("quarter_to_date", date(2026, 8, 15), (date(2026, 7, 1), date(2026, 8, 15))),
    ("quarter_to_date", date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
    ("year_to_date", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 1, 1))),
    ("year_to_date", date(2026, 11, 26), (date(2026, 1, 1), date(2026, 11, 26))),
    ("last_12_months", date(2026, 6, 30), (date(2025, 7, 1), date(2026, 6, 30))),
    ("last_12_months", date(2026, 12, 31), (date(2026, 1, 1), date(2026, 12, 31))),
    # 29 February 2024 has no twin in 2023: the year runs from the day after 28 February 2023
    ("last_12_months", date(2024, 2, 29), (date(2023, 3, 1), date(2024, 2, 29))),
    ("last_12_months", date(2025, 2, 28), (date(2024, 2, 29), date(2025, 2, 28))),  # takes in the leap day
])
def test_a_preset_covers_the_days_counted_on_a_calendar(preset, as_of, expected):
    assert preset_range(preset, as_of) == expected


@pytest.mark.parametrize("preset", ["all", "custom", "next_month"])
def test_a_preset_without_calendar_dates_is_refused(preset):
    with pytest.raises(ValueError):
        preset_range(preset, date(2026, 6, 30))


def test_every_calendar_preset_ends_by_the_as_of_date_and_never_starts_after_it():
    for day in (date(2024, 2, 29), date(2026, 1, 1), date(2026, 12, 31)):
        for preset in set(PRESETS) - {"all", "custom"}:
            start, end = preset_range(preset, day)
            assert start <= end <= day, (preset, day)
