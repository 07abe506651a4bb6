"""`claimscope work`: the biller's work queue."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from etl import db as database
from etl.cli.options import AsOfOption, ByOption, DbOption, PayerOption, WorklistFormat, console, errors, fail, table

app = typer.Typer(help="The biller's work queue: list, assign, set a status or follow-up, add notes and appeals.", no_args_is_help=True)
ClaimIds = Annotated[list[str], typer.Argument(help="Claim id (CLM01); several for a bulk change.")]


def _work(db: Path, change) -> None:
    """Run one work change on a write connection, refusing with the reason when it cannot be made."""
    from etl.work.items import WorkError

    try:
        with database.write_connection(db) as con:
            console.print(change(con))
    except WorkError as error:
        fail(error)


@app.command("list")
def work_list(
    db: DbOption,
    by: ByOption,
    as_of: AsOfOption = None,
    view: Annotated[str, typer.Option(help="mine, unassigned or team.")] = "team",
    status: Annotated[list[str] | None, typer.Option(help="Status to show; repeat for several. Open statuses when omitted.")] = None,
    owner: Annotated[list[str] | None, typer.Option(help="Owner to show; repeat for several.")] = None,
    aging_bucket: Annotated[list[str] | None, typer.Option(
        help="Aging bucket by date of service, as etl/reference/aging_buckets.csv names it (31-60); repeat for several.")] = None,
    category: Annotated[list[str] | None, typer.Option(
        help="Category as the export's Category column names it: no_response, partial_payment, underpayment or a "
             "denial category such as authorization_referral; repeat for several.")] = None,
    follow_up: Annotated[str, typer.Option(help="any, due (today or overdue), later or none.")] = "any",
    pay_date: Annotated[str, typer.Option(
        help="any, due (past the payer's expected pay date) or not_yet_due.")] = "any",
    sort: Annotated[str, typer.Option(help="priority, balance, deadline, follow_up or age.")] = "priority",
    format: Annotated[WorklistFormat, typer.Option(help="csv, xlsx or a table on screen.")] = WorklistFormat.table,
    out: Annotated[Path | None, typer.Option(help="File to write (csv or xlsx).")] = None,
    payer: PayerOption = None,
) -> None:
    """List the work queue: the worklist with each claim's owner, status, follow-up date and latest appeal.

    The options narrow it as the Work queue page's filters do.

    Example: claimscope work list --db demo.duckdb --view mine --by dana --follow-up due

    Example: claimscope work list --db demo.duckdb --by dana --aging-bucket 120+ --category authorization_referral --pay-date due
    """
    from etl.reports.aging import bucket_order
    from etl.reports.scope import Scope
    from etl.work import exports
    from etl.work.items import OPEN_STATUSES
    from etl.reports.worklist import worklist_rows
    from etl.work.queue import FOLLOW_UPS, PAY_DATES, SORTS, VIEWS, QueueFilters, queue_rows

    for value, allowed, name in ((view, VIEWS, "--view"), (follow_up, FOLLOW_UPS, "--follow-up"),
                                 (pay_date, PAY_DATES, "--pay-date"), (sort, SORTS, "--sort")):
        if value not in allowed:
            fail(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    day = as_of.date() if as_of else date.today()
    filters = QueueFilters(view=view, statuses=tuple(status or OPEN_STATUSES), owners=tuple(owner or ()),
                           aging_buckets=tuple(aging_bucket or ()), work_categories=tuple(category or ()),
                           follow_up=follow_up, pay_date=pay_date, sort=sort)
    with database.read_connection(db) as con:
        buckets = bucket_order(con)
        if unknown := [bucket for bucket in filters.aging_buckets if bucket not in buckets]:
            fail(f"--aging-bucket must be one of {', '.join(buckets)}, not {unknown[0]!r}")
        rows = queue_rows(con, day, Scope(payers=tuple(payer or ())), filters, by)
        # a category with no claim today is no error, but a typo must not pass for an empty queue; the whole worklist
        # is read again only for a category the narrowed queue does not show
        if [name for name in filters.work_categories if name not in rows["work_category"]]:
            worklist = worklist_rows(con, day, Scope(payers=tuple(payer or ())))
            present = sorted(worklist["work_category"].drop_nulls().unique().to_list())
            if absent := [name for name in filters.work_categories if name not in present]:
                errors.print(f"No claim on the worklist has category {', '.join(map(repr, absent))}; "
                             f"the categories on it now: {', '.join(present) or 'none'}")
    if format is WorklistFormat.table:
        shown = ["claim_id", "owner_name", "status", "follow_up_date", "balance_amount", "priority_score", "next_action"]
        console.print(table(f"Work queue as of {day} ({VIEWS[view]}): {len(rows):,} claims", shown,
                             rows.head(50).select(shown).iter_rows(), {"balance_amount", "priority_score"}))
    elif out is None:
        fail("--out is required for csv and xlsx")
    else:
        exports.write(exports.queue_export(rows, phi=False), out, "work_queue")
        console.print(f"{len(rows):,} claims written to {out}")


@app.command("assign")
def work_assign(
    claim_ids: ClaimIds, db: DbOption, by: ByOption,
    to: Annotated[str | None, typer.Option("--to", help="The user to assign to; omit to unassign.")] = None,
) -> None:
    """Assign claims to a user, or unassign them.

    Example: claimscope work assign RS00000123 RS00000456 --to dana --db demo.duckdb
    """
    from etl.access.accounts import users_file
    from etl.work.items import Actor, assign, assignable_users

    _work(db, lambda con: f"{assign(con, claim_ids, to, Actor(by, None), assignable_users(users_file(db)))} claim(s) "
                          f"{'assigned to ' + to if to else 'unassigned'}")


@app.command("status")
def work_status(
    claim_ids: ClaimIds,
    status: Annotated[str, typer.Option(help="new, in_progress, waiting_on_payer, appealed, resolved or written_off.")],
    db: DbOption, by: ByOption,
    follow_up: Annotated[datetime | None, typer.Option(help="Also set the follow-up date.", formats=["%Y-%m-%d"])] = None,
) -> None:
    """Set the status (and optionally the follow-up date) of claims.

    Example: claimscope work status RS00000123 --status waiting_on_payer --follow-up 2026-12-15 --db demo.duckdb
    """
    from etl.work.items import Actor, set_follow_up, set_status

    def change(con):
        changed = set_status(con, claim_ids, status, Actor(by, None))
        if follow_up:
            set_follow_up(con, claim_ids, follow_up.date(), Actor(by, None))
        return f"{changed} claim(s) now {status}" + (f", follow up on {follow_up.date()}" if follow_up else "")
    _work(db, change)


@app.command("note")
def work_note(
    claim_id: Annotated[str, typer.Argument(help="Claim id (CLM01).")],
    text: Annotated[str, typer.Argument(help="The note; it is stored, never logged.")],
    db: DbOption, by: ByOption,
) -> None:
    """Add a note to a claim's work item.

    Example: claimscope work note RS00000123 "Called Aetna, reprocessing in 10 days" --db demo.duckdb
    """
    from etl.work.items import Actor, add_note

    _work(db, lambda con: f"note {add_note(con, claim_id, text, Actor(by, None))} added to {claim_id}")


@app.command("appeal")
def work_appeal(
    claim_id: Annotated[str, typer.Argument(help="Claim id (CLM01) of a denied claim.")],
    db: DbOption, by: ByOption,
    level: Annotated[str, typer.Option(help="first, second or external.")] = "first",
    sent: Annotated[datetime | None, typer.Option(help="Date the appeal was sent; today when omitted.", formats=["%Y-%m-%d"])] = None,
) -> None:
    """Record an appeal sent on a denied claim; its decision is due after the payer's appeal_decision_days.

    Example: claimscope work appeal RS00000123 --level first --sent 2026-11-20 --db demo.duckdb
    """
    from etl.work.appeals import record_appeal
    from etl.work.items import Actor

    _work(db, lambda con: f"appeal {record_appeal(con, claim_id, level, sent.date() if sent else date.today(), Actor(by, None))} "
                          f"recorded on {claim_id}")


@app.command("outcome")
def work_outcome(
    appeal_id: Annotated[int, typer.Argument(help="The appeal's id (`claimscope work appeal` prints it).")],
    outcome: Annotated[str, typer.Option(help="overturned, partially_overturned or upheld.")],
    db: DbOption, by: ByOption,
    decided: Annotated[datetime | None, typer.Option(help="Date of the decision; today when omitted.", formats=["%Y-%m-%d"])] = None,
) -> None:
    """Set an appeal's outcome by hand (from a letter or the payer's portal); it then stands over what the 835s say.

    Example: claimscope work outcome 3 --outcome upheld --decided 2026-12-10 --db demo.duckdb
    """
    from etl.work.appeals import set_outcome
    from etl.work.items import Actor

    day = decided.date() if decided else date.today()
    _work(db, lambda con: set_outcome(con, appeal_id, outcome, day, Actor(by, None)) or f"appeal {appeal_id}: {outcome} on {day}")
