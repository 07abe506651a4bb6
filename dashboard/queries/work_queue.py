"""Queries of the Work queue: the cached worklist joined with the work items, appeals and history read fresh on every
run, so a biller's change shows at once without re-deriving a single balance."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.permissions import serves
from dashboard.queries.cache import library, uncached
from etl import db as database
from etl.access.accounts import users_file
from etl.reports.formats import interval_note
from etl.reports.scope import Scope
from etl.reports.worklist import worklist_rows
from etl.work import appeals, items, queue


@serves("work_queue")
def worklist(as_of: date, scope: Scope) -> pl.DataFrame:
    """The insurance worklist as of a date, highest priority first (etl/reports/worklist.py); the Late payments page
    reads the same cached rows."""
    return library(worklist_rows)(as_of, scope)


@serves("work_queue")
def work_queue(as_of: date, scope: Scope, filters: queue.QueueFilters, user: str) -> pl.DataFrame:
    """The queue of one view as the filters narrow and sort it: the same rows `claimscope work list` prints."""
    work, latest = uncached(lambda con: (queue.work_items(con), queue.latest_appeals(con, as_of)))
    return queue.narrowed(queue.with_work(worklist(as_of, scope), work, latest), filters, user, as_of)


@serves("work_queue")
def work_categories(as_of: date, scope: Scope) -> list[str]:
    """The work categories on the worklist (no response, partial payment, underpayment, each denial category)."""
    return sorted(worklist(as_of, scope)["work_category"].unique().drop_nulls().to_list())


@serves("work_queue")
def work_history(claim_id: str) -> pl.DataFrame:
    """The claim's work history, oldest first, notes beside the changes that added them."""
    return uncached(lambda con: items.history(con, claim_id))


@serves("work_queue")
def appeal_outcomes(as_of: date) -> pl.DataFrame:
    """Every appeal sent by the date with its outcome as known then."""
    return uncached(lambda con: appeals.outcomes(con, as_of))


@serves("work_queue")
def appeal_overturn_rates(as_of: date) -> pl.DataFrame:
    """Per payer, by name, and denial category: the appeals decided by the date, how many were overturned, the rate
    and its 95% interval in words (etl.work.appeals.overturn_rates)."""
    rates = appeals.overturn_rates(appeal_outcomes(as_of))
    names = uncached(lambda con: con.sql("select payer_id, payer_name from payers").pl())
    return rates.join(names, on="payer_id", how="left").select(
        pl.coalesce("payer_name", "payer_id").alias("payer_name"), "denial_category", "decided_appeals", "overturned_appeals",
        "overturn_rate",
        pl.struct("overturn_rate", "interval_low", "interval_high", "too_few").map_elements(
            lambda rate: interval_note({"rate": rate["overturn_rate"], "interval": (rate["interval_low"], rate["interval_high"]),
                                        "too_few": rate["too_few"]}).replace("claims", "appeals"),
            return_dtype=pl.String).alias("interval"),
    ).sort("payer_name", "denial_category")


@serves("work_queue")
def latest_appeal_id(claim_id: str, as_of: date) -> int:
    """The id of the claim's latest appeal sent by the date."""
    return int(appeal_outcomes(as_of).filter(pl.col("claim_id") == claim_id)["appeal_id"].max())


@serves("work_queue")
def assignable_users() -> list[str]:
    """The active accounts that work the queue; empty in demo mode, which has none."""
    return items.assignable_users(users_file(database.default_db_path()))
