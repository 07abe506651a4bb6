"""Keep the claim ledger (claim_events, claim_states, remit_line_matches, claim_paid_lines) and the monthly A/R facts
current: re-derive the claims a file touches inside the load's own transaction, or every claim for `claimscope rebuild`.
A refresh that settles a claim a biller is working resolves its work item too (etl/work/items.py)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from etl.db import object_type, scalar
from etl.work import items

# The ledger tables the int_ledger__* models fill, each from the model of the same name.
DERIVED_TABLES = {
    "claim_events": "int_ledger__claim_events",
    "remit_line_matches": "int_ledger__line_matches",  # reads the claim_events just written
    "claim_paid_lines": "int_ledger__paid_lines",
    "claim_states": "int_ledger__claim_states",  # last: it reads the claim_events just written
}

# Models more than one ledger table reads, each derived once per refresh (_replace_rows).
SHARED_MODELS = ("int_ledger__adjustments",)

# Each claim's contribution to the A/R snapshot at a period end: open A/R by payer, provider and aging bucket (by date
# of service, as the KPIs age it), and the charges served in the 90 days to the period end (the days-in-A/R base).
# `{states}` is claim_states or the refreshed claims' rows of it, `{ends}` a relation of period_end dates.
CONTRIBUTIONS_SQL = """
    with by_age as (
        select
            ends.period_end as month_end,
            states.payer_id,
            states.rendering_npi,
            ends.period_end - states.service_date_from as age_in_days,
            count(*) as claim_count,
            count(*) filter (where states.balance_amount > 0) as open_claim_count,
            coalesce(sum(states.balance_amount) filter (where states.balance_amount > 0), 0) as balance_amount,
            coalesce(sum(states.charge_amount) filter (
                where states.service_date_from > ends.period_end - {charge_window} and states.service_date_from <= ends.period_end
            ), 0) as recent_charge_amount
        from {states} as states
        inner join {ends} as ends
            on states.valid_from <= ends.period_end and (states.valid_to is null or states.valid_to > ends.period_end)
        where states.is_insurance
            and (states.balance_amount > 0
                 or (states.service_date_from > ends.period_end - {charge_window} and states.service_date_from <= ends.period_end))
        group by all
    )
    -- bucketed after grouping by age: the bucket lookup runs once per age, not once per claim
    select
        month_end,
        payer_id,
        rendering_npi,
        aging_bucket(age_in_days) as aging_bucket,
        sum(claim_count)::bigint as claim_count,
        sum(open_claim_count)::bigint as open_claim_count,
        sum(balance_amount)::decimal(18, 2) as balance_amount,
        sum(recent_charge_amount)::decimal(18, 2) as recent_charge_amount
    from by_age
    group by all
"""
CHARGE_WINDOW_DAYS = 90
REFRESHED_STATES = "(select claim_states.* from ledger_refresh_claims inner join claim_states using (claim_id))"
STORED_MONTHS = "(select month_end as period_end from ledger_months)"

# Each primary paid line's place in the rate history underpaid_lines reads. `{lines}` is claim_paid_lines or the
# refreshed claims' rows of it.
RATES_SQL = """
    select payer_id, procedure_code, modifiers, payment_date,
        round(allowed_amount / units, 2)::decimal(18, 2) as allowed_per_unit, count(*) as line_count
    from {lines}
    where allowed_amount > 0
    group by all
"""
REFRESHED_LINES = "(select claim_paid_lines.* from ledger_refresh_claims inner join claim_paid_lines using (claim_id))"

# The month ends from the month of the first claim state to the month of the latest event that ledger_months lacks.
NEW_MONTHS_SQL = """
    with span as (
        select (select min(valid_from) from claim_states) as first_day, (select max(event_date) from claim_events) as last_day
    )
    select (date_trunc('month', day) + interval 1 month - interval 1 day)::date as period_end
    from span, range(date_trunc('month', span.first_day), span.last_day + interval 1 day, interval 1 month) as months(day)
    where span.first_day is not null
    except
    select month_end from ledger_months
"""

# A claim replaced or voided under another claim id changes when its replacement is sent: refresh it too.
REPLACED_CLAIMS_SQL = """
    insert into ledger_refresh_claims
    select distinct replacements.replaced_claim_id
    from int_claims__replaced_by_control_number as replacements
    where replacements.claim_id in (select claim_id from ledger_refresh_claims)
        and replacements.replaced_claim_id not in (select claim_id from ledger_refresh_claims)
