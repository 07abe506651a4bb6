"""Work queue: the claims a biller works until they are paid, with owners, statuses, follow-ups, notes and appeals."""

from datetime import date, timedelta

import polars as pl
import streamlit as st

from dashboard import actions, charts, claim_detail, display, filters
from dashboard.permissions import allows, current_user
from dashboard.queries import sidebar, work_queue
from dashboard.widgets import export_buttons, interval_note, patients_shown
from etl.work import appeals, exports, items, queue
from etl.work.items import OPEN_STATUSES, STATUSES

# Follow-up choices a biller makes most, in days from today; "Clear" removes the date.
FOLLOW_UP_PRESETS = {"(no change)": None, "Tomorrow": 1, "In 3 days": 3, "In 7 days": 7, "In 14 days": 14,
                     "In 30 days": 30, "Clear": None}

st.title("Work queue")
chosen = filters.current()
as_of, scope = chosen.as_of, chosen.scope
user = current_user()
st.caption(f"{filters.describe(chosen)} · claims not yet past the payer's expected pay date are labelled and ranked last")

view = st.segmented_control("View", list(queue.VIEWS), format_func=queue.VIEWS.get, default="mine", key="queue_view") or "mine"
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
tiles = st.columns(4)
tiles[0].metric("Claims", f"{len(rows):,}")
tiles[1].metric("Balance to collect", display.money(rows["balance_amount"].sum() or 0))
tiles[2].metric("Follow-ups due", f"{rows.filter(pl.col('follow_up_date') <= as_of).height:,}")
tiles[3].metric("Not yet due", f"{rows['is_not_yet_due'].sum() or 0:,}",
                help="No answer yet, but still inside the payer's expected days to pay (etl/reference/payer_rules.csv).")

shown = exports.queue_export(patients_shown(rows, "work_queue"), allows("phi"))
if shown.is_empty():
    st.info({"mine": "Nothing assigned to you matches these filters. Look under Unassigned or Team.",
             "unassigned": "Every claim matching these filters has an owner.",
             "team": "No claim matches these filters."}[view])
    chosen_rows = []
else:
    # on screen a missing value is a dash and a status its label; the export keeps the values themselves
    on_screen = shown.with_columns(pl.col("status").replace_strict(STATUSES, default=pl.col("status")),
                                   *(pl.col(name).fill_null("—") for name in ("owner_name", "latest_note", "appeal_level",
                                                                              "appeal_outcome") if name in shown.columns))
    # keyed by the view and filters: a selection never carries over to rows it was not made on
    picked = display.table(
        on_screen, key=f"queue_table_{abs(hash(picked_filters))}", on_select="rerun", selection_mode="multi-row",
        labels=exports.COLUMNS,
        column_config={
            "claim_id": st.column_config.TextColumn("Claim", pinned=True),
            "next_action": st.column_config.TextColumn("Next action", pinned=True, width="medium"),
            "deadline_days_left": st.column_config.NumberColumn("Deadline (days left)", pinned=True, format="localized", step=1,
                                                                help="Before the timely-filing limit, or the appeal window after an answer"),
            "priority_score": st.column_config.NumberColumn("Priority", format="dollar", step=1, pinned=True,
                                                            help="Balance at stake × recovery likelihood × deadline boost"),
            "priority_reason": st.column_config.TextColumn("Why this priority", width="large"),
        },
    )
    chosen_rows = picked.selection.rows
    st.caption("Select rows (the boxes at the left) to assign them, change their status or set a follow-up; select one to "
               "see its history, add a note or record an appeal.")
    export_buttons(shown, "work_queue")

selected = [shown["claim_id"][index] for index in chosen_rows]
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
            problems = [
                *([actions.work(items.assign, selected, None if owner == "(unassigned)" else owner)]
                  if owner != "(no change)" else []),
                *([actions.work(items.set_status, selected, status)] if status != "(no change)" else []),
                *([actions.work(items.set_follow_up, selected, follow_up_on)] if follow_up_on or clear_follow_up else []),
            ]
            if any(problems):
                st.warning("; ".join(problem for problem in problems if problem))
            else:
                st.success(f"Saved for {len(selected)} claim(s).")
                st.rerun()

if len(selected) == 1:
    claim_id = selected[0]
    row = rows.filter(pl.col("claim_id") == claim_id).row(0, named=True)
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
                st.warning(problem) if problem else st.rerun()
        if row["work_status"] == "denied":
            with st.form("appeal", clear_on_submit=True):
                level = st.selectbox("Appeal level", list(appeals.LEVELS), format_func=appeals.LEVELS.get, key="appeal_level")
                sent = st.date_input("Sent on", value=as_of, key="appeal_sent")
                if st.form_submit_button("Record the appeal"):
                    problem = actions.work(appeals.record_appeal, claim_id, level, sent)
                    st.warning(problem) if problem else st.rerun()
    if row["appeal_level"] and not row["appeal_outcome"]:
        st.caption(f"{appeals.LEVELS[row['appeal_level']]} appeal sent {row['appeal_sent_date']}; decision due "
                   f"{row['decision_due_date']}. Its outcome is read from the payer's next 835, or can be set here from a letter.")
        with st.form("appeal_outcome", clear_on_submit=True):
            columns = st.columns(2)
            outcome = columns[0].selectbox("Outcome", list(appeals.OUTCOMES), format_func=appeals.OUTCOMES.get, key="outcome")
            decided = columns[1].date_input("Decided on", value=as_of, key="outcome_date")
            if st.form_submit_button("Set the outcome"):
                appeal_id = work_queue.latest_appeal_id(claim_id, as_of)
                problem = actions.work(appeals.set_outcome, appeal_id, outcome, decided)
                st.warning(problem) if problem else st.rerun()
    claim_detail.show(claim_id)

st.subheader("Appeals")
sent_appeals = work_queue.appeal_outcomes(as_of)
if sent_appeals.is_empty():
    st.info("No appeals recorded yet. Select a denied claim above to record one.")
else:
    st.caption("An appeal is overturned when the payer pays after it, in full or in part (read from the next 835, or set by hand); "
               "upheld when it denies again. Rates under 30 decided appeals get no interval.")
    rates = appeals.overturn_rates(sent_appeals).with_columns(
        pl.struct("overturn_rate", "interval_low", "interval_high", "too_few").map_elements(
            lambda rate: interval_note({"rate": rate["overturn_rate"], "interval": (rate["interval_low"], rate["interval_high"]),
                                        "too_few": rate["too_few"]}).replace("claims", "appeals"),
            return_dtype=pl.String).alias("interval"),
    ).drop("interval_low", "interval_high", "too_few")
    display.table(rates, labels={"payer_id": "Payer", "denial_category": "Denial category", "decided_appeals": "Decided",
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
