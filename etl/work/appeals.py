"""Appeals on denied claims: record one (its decision date from the payer's rules), read or set its outcome, and report
overturn rates with Wilson intervals and the time to a decision as a Kaplan–Meier curve."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from etl.access import audit_trail
from etl.reports import stats
from etl.reports.timelines import curve_summary, kaplan_meier
from etl.work import items
from etl.work.items import Actor, WorkError

LEVELS = {"first": "First level", "second": "Second level", "external": "External review"}
OUTCOMES = {"overturned": "Overturned", "partially_overturned": "Partially overturned", "upheld": "Upheld"}
# An appeal counts as overturned when the payer paid after it, in full or in part.
OVERTURNED = ("overturned", "partially_overturned")


def record_appeal(con: duckdb.DuckDBPyConnection, claim_id: str, level: str, sent_date: date, by: Actor) -> int:
    """Record an appeal sent on a denied claim and move its work item to appealed; returns the appeal's id. Refused
    while the claim has an undecided appeal at the same level (refuse_a_second_open_appeal)."""
    if level not in LEVELS:
        raise WorkError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    standing = con.execute(
        "select payer_id, last_status_code, sent + payer_rules(payer_id).appeal_decision_days as due"
        " from claim_states, (select $sent::date as sent)"
        " where claim_id = $claim_id and valid_from <= sent and (valid_to is null or valid_to > sent)"
        " order by balance_amount desc limit 1",
        {"claim_id": claim_id, "sent": sent_date},
    ).fetchall()
    if not standing:
        raise WorkError(f"claim {claim_id} has no state on {sent_date}: nothing to appeal yet")
    payer_id, status_code, due = standing[0]
    if status_code != "4" and not con.execute(
        "select count(*) from claim_events where claim_id = $claim_id and denied_amount > 0 and payment_date <= $sent",
        {"claim_id": claim_id, "sent": sent_date},
    ).fetchone()[0]:
        raise WorkError(f"claim {claim_id} has no denial on file by {sent_date}: record the appeal on a denied claim")
    con.execute("begin")
    try:
        # read inside the write transaction, so a second click racing the first finds it
        refuse_a_second_open_appeal(con, claim_id, level)
        appeal_id = con.execute("select coalesce(max(appeal_id), 0) + 1 from appeals").fetchone()[0]
        con.execute(
            "insert into appeals values (?, ?, ?, ?, ?, ?, ?, ?, null, null, null)",
            [appeal_id, claim_id, payer_id, level, sent_date, due, items.utc_now(), by.name],
        )
        items.history_row(con, claim_id, by, "appeal", None, f"{LEVELS[level]} appeal {appeal_id} sent {sent_date}")
        audit_trail.append(con, by.name, by.role, "appeal", [claim_id],
                           {"appeal_id": appeal_id, "level": level, "sent_date": sent_date, "decision_due_date": due})
        items.change(con, [claim_id], "status", "appealed", by)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return appeal_id


def level_to_offer(latest_level: str | None, latest_outcome: str | None) -> str:
    """The level a biller most likely records next: first without an appeal, the same level while the latest waits
    (recording it again is refused, never silently doubled), the next one once it is decided."""
    if latest_level is None:
        return "first"
    if latest_outcome is None:
        return latest_level
    order = list(LEVELS)
    return order[min(order.index(latest_level) + 1, len(order) - 1)]


def open_appeals(con: duckdb.DuckDBPyConnection, claim_id: str) -> pl.DataFrame:
    """The claim's appeals still waiting for a decision (none set by hand, none read from a later 835), oldest first."""
    return con.sql(
        "select appeal_id, appeal_level, sent_date, decision_due_date from appeal_outcomes"
        " where claim_id = $claim_id and outcome is null order by sent_date, appeal_id",
        params={"claim_id": claim_id},
    ).pl()


