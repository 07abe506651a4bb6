"""Named queries the pages call. Results are cached by database, data version, SQL and parameters, so they stay warm
until a load changes the data; each miss opens a short-lived read-only connection."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st
from scipy.stats import binomtest

from dashboard.permissions import require, serves
from etl.access import accounts as local_accounts, audit_trail
from etl import db as database
from etl.reports.audit_sampling import ACCURACY_TARGET, SAMPLE_RESULTS_SQL, UNIVERSE_SQL, WORKSHEET_SQL, Universe, exact_interval
from etl.reports.kpis import kpis
from etl.reports.worklist import WORKLIST_SQL
from etl.reports.scope import SCOPE_PREDICATE, Scope
from etl.reports.timelines import HORIZONS, curve_points, curve_summary, forecast, kaplan_meier

# How often the data version is looked up again: a load shows on the pages within this many seconds.
VERSION_SECONDS = 5
CACHED_RESULTS = 4000
# Everything the pages read changes only through a load, a validation run or an audit-sample draw. The audit log is
# left out on purpose: every page view writes to it. Its page reads it uncached.
DATA_VERSION_SQL = """
    select (select count(*) from source_files), (select max(file_id) from source_files),
           (select count(*) from validation_runs), (select max(sample_id) from audit_samples),
           (select count(*) from coding_audits)
"""


@st.cache_data(ttl=VERSION_SECONDS, show_spinner=False)
def _data_version(db: str) -> tuple:
    with database.read_connection(db) as con:
        return tuple(con.execute(DATA_VERSION_SQL).fetchall()[0])


def _frame(sql: str, params: dict | None = None) -> pl.DataFrame:
    db = str(database.default_db_path())
    return _cached_frame(db, _data_version(db), sql, tuple(sorted((params or {}).items())))


@st.cache_data(max_entries=CACHED_RESULTS, show_spinner=False)
def _cached_frame(db: str, version: tuple, sql: str, params: tuple) -> pl.DataFrame:
    # Keyed by database and data version, so another CLAIMSCOPE_DB or a new load never sees old figures.
    # Short-lived: a connection held open would block the loader's write lock.
    with database.read_connection(db) as con:
        return con.sql(sql, params=dict(params)).pl()


def _uncached_frame(sql: str, params: dict) -> pl.DataFrame:
    with database.read_connection(database.default_db_path()) as con:
        return con.sql(sql, params=params).pl()


@serves("data_loaded")
def table_row_counts() -> pl.DataFrame:
    """Row count of every contract table."""
    union = " union all ".join(
        f"select '{name}' as table_name, count(*) as row_count from {name}" for name in database.table_names()
    )
    return _frame(union)


@serves("data_loaded")
def load_history() -> pl.DataFrame:
    """Every file the loader has seen, newest first."""
    return _frame("select * from load_history order by file_id desc")


@serves("data_loaded")
def load_status_counts() -> pl.DataFrame:
    """Files, records loaded and records quarantined per load status."""
    return _frame(
        "select status, count(*) as file_count, sum(records_loaded) as records_loaded,"
        " sum(records_quarantined) as records_quarantined from load_history group by status order by status"
    )


@serves("data_quality")
def quarantine_problems() -> pl.DataFrame:
    """Each kind of problem in quarantine, with how many records it holds."""
    return _frame("select problem, count(*) as record_count from quarantine_records group by problem order by record_count desc")


@serves("data_quality")
def quarantined_records(source_files: tuple[str, ...] = (), problems: tuple[str, ...] = (), with_raw: bool = False) -> pl.DataFrame:
    """Quarantined records, filtered by file and by problem (an empty filter keeps all); the raw text as the file had
    it (which may hold PHI) only for a role allowed raw records."""
    if with_raw:
        require("raw_records")
    return _frame(
        f"select source_file, locator, problem, reason, {'raw, ' if with_raw else ''}quarantined_at from quarantine_records"
        " where (len($files) = 0 or list_contains($files, source_file))"
        " and (len($problems) = 0 or list_contains($problems, problem))"
        " order by source_file, locator",
        {"files": list(source_files), "problems": list(problems)},
    )


@serves("data_quality")
def table_health() -> pl.DataFrame:
    """One badge per checked table."""
    return _frame("select * from table_health order by table_name")


@serves("data_quality")
def validation_results() -> pl.DataFrame:
    """The latest result of every expectation, failing ones first."""
    return _frame("select * from validation_results order by latest_success, unexpected_count desc, suite, expectation")


@serves("data_quality")
def balancing_failures() -> pl.DataFrame:
    """835 balancing identities that failed, biggest difference first."""
    return _frame("select * from balancing_failures order by abs(difference_amount) desc")


@serves("data_quality")
def unmatched_remits() -> pl.DataFrame:
    """Claim payments that could not be tied to a claim on file, with the reason."""
    return _frame("select * from unmatched_remits order by payment_date desc")


@serves("data_quality")
def unmatched_claims() -> pl.DataFrame:
    """Claims no remittance has answered, oldest first."""
    return _frame("select * from unmatched_claims order by submitted_date")


@serves("data_quality")
def payments_before_submission() -> pl.DataFrame:
    """Claim payments dated before their claim was sent."""
    return _frame("select * from payments_before_submission order by days_early desc")


@serves("data_quality")
def duplicate_eras() -> pl.DataFrame:
    """The same ERA loaded from more than one file."""
    return _frame("select payer_id, trace_number, payment_amount, file_count, array_to_string(source_files, ', ') as source_files from duplicate_eras")


AGING_BUCKETS = ["0-30", "31-60", "61-90", "91-120", "120+"]


def _scoped(sql: str, scope: Scope, params: dict | None = None) -> pl.DataFrame:
    """Run SQL whose `SCOPE` placeholder stands for the scope's predicate, every filter value bound as a parameter."""
    return _frame(sql.replace("SCOPE", SCOPE_PREDICATE), {**scope.params(), **(params or {})})


