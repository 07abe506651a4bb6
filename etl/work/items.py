"""Work items: who owns a worklist claim, where it stands, when to look again, and the notes on it. Every change is one
transaction holding the item, its history row and its audit-log entry, so none is ever written without the others."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from etl.access import audit_trail
from etl.access.accounts import list_users
from etl.access.policy import may

# The statuses a work item moves through, with their labels; resolved and written off take it off the open queue.
STATUSES = {
    "new": "New",
    "in_progress": "In progress",
    "waiting_on_payer": "Waiting on payer",
    "appealed": "Appealed",
    "resolved": "Resolved",
    "written_off": "Written off",
}
OPEN_STATUSES = ("new", "in_progress", "waiting_on_payer", "appealed")
LOADER = "claimscope load"


class WorkError(Exception):
    """A work change that cannot be made; the message says why and never holds a note's text."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in user and role, or a command-line user."""
    name: str
    role: str | None


def assign(con: duckdb.DuckDBPyConnection, claim_ids: list[str], owner: str | None, by: Actor,
           assignable: list[str] | None = None) -> int:
    """Assign the claims to a user (None: unassign); returns how many items changed. With `assignable` (the active
    accounts), an owner outside it is refused."""
    if owner is not None and assignable and owner not in assignable:
        raise WorkError(f"no active account named {owner!r} to assign to")
    return _change(con, claim_ids, "owner_name", owner, by)


def assignable_users(users_file: Path) -> list[str]:
    """The active accounts whose role works the queue (etl/reference/access_policy.yaml); empty without accounts."""
    return [user["name"] for user in list_users(users_file) if not user["disabled"] and may(user["role"], "work_queue")]


def set_status(con: duckdb.DuckDBPyConnection, claim_ids: list[str], status: str, by: Actor) -> int:
    """Move the claims to a status (STATUSES); returns how many items changed."""
    if status not in STATUSES:
        raise WorkError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    return _change(con, claim_ids, "status", status, by)


def set_follow_up(con: duckdb.DuckDBPyConnection, claim_ids: list[str], follow_up: date | None, by: Actor) -> int:
    """Set (None: clear) the date to look at the claims again; returns how many items changed."""
    return _change(con, claim_ids, "follow_up_date", follow_up, by)


def add_note(con: duckdb.DuckDBPyConnection, claim_id: str, text: str, by: Actor) -> int:
    """Add a note to a claim; returns its id. The text is stored once, in work_item_notes, and never logged."""
    text = text.strip()
    if not text:
        raise WorkError("a note needs some text")
    _require_claims(con, [claim_id])
    now = utc_now()
    con.execute("begin")
    try:
        _ensure_items(con, [claim_id], by, now)
        note_id = _next_id(con, "work_item_notes", "note_id")
        con.execute("insert into work_item_notes values (?, ?, ?, ?, ?)", [note_id, claim_id, now, by.name, text])
        _history(con, claim_id, now, by, "note", None, f"note {note_id}")
        audit_trail.append(con, by.name, by.role, "work_note", [claim_id], {"note_id": note_id, "characters": len(text)})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return note_id


