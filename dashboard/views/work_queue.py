"""Work queue: the claims a biller works until they are paid, with owners, statuses, follow-ups, notes and appeals."""

from datetime import date, timedelta

import polars as pl
import streamlit as st

from dashboard import actions, charts, claim_detail, display, filters
from dashboard.permissions import allows, current_user
from dashboard.queries import sidebar, work_queue
from dashboard.widgets import export_buttons, literal, patients_shown, selection_by_id
from etl.work import appeals, exports, items, queue
from etl.work.items import OPEN_STATUSES, STATUSES

# Follow-up choices a biller makes most, in days from today; "Clear" removes the date.
FOLLOW_UP_PRESETS = {"(no change)": None, "Tomorrow": 1, "In 3 days": 3, "In 7 days": 7, "In 14 days": 14,
                     "In 30 days": 30, "Clear": None}

TABLE = "queue_table"
SAVED = "queue_saved"  # the last change's confirmation, kept for the rerun that shows the change


def claims_named(claim_ids: list[str]) -> str:
    """Claim ids as a biller reads them back: each shown literally, the first five and a count of the rest."""
    named = ", ".join(literal(claim_id) for claim_id in claim_ids[:5])
    return named + (f" and {len(claim_ids) - 5} more" if len(claim_ids) > 5 else "")


def appeal_named(appeal: dict) -> str:
    """An appeal as the page names it: its id, level, and the dates it was sent and its decision is due."""
    return (f"Appeal {appeal['appeal_id']} ({appeals.LEVELS[appeal['appeal_level']].lower()}, sent {appeal['sent_date']}, "
            f"decision due {appeal['decision_due_date']})")


def confirm(saved: str | None, problems: list[str], claim_ids: list[str]) -> None:
    """Rerun to show the change, saying after the rerun what was saved ("Saved: … status In progress") and what was
    refused; a change wholly refused is said at once, with the form still filled in."""
    if saved is None:
        st.warning("; ".join(problems))
        return
    st.session_state[SAVED] = (f"Saved: {saved}", problems, claim_ids)
    st.rerun()


st.title("Work queue")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
user = current_user()
st.caption(f"{filters.describe(chosen)} · claims not yet past the payer's expected pay date are labelled and ranked last")

# required: a click on the view already shown keeps it, rather than leaving no view highlighted
view = st.segmented_control("View", list(queue.VIEWS), format_func=queue.VIEWS.get, default="mine", key="queue_view",
                            required=True) or "mine"
row_one, row_two = st.columns(4), st.columns(4)
statuses = row_one[0].multiselect("Work status", list(STATUSES), default=list(OPEN_STATUSES), format_func=STATUSES.get,
                                  key="queue_statuses", placeholder="Every status")
owners = row_one[1].multiselect("Owner", work_queue.assignable_users(), key="queue_owners", placeholder="Every owner",
                                disabled=view != "team")
buckets = row_one[2].multiselect("Aging bucket", sidebar.aging_bucket_order(), key="queue_buckets", placeholder="Every bucket")
categories = row_one[3].multiselect("Category", work_queue.work_categories(as_of, scope),
                                    format_func=lambda name: name.replace("_", " "), key="queue_categories",
                                    placeholder="Every category")
follow_up = row_two[0].selectbox("Follow-up", list(queue.FOLLOW_UPS), format_func=queue.FOLLOW_UPS.get, key="queue_follow_up")
pay_date = row_two[1].selectbox("Expected pay date", list(queue.PAY_DATES), format_func=queue.PAY_DATES.get, key="queue_pay_date")
sort = row_two[2].selectbox("Sort by", list(queue.SORTS), format_func=lambda name: queue.SORTS[name][0], key="queue_sort",
                            help="The table and its exports follow this order.")

picked_filters = queue.QueueFilters(view=view, statuses=tuple(statuses), owners=tuple(owners) if view == "team" else (),
                                    aging_buckets=tuple(buckets), work_categories=tuple(categories), follow_up=follow_up,
                                    pay_date=pay_date, sort=sort)
rows = work_queue.work_queue(as_of, scope, picked_filters, user.name)
sent_appeals = work_queue.appeal_outcomes(as_of)
tiles = st.columns(4)
tiles[0].metric("Claims", f"{len(rows):,}")
tiles[1].metric("Balance to collect", display.money(rows["balance_amount"].sum() or 0))
tiles[2].metric("Follow-ups due", f"{rows.filter(pl.col('follow_up_date') <= as_of).height:,}")
tiles[3].metric("Not yet due", f"{rows['is_not_yet_due'].sum() or 0:,}",
                help="No answer yet, but still inside the payer's expected days to pay (etl/reference/payer_rules.csv).")