def payer_choices() -> pl.DataFrame:
    """Every payer a claim was sent to: id and name, for the sidebar."""
    return _frame("select payer_id, any_value(payer_name) as payer_name from stg_837__claims group by payer_id order by payer_name")


def provider_choices() -> pl.DataFrame:
    """Every rendering provider NPI on a claim, for the sidebar."""
    return _frame("select distinct rendering_npi from stg_837__claims where rendering_npi is not null order by rendering_npi")


def service_date_span() -> tuple[date, date] | None:
    """The first and last dates of service and submission on file."""
    row = _frame("select least(min(service_date_from), min(submitted_date)) as first, greatest(max(service_date_from), max(submitted_date)) as last from stg_837__claims").row(0)
    return None if row[0] is None else (row[0], row[1])


@serves("late_payments")
def ar_aging_by_payer(as_of: date, basis: str, scope: Scope) -> pl.DataFrame:
    """Open insurance A/R by payer and aging bucket; basis is 'service' or 'submission'."""
    return _scoped(
        "select payer_name, aging_bucket, count(*) as claim_count, sum(balance_amount) as balance_amount"
        " from ar_aging($as_of, $aging_basis) where SCOPE group by all order by payer_name, aging_bucket",
        scope, {"as_of": as_of, "aging_basis": basis},
    )


@serves("late_payments")
def past_expected_pay_date(as_of: date, scope: Scope) -> pl.DataFrame:
    """Open claims with no answer after their payer's expected days to pay (payer_rules.csv), by payer."""
    # Read from the cached worklist rather than asking DuckDB to derive every balance a second time.
    return (
        worklist(as_of, scope)
        .filter(pl.col("is_past_expected_pay_date"))
        .group_by("payer_name")
        .agg(pl.len().alias("claim_count"), pl.col("balance").sum().alias("balance_amount"), pl.col("days_outstanding").max().alias("oldest_days"))
        .sort("balance_amount", "payer_name", descending=[True, False])
    )


@serves("late_payments")
def underpaid_lines(as_of: date, scope: Scope) -> pl.DataFrame:
    """Lines of current payments allowed below the payer's usual rate for the procedure, largest shortfall first."""
    return _scoped(
        "select claim_id, payer_name, last_remit_date, procedure_code, modifiers, units, allowed_amount,"
        " usual_allowed_per_unit, history_lines, expected_allowed_amount, shortfall_amount"
        " from underpaid_lines($as_of) where SCOPE order by shortfall_amount desc, claim_id, line_number",
        scope, {"as_of": as_of},
    )