"""

# The summed tables: their key and their measures.
SUMMED = {
    "monthly_ar": (("month_end", "payer_id", "rendering_npi", "aging_bucket"),
                   ("claim_count", "open_claim_count", "balance_amount", "recent_charge_amount")),
    "paid_line_rates": (("payer_id", "procedure_code", "modifiers", "payment_date", "allowed_per_unit"), ("line_count",)),
}


# Bumped whenever a derivation changes what the ledger holds (2: replacements and voids close claims, line ties;
# 3: paid lines keep their service date and place of service, for fee schedules; 4: a remittance after the first says
# whether it corrects a reversal, recoups or pays later, and a service line that lost its claim line to a better tie
# is tried on the lines still free); a write connection to a database whose ledger an older
# release built rebuilds it (derive_if_missing).
LEDGER_VERSION = 4

# A rebuild derives the claims a part at a time, so its peak memory is a part's, not the whole database's.
REBUILD_PARTS = 4


def refresh(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> None:
    """Re-derive the ledger rows of these claim ids and fold the change into the summed tables; the caller's
    transaction holds it all, so a load killed midway leaves the ledger as it was."""
    ids = sorted(set(claim_ids))
    if not ids:
        return
    con.execute("delete from ledger_refresh_claims")
    con.execute("insert into ledger_refresh_claims select unnest($ids::varchar[])", {"ids": ids})
    con.execute(REPLACED_CLAIMS_SQL)
    # the refreshed claims' old contribution goes, their rows are derived anew, and the new contribution comes in
    _add_contributions(con, REFRESHED_STATES, STORED_MONTHS, sign=-1)
    _add(con, "paid_line_rates", RATES_SQL.format(lines=REFRESHED_LINES), sign=-1)
    items.note_open_items(con)
    _replace_rows(con)
    items.resolve_settled(con)
    _add_contributions(con, REFRESHED_STATES, STORED_MONTHS, sign=1)
    _add(con, "paid_line_rates", RATES_SQL.format(lines=REFRESHED_LINES), sign=1)
    _add_new_months(con)
    con.execute("delete from ledger_refresh_claims")


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Derive every ledger table and the summed tables anew from the raw tables, in one transaction."""
    con.execute("begin transaction")
    try:
        for table in (*DERIVED_TABLES, *SUMMED, "ledger_months", "ledger_refresh_claims"):
            con.execute(f"delete from {table}")
        for part in range(REBUILD_PARTS):
            con.execute(
                "insert into ledger_refresh_claims select claim_id"
                " from (select claim_id from claims union select claim_id from remit_claims)"
                " where hash(claim_id) % $parts = $part",
                {"parts": REBUILD_PARTS, "part": part},
            )
            _replace_rows(con)
            con.execute("delete from ledger_refresh_claims")
        _add(con, "paid_line_rates", RATES_SQL.format(lines="claim_paid_lines"), sign=1)
        _add_new_months(con)
        con.execute("delete from ledger_versions")
        con.execute("insert into ledger_versions values (?, now()::timestamp)", [LEDGER_VERSION])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def derive_if_missing(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild when the raw tables hold claims or payments but the ledger holds nothing (a database loaded before the
    ledger existed, or a first load that derives it at its end, and one killed before it could), or when an older
    release's rules built it."""
    if object_type(con, "claim_events") == "VIEW":
        return  # the ledger is a lake's (etl/lake_attach.py), built where its files were: never derived here
    stale = f"coalesce((select max(version) from ledger_versions), 1) <> {LEDGER_VERSION}"
    if scalar(con, f"select (exists (from claims) or exists (from remit_claims)) and (not exists (from claim_events) or {stale})"):
        rebuild(con)


def _replace_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the ledger rows of the claims listed in ledger_refresh_claims with rows derived anew."""
    # What more than one ledger table reads (the refreshed claims' CAS, then their events) is derived once, into a
    # temp table of the same name that stands in for the view or the whole table while the rest are derived (DuckDB
    # resolves a temp table before the database's own): each then reads a few thousand rows instead of every claim's.
    # The database's own tables are named with their catalog, since `main.` alone would find the temp catalog's first.
    own = '"' + scalar(con, "select current_database()").replace('"', '""') + '".main'
    for table in DERIVED_TABLES:
        con.execute(f"delete from {own}.{table} where claim_id in (select claim_id from ledger_refresh_claims)")
    (events_table, events_model), *rest = DERIVED_TABLES.items()
    try:
        for model in SHARED_MODELS:
            con.execute(f"create or replace temp table {model} as select * from {own}.{model}")
        con.execute(f"create or replace temp table {events_table} as select * from {events_model}")
        con.execute(f"insert into {own}.{events_table} by name select * from temp.main.{events_table}")
        for table, model in rest:
            con.execute(f"insert into {own}.{table} by name select * from {model}")
    finally:
        for name in (*SHARED_MODELS, events_table):
            con.execute(f"drop table if exists temp.main.{name}")


def _add_new_months(con: duckdb.DuckDBPyConnection) -> None:
    """Month ends from the first state to the month of the latest event that monthly_ar does not hold yet: every
    claim's snapshot at each of them."""
    con.execute(f"create or replace temp table new_months as {NEW_MONTHS_SQL}")
    con.execute("insert into ledger_months select period_end from new_months")
    _add_contributions(con, "claim_states", "new_months", sign=1)


def _add_contributions(con: duckdb.DuckDBPyConnection, states: str, ends: str, sign: int) -> None:
    """Add (or, with sign -1, take away) the states' A/R contributions at these period ends to monthly_ar."""
    _add(con, "monthly_ar", CONTRIBUTIONS_SQL.format(states=states, ends=ends, charge_window=CHARGE_WINDOW_DAYS), sign)


def _add(con: duckdb.DuckDBPyConnection, table: str, rows_sql: str, sign: int) -> None:
    """Add the rows' measures, times sign, to the summed table's rows of the same key; a key summing to nothing goes."""
    key_columns, measures = SUMMED[table]
    key = ", ".join(key_columns)
    signed = ", ".join(f"{sign} * {name} as {name}" for name in measures)
    summed = ", ".join(f"sum({name})::{'decimal(18, 2)' if name.endswith('amount') else 'bigint'} as {name}" for name in measures)
    matches = " and ".join(f"delta.{name} is not distinct from {table}.{name}" for name in key_columns)
    con.execute(f"create or replace temp table summed_delta as select {key}, {signed} from ({rows_sql})")
    con.execute(f"""
        create or replace temp table summed_merged as
        select {key}, {summed}
        from (
            select {table}.* from {table} where exists (select 1 from summed_delta as delta where {matches})
            union all by name
            select * from summed_delta
        )
        group by all
    """)
    con.execute(f"delete from {table} where exists (select 1 from summed_delta as delta where {matches})")
    con.execute(f"insert into {table} by name select * from summed_merged where {measures[0]} <> 0")