shown = exports.queue_export(patients_shown(rows, "work_queue"), allows("phi"))
# The selection is kept as claim ids (widgets.selection_by_id): after a change moves a claim out of this view, no other
# claim inherits its row's tick, and the next note or status cannot land on a claim nobody picked.
selected = selection_by_id(TABLE, shown["claim_id"].to_list())
if shown.is_empty():
    st.info({"mine": "Nothing assigned to you matches these filters. Look under Unassigned or Team.",
             "unassigned": "Every claim matching these filters has an owner.",
             "team": "No claim matches these filters."}[view])
else:
    # on screen a missing value is a dash; the export leaves the cell empty
    on_screen = shown.with_columns(pl.col(name).fill_null("—") for name in ("owner_name", "latest_note", "appeal_level",
                                                                             "appeal_outcome") if name in shown.columns)
    display.table(
        on_screen, key=TABLE, on_select="rerun", selection_mode="multi-row",
        labels=exports.COLUMNS,
        column_config={
            "claim_id": st.column_config.TextColumn("Claim", pinned=True),
            "next_action": st.column_config.TextColumn("Next action", pinned=True, width="medium"),
            "deadline_days_left": st.column_config.NumberColumn("Deadline (days left)", pinned=True, format="localized", step=1,
                                                                help="Before the timely-filing limit, or the appeal window after an answer"),
            "priority_score": st.column_config.NumberColumn("Priority", format="localized", step=1, pinned=True,
                                                            help="Balance at stake × recovery likelihood × deadline boost: "
                                                                 "a number to rank by, not dollars"),
            "priority_reason": st.column_config.TextColumn("Why this priority", width="large"),
        },
    )
    st.caption("Select rows (the boxes at the left) to assign them, change their status or set a follow-up; select one to "
               "see its history, add a note or record an appeal.")
    export_buttons(shown, "work_queue")

# what the last change saved, said after the rerun that shows it
if said := st.session_state.pop(SAVED, None):
    saved, problems, changed = said
    if saved:
        left = [claim_id for claim_id in changed if claim_id not in shown["claim_id"]]
        st.success(saved + (f" {claims_named(left)} left this view, so {'it is' if len(left) == 1 else 'they are'} no longer "
                            "selected." if left else ""), icon=":material/check_circle:")
    if problems:
        st.warning("; ".join(problems))

if selected:
    st.subheader(f"Act on {len(selected)} selected claim{'s' if len(selected) > 1 else ''}")
    with st.form("bulk_change", clear_on_submit=True):
        columns = st.columns(4)
        owner_choices = ["(no change)", "(unassigned)", *sorted({user.name, *work_queue.assignable_users()})]
        owner = columns[0].selectbox("Assign to", owner_choices, key="bulk_owner")
        status = columns[1].selectbox("Status", ["(no change)", *STATUSES], format_func=lambda name: STATUSES.get(name, name),
                                      key="bulk_status")
        follow_up_in = columns[2].selectbox("Follow up", list(FOLLOW_UP_PRESETS), key="bulk_follow_up_in",
                                            help="Counted from today.")
        follow_up_on = columns[3].date_input("Or follow up on", value=None, key="bulk_follow_up", min_value=date(2000, 1, 1))
        if st.form_submit_button("Apply to the selected claims", type="primary"):
            days = FOLLOW_UP_PRESETS[follow_up_in]
            follow_up_on = follow_up_on or (date.today() + timedelta(days=days) if days is not None else None)
            clear_follow_up = follow_up_in == "Clear" and not follow_up_on
            # each change as its own transaction, in this order, and what it did said in words
            changes = [
                *([(items.assign, None if owner == "(unassigned)" else owner,
                    "unassigned" if owner == "(unassigned)" else f"assigned to {literal(owner)}")] if owner != "(no change)" else []),
                *([(items.set_status, status, f"status {STATUSES[status]}")] if status != "(no change)" else []),
                *([(items.set_follow_up, follow_up_on, f"follow-up {follow_up_on}" if follow_up_on else "follow-up cleared")]
                  if follow_up_on or clear_follow_up else []),
            ]
            if not changes:
                st.info("Nothing to apply: choose an owner, a status or a follow-up first.")
            else:
                results = [(actions.work(change, selected, value), what) for change, value, what in changes]
                made = [what for problem, what in results if not problem]
                confirm(f"{claims_named(selected)} {', '.join(made)}." if made else None,
                        [problem for problem, _ in results if problem], selected)

