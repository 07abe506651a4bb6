"""The headline revenue-cycle figures as of a date, read from the marts with every value bound as a parameter."""

from __future__ import annotations

from datetime import date

import duckdb

from etl.reports.scope import IN_SCOPE, Scope

# Claims whose date of service is at least this old have had time to settle (net collection rate).
SETTLED_AFTER_DAYS = 90
# Days in A/R divides open A/R by the average daily charges of this many days.
CHARGE_WINDOW_DAYS = 90


def kpis(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope()) -> dict:
    """The practice's headline revenue-cycle figures as of a date for the claims in scope (self-pay left out)."""
    row = con.sql(
        f"""
        with
        balances as (
            select * from claim_balances($as_of) where is_insurance and {IN_SCOPE}
        ),
        firsts as (
            select * from initial_adjudications where adjudicated_date <= $as_of and {IN_SCOPE}
        )
        -- one pass over each: every figure is a filtered aggregate of the same rows
        select firsts.*, balances.*
        from (
            select
                count(*) as adjudicated_claims,
                count(*) filter (where is_denied) as first_denied_claims
            from firsts
        ) as firsts,
        (
            select
                count(*) filter (
                    where adjudication_count = 1 and last_status_code in ('1', '2', '3', '19') and paid_to_date_amount > 0
                    and paid_to_date_amount = paid_amount
                ) as first_pass_resolved_claims,
                coalesce(sum(paid_to_date_amount) filter (where service_date_from <= $as_of - $settled), 0) as settled_payments,
                -- patient payments are not in an 835, so what was moved to the patient leaves the denominator too
                coalesce(sum(charge_amount - contractual_amount - patient_responsibility_amount)
                    filter (where service_date_from <= $as_of - $settled), 0) as settled_collectible,
                coalesce(sum(balance_amount) filter (where balance_amount > 0), 0) as open_ar,
                coalesce(sum(balance_amount) filter (where balance_amount > 0 and days_since_service > 90), 0) as ar_over_90,
                coalesce(sum(balance_amount) filter (where balance_amount > 0 and days_since_service > 120), 0) as ar_over_120,
                coalesce(sum(charge_amount)
                    filter (where service_date_from > $as_of - $window and service_date_from <= $as_of), 0) as recent_charges,
                coalesce(sum(charge_amount), 0) as gross_charges,
                coalesce(sum(paid_to_date_amount), 0) as payments,
                coalesce(sum(contractual_amount), 0) as contractual_adjustments,
                coalesce(sum(patient_responsibility_amount), 0) as patient_responsibility
            from balances
        ) as balances
        """,
        params={"as_of": as_of, "settled": SETTLED_AFTER_DAYS, "window": CHARGE_WINDOW_DAYS, **scope.params()},
    ).fetchall()[0]
    names = ["adjudicated_claims", "first_denied_claims", "first_pass_resolved_claims", "settled_payments",
             "settled_collectible", "open_ar", "ar_over_90", "ar_over_120", "recent_charges", "gross_charges", "payments",
             "contractual_adjustments", "patient_responsibility"]
    figures = dict(zip(names, row))
    daily_charges = figures["recent_charges"] / CHARGE_WINDOW_DAYS
    return {
        **figures,
        "as_of": as_of.isoformat(),
        "initial_denial_rate": _share(figures["first_denied_claims"], figures["adjudicated_claims"]),
        "first_pass_resolution_rate": _share(figures["first_pass_resolved_claims"], figures["adjudicated_claims"]),
        "net_collection_rate": _share(figures["settled_payments"], figures["settled_collectible"]),
        "days_in_ar": round(float(figures["open_ar"] / daily_charges), 1) if daily_charges else None,
        "ar_over_90_share": _share(figures["ar_over_90"], figures["open_ar"]),
        "ar_over_120_share": _share(figures["ar_over_120"], figures["open_ar"]),
    }


def _share(part, whole) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None
