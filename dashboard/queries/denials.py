"""Queries of the Denials page: first denials by count and dollars, by CARC, payer, procedure, provider and remark."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import computed, frame, library
from etl.reports import denial_jumps as jumps
from etl.reports import denials as denial_reasons
from etl.reports.denials import ADJUDICATED
from etl.reports.scope import Scope, as_of_in_scope
from etl.reports.stats import rate


def _params(as_of: date, scope: Scope, **more) -> dict:
    return {"as_of": as_of, **scope.params(), **more}


@serves("denials")
def initial_denial_rate(as_of: date, scope: Scope) -> dict:
    """Claims adjudicated and the share first denied, by count and by dollars, with 95% Wilson intervals."""
    counts = frame(
        "select count(*) as adjudicated, count(*) filter (where is_denied) as denied,"
        " coalesce(sum(charge_amount), 0) as charged, coalesce(sum(denied_charge_amount), 0) as denied_charges,"
        f" coalesce(sum(denied_charge_amount) filter (where is_preventable), 0) as preventable_charges {ADJUDICATED}",
        _params(as_of, scope),
    ).row(0, named=True)
    return {
        **counts,
        **rate(counts["denied"], counts["adjudicated"]),
        "dollar_rate": float(counts["denied_charges"] / counts["charged"]) if counts["charged"] else None,
        "preventable_share": float(counts["preventable_charges"] / counts["denied_charges"]) if counts["denied_charges"] else None,
    }


@serves("denials")
def denials_by_carc(as_of: date, scope: Scope) -> pl.DataFrame:
    """A Pareto of first-denial CARCs, largest first, with the cumulative share of dollars (etl/reports/denials.py)."""
    return library(denial_reasons.reasons)(as_of, scope)


@serves("denials")
def denials_by_payer_and_category(as_of: date, scope: Scope) -> pl.DataFrame:
    """Denied dollars per payer and CARC category (etl/reports/denials.py)."""
    return library(denial_reasons.by_payer_and_category)(as_of, scope)


@serves("denials")
def denial_trend(as_of: date, scope: Scope) -> pl.DataFrame:
    """First-denied claims per month and CARC category, to see a spike: every month from the first adjudication in
    scope to the as-of date's, a month without a denial of a category counted 0, so no line runs straight across it."""
    return frame(
        f"with adjudicated as (select adjudicated_month, is_denied, coalesce(carc_category, 'unknown') as carc_category"
        f" {ADJUDICATED}),"
        " months as (select unnest(generate_series(min(adjudicated_month), date_trunc('month', $as_of)::date,"
        " interval 1 month))::date as adjudicated_month from adjudicated),"
        " categories as (select distinct carc_category from adjudicated where is_denied),"
        " denied as (select adjudicated_month, carc_category, count(*) as claim_count from adjudicated where is_denied"
        " group by all)"
        " select months.adjudicated_month, categories.carc_category, coalesce(denied.claim_count, 0) as claim_count"
        " from months cross join categories"
        " left join denied on denied.adjudicated_month = months.adjudicated_month"
        " and denied.carc_category = categories.carc_category"
        " order by months.adjudicated_month, categories.carc_category",
        _params(as_of, scope),
    )


@serves("denials")
def weekly_denials(as_of: date, scope: Scope) -> pl.DataFrame:
    """Each payer's first adjudications per ISO week beside its first denials of each CARC category that week, zero
    where it had none, with the category's commonest CARC: the counts etl.reports.denial_jumps tests."""
    return frame(
        "with adjudicated as (select payer_id, payer_name, adjudicated_week, is_denied,"
        f" coalesce(carc_category, 'unknown') as carc_category, carc_code {ADJUDICATED}),"
        " weeks as (select payer_id, any_value(payer_name) as payer_name, adjudicated_week, count(*) as adjudicated_count"
        " from adjudicated group by payer_id, adjudicated_week),"
        " codes as (select payer_id, carc_category, adjudicated_week, carc_code, count(*) as claim_count"
        " from adjudicated where is_denied group by all),"
        " denials as (select payer_id, carc_category, adjudicated_week, sum(claim_count) as denied_count,"
        " first(carc_code order by claim_count desc, carc_code) as carc_code from codes group by all),"
        " categories as (select distinct payer_id, carc_category from denials)"
        " select weeks.payer_id, weeks.payer_name, categories.carc_category, weeks.adjudicated_week,"
        " weeks.adjudicated_count, coalesce(denials.denied_count, 0)::bigint as denied_count, denials.carc_code"
        " from weeks inner join categories on categories.payer_id = weeks.payer_id"
        " left join denials on denials.payer_id = weeks.payer_id and denials.carc_category = categories.carc_category"
        " and denials.adjudicated_week = weeks.adjudicated_week"
        " order by weeks.payer_id, categories.carc_category, weeks.adjudicated_week",
        _params(as_of, scope),
    )


@serves("denials")
def denial_jumps(as_of: date, scope: Scope) -> pl.DataFrame:
    """The weeks a payer's denial rate for one CARC category rose beyond its trailing baseline, latest first."""
    return computed(jumps.denial_jumps)(weekly_denials(as_of, scope))


@serves("denials")
def denials_by_procedure(as_of: date, scope: Scope, limit: int = 15) -> pl.DataFrame:
    """The procedure codes on first-denied claims that carry the most denied charges."""
    return frame(
        "select procedure_code, count(distinct claim_record_id) as claim_count, sum(charge_amount) as denied_line_charges"
        f" from first_denial_lines where {as_of_in_scope('adjudicated_date')}"
        " group by procedure_code order by denied_line_charges desc, procedure_code limit $limit",
        _params(as_of, scope, limit=limit),
    )


@serves("denials")
def denials_by_provider(as_of: date, scope: Scope) -> pl.DataFrame:
    """Each rendering provider's claims adjudicated, first denied and denied charges."""
    return frame(
        "select coalesce(rendering_npi, 'not on claim') as rendering_npi, count(*) as adjudicated,"
        " count(*) filter (where is_denied) as denied, sum(denied_charge_amount) as denied_amount"
        f" {ADJUDICATED} group by all order by denied_amount desc, rendering_npi",
        _params(as_of, scope),
    )


@serves("denials")
def denial_remarks(as_of: date, scope: Scope) -> pl.DataFrame:
    """The remark codes (RARC) sent with first denials: what the payer said, on how many claims and dollars."""
    return frame(
        "select rarc_code, any_value(rarc_description) as description, count(distinct remit_claim_id) as claim_count,"
        " sum(denied_charge_amount) as denied_amount"
        f" from first_denial_remarks where {as_of_in_scope('adjudicated_date')}"
        " group by rarc_code order by claim_count desc, rarc_code",
        _params(as_of, scope),
    )


@serves("denials")
def denied_claims(as_of: date, scope: Scope) -> pl.DataFrame:
    """The first-denied claims behind the figures, largest first."""
    return frame(
        "select claim_id, payer_id, payer_name, rendering_npi, carc_code, carc_category, is_preventable, denied_charge_amount,"
        f" adjudicated_date, service_date_from {ADJUDICATED} and is_denied order by denied_charge_amount desc, claim_id",
        _params(as_of, scope),
    )