if len(selected) == 1:
    claim_id = selected[0]
    row = rows.filter(pl.col("claim_id") == claim_id).row(0, named=True)
    waiting = sent_appeals.filter((pl.col("claim_id") == claim_id) & pl.col("outcome").is_null())
    st.caption(f"Why it is ranked here: {row['priority_reason']}")
    history, act = st.columns([3, 2])
    with history:
        st.markdown("**Work history**")
        done = work_queue.work_history(claim_id)
        if not allows("phi"):
            done = done.with_columns(pl.when(pl.col("note_text").is_not_null()).then(pl.lit(exports.HIDDEN_NOTE)).alias("note_text"))
        if done.is_empty():
            st.caption("Nobody has worked this claim yet.")
        else:
            # drawn by the data grid, which shows text as text (st.table would render a note's markdown: links, images)
            label = lambda column: pl.when(pl.col("field") == "status").then(  # noqa: E731
                pl.col(column).replace_strict(STATUSES, default=pl.col(column))).otherwise(pl.col(column)).fill_null("—")
            st.dataframe(done.select(
                pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M").alias("When (UTC)"), pl.col("user_name").alias("Who"),
                pl.col("field").str.replace_all("_", " ").alias("What"), label("before_value").alias("Before"),
                label("after_value").alias("After"), pl.col("note_text").fill_null("").alias("Note"),
            ), hide_index=True, key=f"history_{claim_id}", column_config={"Note": st.column_config.TextColumn(width="large")})
    with act:
        with st.form("note", clear_on_submit=True):
            text = st.text_area("Add a note", key="note_text", help="Stored with the claim, never logged.")
            if st.form_submit_button("Save note") and text.strip():
                problem = actions.work(items.add_note, claim_id, text)
                confirm(None if problem else f"note added to {claims_named([claim_id])}.", [problem] if problem else [], [claim_id])
        if row["work_status"] == "denied":
            for appeal in waiting.iter_rows(named=True):
                st.caption(f"{appeal_named(appeal)} waits for a decision: recording it again is refused. To escalate, "
                           "choose the next level.")
            # the level offered follows the claim's appeals: the same while one waits (a second click is refused), the
            # next once it is decided; keyed by them, the box shows it afresh after each appeal or outcome
            offered = appeals.level_to_offer(row["appeal_level"], row["appeal_outcome"])
            recorded = sent_appeals.filter(pl.col("claim_id") == claim_id).height
            with st.form("appeal", clear_on_submit=True):
                level = st.selectbox("Appeal level", list(appeals.LEVELS), index=list(appeals.LEVELS).index(offered),
                                     format_func=appeals.LEVELS.get, key=f"appeal_level_{claim_id}_{recorded}_{offered}")
                sent = st.date_input("Sent on", value=as_of, key="appeal_sent")
                if st.form_submit_button("Record the appeal"):
                    appeal_id, problem = actions.work_returning(appeals.record_appeal, claim_id, level, sent)
                    confirm(None if problem else f"{appeals.LEVELS[level]} appeal {appeal_id} recorded on "
                                                 f"{claims_named([claim_id])}, sent {sent}.", [problem] if problem else [], [claim_id])
    if not waiting.is_empty():
        st.caption("An appeal's outcome is read from the payer's next 835, or can be set here from a letter.")
        with st.form("appeal_outcome", clear_on_submit=True):
            columns = st.columns(3)
            described = {appeal["appeal_id"]: appeal_named(appeal) for appeal in waiting.iter_rows(named=True)}
            appeal_id = columns[0].selectbox("Appeal", list(described), format_func=described.get, key="outcome_appeal")
            outcome = columns[1].selectbox("Outcome", list(appeals.OUTCOMES), format_func=appeals.OUTCOMES.get, key="outcome")
            decided = columns[2].date_input("Decided on", value=as_of, key="outcome_date")
            if st.form_submit_button("Set the outcome"):
                problem = actions.work(appeals.set_outcome, appeal_id, outcome, decided)
                confirm(None if problem else f"appeal {appeal_id} on {claims_named([claim_id])} "
                                             f"{appeals.OUTCOMES[outcome].lower()}, decided {decided}.",
                        [problem] if problem else [], [claim_id])
    claim_detail.show(claim_id)

st.subheader("Appeals")
if sent_appeals.is_empty():
    st.info("No appeals recorded yet. Select a denied claim above to record one.")
else:
    st.caption("An appeal is overturned when the payer pays after it, in full or in part (read from the next 835, or set by hand); "
               "upheld when it denies again. Rates under 30 decided appeals get no interval.")
    display.table(work_queue.appeal_overturn_rates(as_of),
                  labels={"payer_name": "Payer", "denial_category": "Denial category", "decided_appeals": "Decided",
                          "overturned_appeals": "Overturned", "overturn_rate": "Overturn rate", "interval": "95% interval"},
                  kinds={"overturn_rate": "percent"})
    decisions = appeals.time_to_decision(sent_appeals, as_of)
    if decisions:
        curve, summary = decisions
        st.plotly_chart(charts.step_lines(curve.with_columns(pl.lit("all appeals").alias("series")), "days", "undecided_share",
                                          "series", "Share of appeals undecided", "Days since the appeal was sent"),
                        key="appeal_decisions")
        median = summary["median_days"]
        st.caption("Kaplan–Meier estimate; appeals still undecided count as censored on the as-of date. Median days to a decision: "
                   + ("not reached yet" if median is None else f"{median:.0f}"))