@serves("late_payments")
def worklist(as_of: date, scope: Scope) -> pl.DataFrame:
    """The insurance worklist as of a date, highest priority first."""
    return _frame(WORKLIST_SQL, {"as_of": as_of, **scope.params()})


MIN_CLAIMS_FOR_A_RATE = 30

# First adjudications known by the as-of date, of claims in scope.
ADJUDICATED = "from initial_adjudications where adjudicated_date <= $as_of and SCOPE"


@serves("denials")
def initial_denial_rate(as_of: date, scope: Scope) -> dict:
    """Claims adjudicated and the share first denied, by count and by dollars, with 95% Wilson intervals."""
    counts = _scoped(
        "select count(*) as adjudicated, count(*) filter (where is_denied) as denied,"
        " coalesce(sum(charge_amount), 0) as charged, coalesce(sum(denied_charge_amount), 0) as denied_charges,"
        f" coalesce(sum(denied_charge_amount) filter (where is_preventable), 0) as preventable_charges {ADJUDICATED}",
        scope, {"as_of": as_of},
    ).row(0, named=True)
    return {
        **counts,
        **rate(counts["denied"], counts["adjudicated"]),
        "dollar_rate": float(counts["denied_charges"] / counts["charged"]) if counts["charged"] else None,
        "preventable_share": float(counts["preventable_charges"] / counts["denied_charges"]) if counts["denied_charges"] else None,
    }


def rate(successes: int, trials: int) -> dict:
    """A proportion with its 95% Wilson interval, flagged when the denominator is too small to trust."""
    return {
        "rate": successes / trials if trials else None,
        "interval": wilson_interval(successes, trials) if trials else None,
        "too_few": trials < MIN_CLAIMS_FOR_A_RATE,
    }


@serves("denials")
def denials_by_carc(as_of: date, scope: Scope) -> pl.DataFrame:
    """A Pareto of first-denial CARCs: denied dollars and claims, largest first, with the cumulative share of dollars."""
    return _scoped(
        "select carc_code, any_value(carc.description) as description, any_value(carc_category) as carc_category,"
        " count(*) as claim_count, sum(denied_charge_amount) as denied_amount,"
        " sum(sum(denied_charge_amount)) over (order by sum(denied_charge_amount) desc, carc_code) / sum(sum(denied_charge_amount)) over ()"
        " as cumulative_share"
        " from initial_adjudications left join ref_carc as carc on carc.code = carc_code"
        " where is_denied and adjudicated_date <= $as_of and SCOPE group by carc_code order by denied_amount desc, carc_code",
        scope, {"as_of": as_of},
    )


@serves("denials")
def denials_by_payer_and_category(as_of: date, scope: Scope) -> pl.DataFrame:
    """Denied dollars per payer and CARC category."""
    return _scoped(
        "select payer_name, coalesce(carc_category, 'unknown') as carc_category, count(*) as claim_count,"
        f" sum(denied_charge_amount) as denied_amount {ADJUDICATED} and is_denied group by all order by payer_name, carc_category",
        scope, {"as_of": as_of},
    )


@serves("denials")
def denial_trend(as_of: date, scope: Scope) -> pl.DataFrame:
    """Denied claims per month and CARC category, to see a spike."""
    return _scoped(
        "select adjudicated_month, coalesce(carc_category, 'unknown') as carc_category, count(*) as claim_count"
        f" {ADJUDICATED} and is_denied group by all order by adjudicated_month, carc_category",
        scope, {"as_of": as_of},
    )


@serves("denials")
def denials_by_procedure(as_of: date, scope: Scope, limit: int = 15) -> pl.DataFrame:
    """The procedure codes on first-denied claims that carry the most denied charges."""
    return _scoped(
        "select lines.procedure_code, count(distinct firsts.claim_record_id) as claim_count, sum(lines.charge) as denied_line_charges"
        " from (select * from initial_adjudications where is_denied and adjudicated_date <= $as_of and SCOPE) as firsts"
        " inner join claim_lines as lines on lines.claim_record_id = firsts.claim_record_id"
        " group by lines.procedure_code order by denied_line_charges desc, lines.procedure_code limit $limit",
        scope, {"as_of": as_of, "limit": limit},
    )