def refuse_a_second_open_appeal(con: duckdb.DuckDBPyConnection, claim_id: str, level: str) -> None:
    """Raise WorkError naming the claim's undecided appeal at this level, if it has one: one open appeal per claim and
    level, so a second click cannot record the same appeal twice and leave the first undecided for ever."""
    waiting = open_appeals(con, claim_id).filter(pl.col("appeal_level") == level)
    if not waiting.is_empty():
        first = waiting.row(0, named=True)
        raise WorkError(
            f"claim {claim_id} already has an undecided {LEVELS[level].lower()} appeal: appeal {first['appeal_id']}, "
            f"sent {first['sent_date']}. Set its outcome first, or record the next level"
        )


def set_outcome(con: duckdb.DuckDBPyConnection, appeal_id: int, outcome: str, decided: date, by: Actor) -> None:
    """Set an appeal's outcome by hand (a letter, a portal); it then stands over what the 835s say."""
    if outcome not in OUTCOMES:
        raise WorkError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    found = con.execute("select claim_id, outcome from appeals where appeal_id = ?", [appeal_id]).fetchall()
    if not found:
        raise WorkError(f"no appeal {appeal_id}")
    claim_id, before = found[0]
    con.execute("begin")
    try:
        con.execute("update appeals set outcome = ?, outcome_date = ?, outcome_set_by = ? where appeal_id = ?",
                    [outcome, decided, by.name, appeal_id])
        items.history_row(con, claim_id, by, "appeal_outcome", before, f"appeal {appeal_id}: {outcome}")
        audit_trail.append(con, by.name, by.role, "appeal", [claim_id],
                           {"appeal_id": appeal_id, "before": before, "after": outcome, "decided": decided})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def outcomes(con: duckdb.DuckDBPyConnection, as_of: date) -> pl.DataFrame:
    """Every appeal sent by the date, with its outcome as known on it (undecided when decided after it)."""
    return con.sql(
        "select * replace (case when decision_date <= $as_of then outcome end as outcome,"
        " case when decision_date <= $as_of then decision_date end as decision_date)"
        " from appeal_outcomes where sent_date <= $as_of order by sent_date, appeal_id",
        params={"as_of": as_of},
    ).pl()


def overturn_rates(appeals: pl.DataFrame) -> pl.DataFrame:
    """Per payer and denial category: decided appeals, overturned (in full or in part), the rate, its 95% Wilson
    interval, and too_few under 30 decided appeals."""
    decided = appeals.filter(pl.col("outcome").is_not_null())
    grouped = (
        decided.group_by("payer_id", "denial_category")
        .agg(pl.len().alias("decided_appeals"), pl.col("outcome").is_in(OVERTURNED).sum().alias("overturned_appeals"))
        .sort("payer_id", "denial_category")
    )
    rows = []
    for row in grouped.iter_rows(named=True):
        measured = stats.rate(row["overturned_appeals"], row["decided_appeals"])
        low, high = measured["interval"]
        rows.append({**row, "overturn_rate": measured["rate"], "interval_low": low, "interval_high": high,
                     "too_few": measured["too_few"]})
    schema = {"payer_id": pl.String, "denial_category": pl.String, "decided_appeals": pl.UInt32,
              "overturned_appeals": pl.UInt32, "overturn_rate": pl.Float64, "interval_low": pl.Float64,
              "interval_high": pl.Float64, "too_few": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def time_to_decision(appeals: pl.DataFrame, as_of: date) -> tuple[pl.DataFrame, dict] | None:
    """The share of appeals still undecided after each day since sending, undecided ones censored at the as-of date;
    with the median and the shares decided by day 30, 60 and 90. None without appeals."""
    if appeals.is_empty():
        return None
    decided = appeals["outcome"].is_not_null()
    ends = appeals["decision_date"].fill_null(as_of)
    days = [(end - sent).days for end, sent in zip(ends, appeals["sent_date"])]
    curve = kaplan_meier(days, decided.to_list())
    steps = pl.DataFrame({"days": [0.0, *curve.surv_times], "undecided_share": [1.0, *curve.surv_prob]})
    return steps, curve_summary(curve)
