"""Point a database at a Parquet lake, so the dashboard and the CLI read claims, remittances and the ledger that
Spark wrote (etl/spark) through DuckDB views over its files, and keep the biller's and auditor's own tables local."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import db as database
from etl import ledger
from etl.lake import LakeError, lake_select, read_manifest

# What files bring (the loader's tables) and what is derived from them (the ledger): read from the lake. The rest is
# written by people through the dashboard or the CLI (work items, appeals, audit samples, the audit log, code lists)
# and stays in the database. ledger_refresh_claims is the loader's scratch list, never data.
FROM_FILES = (
    "source_files", "patients", "claims", "claim_lines", "claim_diagnoses", "claim_other_payers", "claim_line_other_payments",
    "remit_payments", "remit_claims", "remit_service_lines", "remit_adjustments", "remit_remarks", "provider_adjustments",
    "balancing_issues", "quarantine", "load_warnings", "claim_coders", "coding_audits", "fee_schedules",
)
LEDGER = tuple(name for name in database.ledger_table_names() if name != "ledger_refresh_claims")


@dataclass(frozen=True)
class Attachment:
    """What `attach_lake` did: each table read from the lake with its rows, and whether DuckDB derived the ledger
    because the lake had none."""

    tables: dict[str, int]
    ledger_derived_here: bool


def attach_lake(folder: Path | str, db: Path | str) -> Attachment:
    """Make each of the lake's file and ledger tables a view over the files its manifest lists, in one transaction;
    again after a new Spark run, to read its files. A lake without a ledger gets one derived here."""
    folder = Path(folder).resolve()
    manifest = read_manifest(folder)
    missing = [name for name in FROM_FILES if name not in manifest["tables"]]
    if "claims" in missing or "remit_claims" in missing:
        raise LakeError(f"{folder}: the lake has no {' or '.join(n for n in ('claims', 'remit_claims') if n in missing)} table")
    with database.write_connection(db) as con:
        con.execute("begin transaction")
        for name in (*FROM_FILES, *LEDGER):
            if name in manifest["tables"]:
                if database.object_type(con, name) == "BASE TABLE":
                    con.execute(f"drop table {name}")
                con.execute(f"create or replace view {name} as {lake_select(folder, name, manifest['tables'][name])}")
        ledger_derived_here = database.object_type(con, "claim_events") == "BASE TABLE"
        built_by = None if ledger_derived_here else database.scalar(con, "select max(version) from ledger_versions")
        if built_by is not None and built_by != ledger.LEDGER_VERSION:
            raise LakeError(f"{folder}: its ledger was built by rules of version {built_by}, this release's are version "
                            f"{ledger.LEDGER_VERSION}: build it again with claimscope spark marts")
        con.execute("commit")
        if ledger_derived_here:
            ledger.rebuild(con)
        counts = {name: database.scalar(con, f"select count(*) from {name}")
                  for name in (*FROM_FILES, *LEDGER) if database.object_type(con, name) == "VIEW"}
    return Attachment(counts, ledger_derived_here)


def reads_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this database reads its claims from a lake (attach_lake): files go to the lake, not into it."""
    return database.object_type(con, "claims") == "VIEW"