@serves("denials")
def denials_by_provider(as_of: date, scope: Scope) -> pl.DataFrame:
    """Each rendering provider's claims adjudicated, first denied and denied charges."""
    return _scoped(
        "select coalesce(rendering_npi, 'not on claim') as rendering_npi, count(*) as adjudicated,"
        " count(*) filter (where is_denied) as denied, sum(denied_charge_amount) as denied_amount"
        f" {ADJUDICATED} group by all order by denied_amount desc, rendering_npi",
        scope, {"as_of": as_of},
    )


@serves("denials")
def denial_remarks(as_of: date, scope: Scope) -> pl.DataFrame:
    """The remark codes (RARC) sent with first denials: what the payer said, on how many claims and dollars."""
    return _scoped(
        "select remarks.code as rarc_code, any_value(rarc.description) as description, count(distinct firsts.remit_claim_id) as claim_count,"
        " sum(firsts.denied_charge_amount) as denied_amount"
        " from (select * from initial_adjudications where is_denied and adjudicated_date <= $as_of and SCOPE) as firsts"
        " inner join (select distinct remit_claim_id, code from remit_remarks) as remarks on remarks.remit_claim_id = firsts.remit_claim_id"
        " left join ref_rarc as rarc on rarc.code = remarks.code"
        " group by remarks.code order by claim_count desc, rarc_code",
        scope, {"as_of": as_of},
    )


@serves("denials")
def denied_claims(as_of: date, scope: Scope) -> pl.DataFrame:
    """The first-denied claims behind the figures, largest first."""
    return _scoped(
        "select claim_id, payer_id, payer_name, rendering_npi, carc_code, carc_category, is_preventable, denied_charge_amount,"
        f" adjudicated_date, service_date_from {ADJUDICATED} and is_denied order by denied_charge_amount desc, claim_id",
        scope, {"as_of": as_of},
    )


@serves("overview")
def days_to_payment_by_payer(as_of: date, scope: Scope) -> pl.DataFrame:
    """Median days from first submission to first payment, over claims paid by the as-of date, by payer."""
    return _scoped(
        "select payer_name, count(*) as paid_claims, median(days_to_first_payment) as median_days_to_payment"
        " from payment_timelines where first_payment_date <= $as_of and SCOPE group by payer_name order by median_days_to_payment desc",
        scope, {"as_of": as_of},
    )


@serves("overview")
def claims_behind_figures(as_of: date, scope: Scope) -> pl.DataFrame:
    """The insurance claims the money figures add up: charge, payments, adjustments and balance of each, as of the date."""
    return _scoped(
        "select balances.claim_id, balances.payer_id, balances.payer_name, balances.service_date_from, balances.submitted_date,"
        " balances.charge_amount, balances.paid_to_date_amount, balances.contractual_amount,"
        " balances.patient_responsibility_amount, balances.balance_amount, balances.last_status_code"
        " from (select * from claim_balances($as_of) where SCOPE) as balances"
        " left join stg_reference__payer_rules as rules using (payer_id)"
        " where not coalesce(rules.is_self_pay, false) order by balances.balance_amount desc, balances.claim_id",
        scope, {"as_of": as_of},
    )


