"""The work queue: the worklist with each claim's work item and latest appeal beside it, narrowed to a view and
filters and sorted. The one function the dashboard's queue page and `claimscope work list` both call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from etl.reports.scope import Scope
from etl.reports.worklist import worklist_rows
from etl.work.appeals import outcomes
from etl.work.items import OPEN_STATUSES

VIEWS = {"mine": "My queue", "unassigned": "Unassigned", "team": "Team"}
FOLLOW_UPS = {"any": "Any", "due": "Due today or overdue", "later": "Later", "none": "None set"}
PAY_DATES = {"any": "Any", "due": "Past the expected pay date", "not_yet_due": "Not yet due"}
# The sorts a biller can choose; the export follows the same order. The first is the worklist's own ranking.
SORTS = {
    "priority": ("Priority (due first)", [], []),
    "balance": ("Balance, largest first", ["balance_amount", "claim_id"], [True, False]),
    "deadline": ("Deadline, soonest first", ["deadline_days_left", "claim_id"], [False, False]),
    "follow_up": ("Follow-up date, earliest first", ["follow_up_date", "claim_id"], [False, False]),
    "age": ("Days outstanding, oldest first", ["days_outstanding", "claim_id"], [True, False]),
}
ITEM_COLUMNS = {"owner_name": pl.String, "status": pl.String, "follow_up_date": pl.Date, "status_reason": pl.String}
ITEM_AND_NOTE_COLUMNS = {**ITEM_COLUMNS, "latest_note": pl.String}
APPEAL_COLUMNS = {"appeal_level": pl.String, "appeal_sent_date": pl.Date, "decision_due_date": pl.Date,
                  "appeal_outcome": pl.String}


@dataclass(frozen=True)
class QueueFilters:
    """What the biller narrowed the queue to; an empty tuple means every value."""
    view: str = "mine"
    statuses: tuple[str, ...] = OPEN_STATUSES
    owners: tuple[str, ...] = ()
    aging_buckets: tuple[str, ...] = ()
    work_categories: tuple[str, ...] = ()
    follow_up: str = "any"
    pay_date: str = "any"
    sort: str = "priority"


def queue_rows(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope, filters: QueueFilters, user: str) -> pl.DataFrame:
    """The queue as of a date for the claims in scope, as the filters narrow and sort it."""
    return narrowed(with_work(worklist_rows(con, as_of, scope), work_items(con), latest_appeals(con, as_of)),
                    filters, user, as_of)


def work_items(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Each work item's owner, status, follow-up date, the reason claimscope gave for its status, and its latest note."""
    return con.sql(
        f"select items.claim_id, {', '.join('items.' + name for name in ITEM_COLUMNS)}, notes.note_text as latest_note"
        " from work_items as items left join (select claim_id, arg_max(note_text, note_id) as note_text"
        " from work_item_notes group by claim_id) as notes using (claim_id)"
    ).pl()


def latest_appeals(con: duckdb.DuckDBPyConnection, as_of: date) -> pl.DataFrame:
    """Each claim's latest appeal sent by the date: level, sent, decision due, outcome as known then."""
    latest = outcomes(con, as_of).sort("sent_date", "appeal_id").group_by("claim_id", maintain_order=True).last()
    return latest.select("claim_id", "appeal_level", pl.col("sent_date").alias("appeal_sent_date"), "decision_due_date",
                         pl.col("outcome").alias("appeal_outcome"))


def with_work(worklist: pl.DataFrame, work: pl.DataFrame, appeals: pl.DataFrame) -> pl.DataFrame:
    """The worklist with each claim's work item (new and unassigned when it has none) and latest appeal."""
    work = work.select("claim_id", *(pl.col(name).cast(dtype) for name, dtype in ITEM_AND_NOTE_COLUMNS.items()))
    appeals = appeals.select("claim_id", *(pl.col(name).cast(dtype) for name, dtype in APPEAL_COLUMNS.items()))
    return (
        worklist.join(work, on="claim_id", how="left", maintain_order="left")
        .join(appeals, on="claim_id", how="left", maintain_order="left")
        .with_columns(pl.col("status").fill_null("new"))
    )


def narrowed(queue: pl.DataFrame, filters: QueueFilters, user: str, as_of: date) -> pl.DataFrame:
    """The rows of one view (mine, unassigned, team) that pass the filters, in the chosen order."""
    view = {"mine": pl.col("owner_name") == user, "unassigned": pl.col("owner_name").is_null(), "team": pl.lit(True)}
    keep = [view[filters.view]]
    for column, chosen in (("status", filters.statuses), ("owner_name", filters.owners),
                           ("aging_bucket", filters.aging_buckets), ("work_category", filters.work_categories)):
        if chosen:
            keep.append(pl.col(column).is_in(list(chosen)))
    follow_up = {
        "any": pl.lit(True),
        "due": pl.col("follow_up_date") <= as_of,
        "later": pl.col("follow_up_date") > as_of,
        "none": pl.col("follow_up_date").is_null(),
    }
    keep.append(follow_up[filters.follow_up])
    pay_date = {"any": pl.lit(True), "due": ~pl.col("is_not_yet_due"), "not_yet_due": pl.col("is_not_yet_due")}
    keep.append(pay_date[filters.pay_date])
    rows = queue.filter(pl.all_horizontal(keep).fill_null(False))
    _, columns, descending = SORTS[filters.sort]
    return rows.sort(columns, descending=descending, nulls_last=True, maintain_order=True) if columns else rows