def items(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every work item: claim id, owner, status, follow-up date, status reason, last change."""
    return con.sql("select * from work_items order by claim_id").pl()


def history(con: duckdb.DuckDBPyConnection, claim_id: str) -> pl.DataFrame:
    """A claim's work history, oldest first, with each note's text beside the change that added it."""
    return con.sql(
        "select history.changed_at, history.user_name, history.field, history.before_value, history.after_value,"
        " notes.note_text from work_item_history as history"
        " left join work_item_notes as notes on history.field = 'note' and history.after_value = 'note ' || notes.note_id"
        " where history.claim_id = $claim_id order by history.change_id",
        params={"claim_id": claim_id},
    ).pl()


# The loader's side: before it re-derives a load's claims, note which open work items were on open claims; after, an
# item whose claim is now paid in full, voided or replaced is moved to resolved with the reason, in the same transaction.
_CURRENT_STATES = "claim_states as states on states.claim_id = items.claim_id and states.valid_to is null"
OPEN_BEFORE_SQL = f"""
    create or replace temp table work_items_open_before as
    select items.claim_id
    from work_items as items
    inner join ledger_refresh_claims as refreshed on refreshed.claim_id = items.claim_id
    inner join {_CURRENT_STATES}
    where items.status in ({", ".join(f"'{status}'" for status in OPEN_STATUSES)})
    group by items.claim_id
    having bool_or(states.balance_amount > 0 and states.closed_by is null)
"""
SETTLED_SQL = f"""
    create or replace temp table work_items_settled as
    select
        items.claim_id,
        items.status as before_status,
        case
            when max(states.closed_by) = 'void'
                then coalesce('voided by claim ' || max(states.superseded_by_claim_id), 'voided: a void (CLM05-3 8) was sent for it')
            when max(states.closed_by) = 'replacement' then 'replaced by claim ' || max(states.superseded_by_claim_id)
            when sum(states.paid_to_date_amount) > 0
                then 'paid in full: the payment of ' || strftime(max(states.final_payment_date), '%Y-%m-%d') || ' left no insurance balance'
            else 'settled: no insurance balance left'
        end as status_reason,
        row_number() over (order by items.claim_id) as position
    from work_items as items
    inner join work_items_open_before as open_before on open_before.claim_id = items.claim_id
    inner join {_CURRENT_STATES}
    group by items.claim_id, items.status
    having not bool_or(states.balance_amount > 0 and states.closed_by is null)
"""


def note_open_items(con: duckdb.DuckDBPyConnection) -> None:
    """Before a ledger refresh: remember the open items whose claims are open (ledger_refresh_claims holds the claims)."""
    con.execute(OPEN_BEFORE_SQL)


def resolve_settled(con: duckdb.DuckDBPyConnection) -> int:
    """After a ledger refresh: resolve the items whose claims the refresh settled, with the reason; returns how many."""
    con.execute(SETTLED_SQL)
    settled = con.execute("select claim_id, before_status, status_reason from work_items_settled order by position").fetchall()
    if settled:
        now = utc_now()
        con.execute(
            "update work_items set status = 'resolved', status_reason = settled.status_reason, updated_at = $now,"
            " updated_by = $by from work_items_settled as settled where work_items.claim_id = settled.claim_id",
            {"now": now, "by": LOADER},
        )
        con.execute(
            "insert into work_item_history select (select coalesce(max(change_id), 0) from work_item_history) + position,"
            " claim_id, $now, $by, 'status', before_status, 'resolved' from work_items_settled",
            {"now": now, "by": LOADER},
        )
        audit_trail.append(con, LOADER, None, "work_change", [claim_id for claim_id, _, _ in settled],
                           {"field": "status", "after": "resolved", "reasons": sorted({reason for *_, reason in settled})})
    con.execute("drop table work_items_open_before")
    con.execute("drop table work_items_settled")
    return len(settled)


def _change(con: duckdb.DuckDBPyConnection, claim_ids: list[str], field: str, value, by: Actor) -> int:
    con.execute("begin")
    try:
        changed = change(con, claim_ids, field, value, by)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return changed


def change(con: duckdb.DuckDBPyConnection, claim_ids: list[str], field: str, value, by: Actor) -> int:
    """Set one field (owner_name, status, follow_up_date) of the claims' items inside the caller's transaction, with a
    history row per item changed and one audit-log entry; returns how many changed."""
    ids = sorted(set(claim_ids))
    if not ids:
        return 0
    _require_claims(con, ids)
    now = utc_now()
    _ensure_items(con, ids, by, now)
    before = dict(con.execute(
        f"select claim_id, {field} from work_items where claim_id in (select unnest($ids::varchar[]))", {"ids": ids}
    ).fetchall())
    changed = [claim_id for claim_id in ids if before[claim_id] != value]
    if changed:
        # a person's change replaces any reason claimscope gave for the status
        reason = ", status_reason = null" if field == "status" else ""
        con.execute(
            f"update work_items set {field} = $value{reason}, updated_at = $now, updated_by = $by"
            " where claim_id in (select unnest($ids::varchar[]))",
            {"value": value, "now": now, "by": by.name, "ids": changed},
        )
        for claim_id in changed:
            _history(con, claim_id, now, by, _FIELD_NAMES[field], _text(before[claim_id]), _text(value))
        audit_trail.append(con, by.name, by.role, "work_change", changed, {
            "field": _FIELD_NAMES[field], "after": _text(value),
            "before": sorted({_text(before[claim_id]) or "" for claim_id in changed}),
        })
    return len(changed)


_FIELD_NAMES = {"owner_name": "owner", "status": "status", "follow_up_date": "follow_up_date"}


def claims_not_on_file(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> list[str]:
    """The ids among these that no loaded claim (837 or claims CSV) has, sorted."""
    unknown = con.execute(
        "select unnest($ids::varchar[]) as claim_id except select claim_id from claims", {"ids": claim_ids}
    ).fetchall()
    return sorted(row[0] for row in unknown)


def _require_claims(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> None:
    if unknown := claims_not_on_file(con, claim_ids):
        raise WorkError(f"no claim on file with id {', '.join(unknown[:5])}")


def _ensure_items(con: duckdb.DuckDBPyConnection, claim_ids: list[str], by: Actor, now: datetime) -> None:
    """A claim gets its work item, new and unassigned, the first time anyone acts on it."""
    con.execute(
        "insert into work_items (claim_id, status, updated_at, updated_by)"
        " select claim_id, 'new', $now, $by from (select unnest($ids::varchar[]) as claim_id)"
        " where claim_id not in (select claim_id from work_items)",
        {"ids": claim_ids, "now": now, "by": by.name},
    )


def history_row(con: duckdb.DuckDBPyConnection, claim_id: str, by: Actor, field: str, before: str | None,
                after: str | None) -> None:
    """One history row inside the caller's transaction, the claim's work item made sure of (appeals use it)."""
    now = utc_now()
    _ensure_items(con, [claim_id], by, now)
    _history(con, claim_id, now, by, field, before, after)


def _history(con: duckdb.DuckDBPyConnection, claim_id: str, now: datetime, by: Actor, field: str,
             before: str | None, after: str | None) -> None:
    con.execute("insert into work_item_history values (?, ?, ?, ?, ?, ?, ?)",
                [_next_id(con, "work_item_history", "change_id"), claim_id, now, by.name, field, before, after])


def _next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return con.execute(f"select coalesce(max({column}), 0) + 1 from {table}").fetchone()[0]


def _text(value) -> str | None:
    return None if value is None else value.isoformat() if isinstance(value, date) else str(value)


def utc_now() -> datetime:
    """The time now in UTC, without a zone, as the work tables hold it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