@serves("overview")
def kpi_benchmarks() -> dict[str, dict]:
    """Each headline figure's benchmark, better direction, label and source (etl/reference/kpi_benchmarks.csv)."""
    frame = _frame("select kpi, benchmark::double as benchmark, direction, label, source from ref_kpi_benchmarks")
    return {row["kpi"]: row for row in frame.iter_rows(named=True)}


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (scipy's binomtest)."""
    interval = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return interval.low, interval.high


@serves("overview")
def headline_figures(as_of: date, scope: Scope) -> dict:
    """The KPI figures of etl.reports.kpis as of a date for the claims in scope."""
    db = str(database.default_db_path())
    return _cached_kpis(db, _data_version(db), as_of, scope)


TREND_FIGURES = ["initial_denial_rate", "first_pass_resolution_rate", "net_collection_rate", "days_in_ar", "ar_over_90_share", "ar_over_120_share"]


@serves("overview")
def kpi_trend(as_of: date, scope: Scope, months: int = 12) -> pl.DataFrame:
    """The headline figures at each of the last month ends up to the as-of date, oldest first."""
    ends = [as_of]
    for _ in range(months - 1):
        ends.append(ends[-1].replace(day=1) - timedelta(days=1))
    rows = [headline_figures(end, scope) for end in reversed(ends)]
    return pl.DataFrame([{"as_of": date.fromisoformat(row["as_of"]), **{name: row[name] for name in TREND_FIGURES}} for row in rows])


@st.cache_data(max_entries=CACHED_RESULTS, show_spinner=False)
def _cached_kpis(db: str, version: tuple, as_of: date, scope: Scope) -> dict:
    with database.read_connection(db) as con:
        return kpis(con, as_of, scope)


# Claim drill-down: everything on file about one claim id, each row with the file and segment (or line) it came from.

@serves("claim")
def claim_submissions(claim_id: str) -> pl.DataFrame:
    """Every 837 or CSV submission of the claim id."""
    return _frame(
        "select claims.claim_record_id, claims.payer_id, claims.payer_name, claims.patient_key, claims.rendering_npi,"
        " claims.coder_id, claims.frequency_code, claims.service_date_from, claims.submitted_date, claims.charge_amount,"
        " files.path as source_file, claims.locator"
        " from stg_837__claims as claims inner join source_files as files using (file_id)"
        " where claims.claim_id = $claim_id order by claims.submitted_date, claims.claim_record_id",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_underpaid_lines(claim_id: str, as_of: date) -> pl.DataFrame:
    """The claim's paid lines allowed below the payer's usual rate; every claim's are read (and cached) once per date."""
    every_claim = _frame(
        "select claim_id, line_number, procedure_code, modifiers, units, allowed_amount, usual_allowed_per_unit,"
        " history_lines, expected_allowed_amount, shortfall_amount, locator from underpaid_lines($as_of)",
        {"as_of": as_of},
    )
    return every_claim.filter(pl.col("claim_id") == claim_id).drop("claim_id").sort("line_number")


@serves("claim")
def claim_lines(claim_id: str) -> pl.DataFrame:
    """The service lines of each submission."""
    return _frame(
        "select claim_record_id, line_number, procedure_code, array_to_string(modifiers, ':') as modifiers, revenue_code, units,"
        " charge, service_date, locator from claim_lines where claim_id = $claim_id order by claim_record_id, line_number",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_diagnoses(claim_id: str) -> pl.DataFrame:
    """The diagnoses of each submission, in position."""
    return _frame(
        "select claim_record_id, position, code, qualifier, locator from claim_diagnoses where claim_id = $claim_id"
        " order by claim_record_id, position",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_remittances(claim_id: str) -> pl.DataFrame:
    """Every 835 or CSV claim payment for the claim id, oldest first, with how it was matched."""
    return _frame(
        "select payments.remit_claim_id, payments.payment_date, payments.payer_id, payments.claim_status_code,"
        " status.description as status, payments.charge_amount, payments.paid_amount, payments.patient_responsibility_amount,"
        " payments.match_status, payments.trace_number, files.path as source_file, payments.locator"
        " from int_claim_payments__matched_to_claims as payments inner join source_files as files using (file_id)"
        " left join ref_claim_status_codes as status on status.code = payments.claim_status_code"
        " where payments.claim_id = $claim_id order by payments.payment_date, payments.remit_claim_id",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_adjustments(claim_id: str) -> pl.DataFrame:
    """Every CAS adjustment on the claim's remittances, with the CARC's description and category."""
    return _frame(
        "select adjustments.remit_claim_id, case when adjustments.remit_line_id is null then 'claim' else 'line' end as level,"
        " adjustments.group_code, adjustments.reason_code, carc.description, categories.carc_category, adjustments.amount,"
        " adjustments.quantity, files.path as source_file, adjustments.locator"
        " from remit_adjustments as adjustments"
        " inner join remit_claims as remits on remits.remit_claim_id = adjustments.remit_claim_id"
        " inner join source_files as files on files.file_id = adjustments.file_id"
        " left join ref_carc as carc on carc.code = adjustments.reason_code"
        " left join stg_reference__carc_categories as categories on categories.carc_code = adjustments.reason_code"
        " where remits.claim_id = $claim_id order by adjustments.remit_claim_id, adjustments.locator",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_remarks(claim_id: str) -> pl.DataFrame:
    """Every remark code (RARC) on the claim's remittances, with its description."""
    return _frame(
        "select remarks.remit_claim_id, remarks.code, rarc.description, remarks.source, files.path as source_file, remarks.locator"
        " from remit_remarks as remarks"
        " inner join remit_claims as remits on remits.remit_claim_id = remarks.remit_claim_id"
        " inner join source_files as files on files.file_id = remarks.file_id"
        " left join ref_rarc as rarc on rarc.code = remarks.code"
        " where remits.claim_id = $claim_id order by remarks.remit_claim_id, remarks.locator",
        {"claim_id": claim_id},
    )


@serves("claim")
def claim_balance_history(claim_id: str) -> pl.DataFrame:
    """The insurance balance after each submission and remittance date: claim_balances evaluated on that date."""
    return _frame(
        "with days as ("
        "  select submitted_date as day from stg_837__claims where claim_id = $claim_id"
        "  union select payment_date from int_claim_payments__matched_to_claims where claim_id = $claim_id and match_status = 'matched')"
        " select days.day as as_of, balances.payer_id, balances.paid_to_date_amount, balances.contractual_amount,"
        " balances.patient_responsibility_amount, balances.balance_amount"
        " from days, lateral (select * from claim_balances(days.day) where claim_id = $claim_id) as balances"
        " order by days.day, balances.payer_id",
        {"claim_id": claim_id},
    )


# Coder accuracy and audit samples.

@serves("coder_accuracy")
def coder_accuracy(scope: Scope) -> pl.DataFrame:
    """Per coder: claims and codes audited and right, with exact 95% intervals, and errors by type."""
    frame = _scoped("select * from coder_accuracy($payers, $providers, $basis, $start, $end) order by coder_id", scope)
    intervals = [
        (*exact_interval(claims_right, claims), *exact_interval(codes_right, codes))
        for claims_right, claims, codes_right, codes in frame.select("claims_correct", "claims_audited", "codes_correct", "codes_audited").iter_rows()
    ]
    bounds = pl.DataFrame(intervals, schema=["claim_low", "claim_high", "code_low", "code_high"], orient="row")
    return pl.concat([frame, bounds], how="horizontal").with_columns(
        claim_accuracy=pl.col("claims_correct") / pl.col("claims_audited"),
        code_accuracy=pl.col("codes_correct") / pl.col("codes_audited"),
        # judged on the interval, not the point: a small sample proves little either way
        against_target=pl.when(pl.col("claim_high") < ACCURACY_TARGET).then(pl.lit("below target"))
        .when(pl.col("claim_low") >= ACCURACY_TARGET).then(pl.lit("meets target"))
        .otherwise(pl.lit("not yet known: audit more claims")),
    )


@serves("coder_accuracy")
def coding_denial_rates(as_of: date, scope: Scope) -> pl.DataFrame:
    """Per coder: claims adjudicated and first denied for a coding reason (CARC category coding_bundling)."""
    frame = _scoped(
        "select coalesce(coder_id, 'unknown') as coder_id, count(*) as adjudicated,"
        " count(*) filter (where is_coding_denial) as coding_denials"
        " from coding_denials where adjudicated_date <= $as_of and SCOPE group by all order by coder_id",
        scope, {"as_of": as_of},
    )
    intervals = [exact_interval(denied, total) for denied, total in frame.select("coding_denials", "adjudicated").iter_rows()]
    return frame.with_columns(
        coding_denial_rate=pl.col("coding_denials") / pl.col("adjudicated"),
        low=pl.Series([low for low, _ in intervals], dtype=pl.Float64),
        high=pl.Series([high for _, high in intervals], dtype=pl.Float64),
    )


@serves("coder_accuracy")
def coding_denial_trend(as_of: date, scope: Scope) -> pl.DataFrame:
    """Coding-denial rate per coder and month of first adjudication."""
    return _scoped(
        "select adjudicated_month, coalesce(coder_id, 'unknown') as coder_id,"
        " count(*) filter (where is_coding_denial) / count(*) as coding_denial_rate"
        " from coding_denials where adjudicated_date <= $as_of and SCOPE group by all order by adjudicated_month, coder_id",
        scope, {"as_of": as_of},
    )


@serves("coder_accuracy")
def coder_choices() -> list[str]:
    """Every coder a claim names."""
    return _frame("select distinct coder_id from stg_837__claims where coder_id is not null order by coder_id")["coder_id"].to_list()


@serves("coder_accuracy")
def audit_universe_size(universe: Universe) -> int:
    """Claims in an audit universe."""
    params = {**universe.scope.params(), "coders": list(universe.coders), "families": list(universe.procedure_families)}
    return _frame(f"select count(*) as claims from ({UNIVERSE_SQL})", params)["claims"][0]


@serves("coder_accuracy")
def audit_samples() -> pl.DataFrame:
    """Every sample drawn, newest first, with how many of its claims auditors have reviewed."""
    return _frame(
        "select samples.sample_id, samples.drawn_at, samples.seed, samples.method, samples.allocation, samples.universe_size,"
        " samples.sample_size, count(audited.claim_id) as claims_audited"
        " from audit_samples as samples left join audit_sample_claims as drawn using (sample_id)"
        " left join audited_claims as audited using (claim_id) group by all order by samples.sample_id desc"
    )


@serves("coder_accuracy")
def audit_sample_results(sample_id: int) -> pl.DataFrame:
    """The sample's audited claims: stratum, N_h and the overpayment found."""
    return _frame(SAMPLE_RESULTS_SQL, {"sample_id": sample_id})


@serves("coder_accuracy")
def audit_worksheet(sample_id: int) -> pl.DataFrame:
    """The auditors' worksheet of a sample: every code of every sampled claim, findings blank."""
    return _frame(WORKSHEET_SQL, {"sample_id": sample_id})


# Reimbursement timelines.

@serves("timelines")
def payment_waits(as_of: date, scope: Scope) -> pl.DataFrame:
    """Per claim sent by the as-of date: days from submission to first payment, or to the as-of date if unpaid (censored)."""
    return _scoped(
        "select payer_id, payer_name, first_payment_date is not null and first_payment_date <= $as_of as is_paid,"
        " case when first_payment_date <= $as_of then days_to_first_payment else $as_of - submitted_date end as days"
        " from payment_timelines where submitted_date <= $as_of and SCOPE",
        scope, {"as_of": as_of},
    )


@serves("timelines")
def stage_lags(as_of: date, scope: Scope) -> pl.DataFrame:
    """Per claim: charge lag, adjudication lag and first remittance to final payment, each once it has happened."""
    return _scoped(
        "select payer_name, date_trunc('month', submitted_date)::date as submitted_month, charge_lag_days,"
        " case when first_remit_date <= $as_of then adjudication_days end as adjudication_days,"
        " case when final_payment_date <= $as_of then first_remit_to_final_payment_days end as first_remit_to_final_payment_days"
        " from payment_timelines where submitted_date <= $as_of and SCOPE",
        scope, {"as_of": as_of},
    )


@serves("timelines")
def stage_lag_trend(as_of: date, scope: Scope) -> pl.DataFrame:
    """Median of each stage lag per month of submission."""
    return _scoped(
        "select date_trunc('month', submitted_date)::date as submitted_month,"
        " median(charge_lag_days) as charge_lag,"
        " median(adjudication_days) filter (where first_remit_date <= $as_of) as adjudication,"
        " median(first_remit_to_final_payment_days) filter (where final_payment_date <= $as_of) as first_remit_to_final_payment"
        " from payment_timelines where submitted_date <= $as_of and SCOPE group by all order by submitted_month",
        scope, {"as_of": as_of},
    )


@serves("timelines")
def time_to_payment(as_of: date, scope: Scope) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per payer: the Kaplan–Meier summary beside the naive average over paid claims only, and the curves' points."""
    return _cached_time_to_payment(payment_waits(as_of, scope))


@st.cache_data(max_entries=CACHED_RESULTS, show_spinner=False)
def _cached_time_to_payment(waits: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    summaries, points = [], []
    for (payer_name,), claims in waits.group_by("payer_name", maintain_order=True):
        curve = kaplan_meier(claims["days"].to_numpy(), claims["is_paid"].to_numpy())
        paid_days = claims.filter("is_paid")["days"]
        summaries.append({
            "payer_name": payer_name, "claims": len(claims), "paid": len(paid_days), "censored": len(claims) - len(paid_days),
            **curve_summary(curve),
            "naive_mean_days_paid_only": float(paid_days.mean()) if len(paid_days) else None,
        })
        points.append(curve_points(curve).with_columns(payer_name=pl.lit(payer_name)))
    if not summaries:
        return pl.DataFrame(), pl.DataFrame()
    return pl.DataFrame(summaries).sort("payer_name"), pl.concat(points)


@serves("timelines")
def forecast_claims(as_of: date, scope: Scope) -> pl.DataFrame:
    """Open insurance claims not yet paid anything, with the amount expected: balance × the payer's paid-to-charge
    ratio on the claims it has paid."""
    return _scoped(
        "with balances as (select * from claim_balances($as_of) where SCOPE),"
        " yields as (select payer_id, sum(paid_to_date_amount) / sum(charge_amount) as payer_yield"
        "   from balances where paid_to_date_amount > 0 group by payer_id)"
        " select balances.payer_id, $as_of - balances.first_submitted_date as days_outstanding, balances.balance_amount,"
        " (balances.balance_amount * coalesce(yields.payer_yield, 0))::double as expected_amount"
        " from balances left join yields using (payer_id)"
        " left join stg_reference__payer_rules as rules using (payer_id)"
        " where balances.balance_amount > 0 and balances.paid_to_date_amount = 0 and not coalesce(rules.is_self_pay, false)",
        scope, {"as_of": as_of},
    )


@serves("timelines")
def cash_forecast(as_of: date, scope: Scope) -> pl.DataFrame:
    """Cash expected in the next 30, 60 and 90 days from open unpaid claims, each payer's curve conditioned on the
    days a claim has already waited, with a 90% band."""
    return _cached_forecast(payment_waits(as_of, scope), forecast_claims(as_of, scope))


@st.cache_data(max_entries=CACHED_RESULTS, show_spinner=False)
def _cached_forecast(waits: pl.DataFrame, open_claims: pl.DataFrame) -> pl.DataFrame:
    curves = {payer_id: kaplan_meier(claims["days"].to_numpy(), claims["is_paid"].to_numpy())
              for (payer_id,), claims in waits.group_by("payer_id")}
    return pl.DataFrame([forecast(open_claims, curves, horizon) for horizon in HORIZONS])


@serves("phi")
def patient_identities(patient_keys: tuple[str, ...]) -> pl.DataFrame:
    """Names and member ids for these patients: PHI, for roles that work claims with the patient."""
    return _frame(
        "select patient_key, last_name || ', ' || first_name as patient_name, member_id from patients"
        " where list_contains($keys, patient_key)",
        {"keys": list(patient_keys)},
    )


@serves("audit_log")
def audit_entries(since: date, user_name: str | None) -> pl.DataFrame:
    """Audit log entries, newest first; never cached, since every page view adds one."""
    return _uncached_frame(audit_trail.ENTRIES_SQL, {"since": since, "user_name": user_name})


@serves("audit_log")
def audit_chain_break() -> int | None:
    """The first audit entry whose hash chain does not hold, or None."""
    with database.read_connection(database.default_db_path()) as con:
        return audit_trail.verify(con)


@serves("audit_log")
def accounts() -> pl.DataFrame:
    """The local accounts (never their hashes)."""
    return pl.DataFrame(local_accounts.list_users(local_accounts.users_file(database.default_db_path())),
                        schema={"name": pl.String, "role": pl.String, "disabled": pl.Boolean, "changed_at": pl.String})
