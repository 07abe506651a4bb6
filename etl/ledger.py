"""Keep the claim ledger (claim_events, claim_states, remit_line_matches, claim_paid_lines) and the monthly A/R facts
current: re-derive the claims a file touches inside the load's own transaction, or every claim for `claimscope rebuild`.
A refresh that settles a claim a biller is working resolves its work item too (etl/work/items.py)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from etl.duck import object_type, scalar
from etl.measures import CHARGE_WINDOW_DAYS
from etl.sql_files import statement
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

# The ledger's statements, one a file named for what it is; this module only orders and runs them.
STATEMENTS = "ledger/statements"

# The summed tables: their key and their measures.
SUMMED = {
    "monthly_ar": (("month_end", "payer_id", "rendering_npi", "aging_bucket"),
                   ("claim_count", "open_claim_count", "balance_amount", "recent_charge_amount")),
    "paid_line_rates": (("payer_id", "procedure_code", "modifiers", "payment_date", "allowed_per_unit"), ("line_count",)),
}


# Bumped whenever a derivation changes what the ledger holds (2: replacements and voids close claims, line ties;
# 3: paid lines keep their service date and place of service, for fee schedules; 4: a remittance after the first says
# whether it corrects a reversal, recoups or pays later, and a service line that lost its claim line to a better tie
# is tried on the lines still free; 5: a paid line's allowed amount per unit is rounded half up exactly, not through a
# DOUBLE, and a line without units has no rate); a write connection to a database whose ledger an older
# release built rebuilds it (derive_if_missing).
LEDGER_VERSION = 5

# A rebuild derives the claims a part at a time, so its peak memory is a part's, not the whole database's.
REBUILD_PARTS = 4


def refresh(con: duckdb.DuckDBPyConnection, claim_ids: Iterable[str]) -> None:
    """Re-derive the ledger rows of these claim ids and fold the change into the summed tables; the caller's
    transaction holds it all, so a load killed midway leaves the ledger as it was."""
    ids = sorted(set(claim_ids))
    if not ids:
        return
    con.execute(_statement("clear_refresh_claims"))
    con.execute(_statement("add_refresh_claims"), {"ids": ids})
    con.execute(_statement("add_replaced_claims"))
    # the refreshed claims' old contribution goes, their rows are derived anew, and the new contribution comes in
    _add_contributions(con, _relation("refreshed_states"), _relation("stored_months"), sign=-1)
    _add(con, "paid_line_rates", _statement("rate_counts", lines=_relation("refreshed_lines")), sign=-1)
    items.note_open_items(con)
    _replace_rows(con)
    items.resolve_settled(con)
    _add_contributions(con, _relation("refreshed_states"), _relation("stored_months"), sign=1)
    _add(con, "paid_line_rates", _statement("rate_counts", lines=_relation("refreshed_lines")), sign=1)
    _add_new_months(con)
    con.execute(_statement("clear_refresh_claims"))


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Derive every ledger table and the summed tables anew from the raw tables, in one transaction."""
    con.execute("begin transaction")
    try:
        for table in (*DERIVED_TABLES, *SUMMED, "ledger_months", "ledger_refresh_claims"):
            con.execute(_statement("clear_table", table=table))
        for part in range(REBUILD_PARTS):
            con.execute(_statement("add_rebuild_part", claims=_statement("all_claims")), {"parts": REBUILD_PARTS, "part": part})
            _replace_rows(con)
            con.execute(_statement("clear_refresh_claims"))
        _add(con, "paid_line_rates", _statement("rate_counts", lines="claim_paid_lines"), sign=1)
        _add_new_months(con)
        con.execute(_statement("clear_table", table="ledger_versions"))
        con.execute(_statement("stamp_version"), {"version": LEDGER_VERSION})
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
    if scalar(con, _statement("needs_rebuild"), {"version": LEDGER_VERSION}):
        rebuild(con)


def _replace_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the ledger rows of the claims listed in ledger_refresh_claims with rows derived anew."""
    # What more than one ledger table reads (the refreshed claims' CAS, then their events) is derived once, into a
    # temp table of the same name that stands in for the view or the whole table while the rest are derived (DuckDB
    # resolves a temp table before the database's own): each then reads a few thousand rows instead of every claim's.
    # The database's own tables are named with their catalog, since `main.` alone would find the temp catalog's first.
    own = '"' + scalar(con, _statement("current_database")).replace('"', '""') + '".main'
    for table in DERIVED_TABLES:
        con.execute(_statement("delete_refreshed_rows", table=f"{own}.{table}"))
    (events_table, events_model), *rest = DERIVED_TABLES.items()
    try:
        for model in SHARED_MODELS:
            con.execute(_statement("copy_to_temp", name=model, source=f"{own}.{model}"))
        con.execute(_statement("copy_to_temp", name=events_table, source=events_model))
        con.execute(_statement("insert_rows", table=f"{own}.{events_table}", source=f"temp.main.{events_table}"))
        for table, model in rest:
            con.execute(_statement("insert_rows", table=f"{own}.{table}", source=model))
    finally:
        for name in (*SHARED_MODELS, events_table):
            con.execute(_statement("drop_temp_table", name=name))


def _add_new_months(con: duckdb.DuckDBPyConnection) -> None:
    """Month ends from the first state to the month of the latest event that monthly_ar does not hold yet: every
    claim's snapshot at each of them."""
    con.execute(_statement("copy_to_temp", name="new_months", source=_relation("new_months")))
    con.execute(_statement("add_months"))
    _add_contributions(con, "claim_states", "new_months", sign=1)


def _add_contributions(con: duckdb.DuckDBPyConnection, states: str, ends: str, sign: int) -> None:
    """Add (or, with sign -1, take away) the states' A/R contributions at these period ends to monthly_ar."""
    _add(con, "monthly_ar", _statement("contributions", states=states, ends=ends, charge_window=CHARGE_WINDOW_DAYS), sign)


def _add(con: duckdb.DuckDBPyConnection, table: str, rows_sql: str, sign: int) -> None:
    """Add the rows' measures, times sign, to the summed table's rows of the same key; a key summing to nothing goes."""
    key_columns, measures = SUMMED[table]
    key = ", ".join(key_columns)
    signed = ", ".join(f"{sign} * {name} as {name}" for name in measures)
    summed = ", ".join(f"sum({name})::{'decimal(18, 2)' if name.endswith('amount') else 'bigint'} as {name}" for name in measures)
    matches = " and ".join(f"delta.{name} is not distinct from {table}.{name}" for name in key_columns)
    con.execute(_statement("summed_delta", key=key, signed=signed, rows=rows_sql))
    con.execute(_statement("summed_merged", key=key, summed=summed, table=table, matches=matches))
    con.execute(_statement("delete_summed_keys", table=table, matches=matches))
    con.execute(_statement("insert_summed", table=table, first_measure=measures[0]))


def _statement(name: str, /, **fills: object) -> str:
    """One of the ledger's statements (sql/ledger/statements), its placeholders filled."""
    return statement(f"{STATEMENTS}/{name}", **fills)


def _relation(name: str) -> str:
    """A ledger statement that is a query, as a relation another statement reads from."""
    return f"({_statement(name)})"
