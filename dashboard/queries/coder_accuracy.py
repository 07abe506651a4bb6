"""Queries of the Coder accuracy page: accuracy per coder, coding denials, and the audit samples drawn."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import frame, library
from etl.reports import audit_sampling
from etl.reports.coder_accuracy import with_accuracy_intervals, with_coding_denial_intervals
from etl.reports.scope import Scope, as_of_in_scope


@serves("coder_accuracy")
def coder_accuracy(scope: Scope) -> pl.DataFrame:
    """Per coder: claims and codes audited and right, with exact 95% intervals, and errors by type."""
    return with_accuracy_intervals(frame("select * from coder_accuracy($scope) order by coder_id", scope.params()))


@serves("coder_accuracy")
def coding_denial_rates(as_of: date, scope: Scope) -> pl.DataFrame:
    """Per coder: claims adjudicated and first denied for a coding reason (CARC category coding_bundling)."""
    return with_coding_denial_intervals(frame(
        "select coalesce(coder_id, 'unknown') as coder_id, count(*) as adjudicated,"
        " count(*) filter (where is_coding_denial) as coding_denials"
        f" from coding_denials where {as_of_in_scope('adjudicated_date')} group by all order by coder_id",
        {"as_of": as_of, **scope.params()},
    ))


@serves("coder_accuracy")
def coding_denial_trend(as_of: date, scope: Scope) -> pl.DataFrame:
    """Coding-denial rate per coder and month of first adjudication."""
    return frame(
        "select adjudicated_month, coalesce(coder_id, 'unknown') as coder_id,"
        " count(*) filter (where is_coding_denial) / count(*) as coding_denial_rate"
        f" from coding_denials where {as_of_in_scope('adjudicated_date')}"
        " group by all order by adjudicated_month, coder_id",
        {"as_of": as_of, **scope.params()},
    )


@serves("coder_accuracy")
def coder_choices() -> list[str]:
    """Every coder a claim names."""
    return frame("select coder_id from coders order by coder_id")["coder_id"].to_list()


@serves("coder_accuracy")
def audit_universe_size(universe: audit_sampling.Universe) -> int:
    """Claims in an audit universe."""
    return library(audit_sampling.universe_size)(universe)


@serves("coder_accuracy")
def audit_samples() -> pl.DataFrame:
    """Every sample drawn, newest first, with how many of its claims auditors have reviewed."""
    return frame(
        "select sample_id, drawn_at, seed, method, allocation, purpose, probe_sample_id, universe_size, sample_size,"
        " claims_audited, claims_in_error"
        " from audit_sample_progress order by sample_id desc"
    )


@serves("coder_accuracy")
def audit_sample_results(sample_id: int) -> pl.DataFrame:
    """The sample's audited claims: stratum, N_h and the overpayment found."""
    return frame(audit_sampling.SAMPLE_RESULTS_SQL, {"sample_id": sample_id})


@serves("coder_accuracy")
def audit_worksheet(sample_id: int) -> pl.DataFrame:
    """The auditors' worksheet of a sample: every code of every sampled claim, findings blank."""
    return library(audit_sampling.worksheet)(sample_id)
