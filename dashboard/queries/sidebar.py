"""Queries of the shared sidebar: the payers, providers and dates a user can narrow the reports to."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.queries.cache import frame, library
from etl.reports import aging


def payer_choices() -> pl.DataFrame:
    """Every payer a claim was sent to: id and name."""
    return frame("select payer_id, payer_name from payers order by payer_name")


def provider_choices() -> pl.DataFrame:
    """Every rendering provider NPI on a claim."""
    return frame("select rendering_npi from rendering_providers order by rendering_npi")


def service_date_span() -> tuple[date, date] | None:
    """The first and last dates of service and submission on file."""
    row = frame(
        "select least(min(first_service_date), min(first_submitted_date)) as first,"
        " greatest(max(last_service_date), max(last_submitted_date)) as last from payers"
    ).row(0)
    return None if row[0] is None else (row[0], row[1])


def aging_bucket_order() -> list[str]:
    """The aging buckets in display order (etl/reference/aging_buckets.csv)."""
    return library(aging.bucket_order)()
