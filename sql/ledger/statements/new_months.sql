-- One row per month end (period_end) from the month of the first claim state to the month of the latest event that
-- ledger_months lacks: the snapshots a load or a rebuild adds to monthly_ar (etl/ledger.py, etl/spark/marts.py).
with span as (
    select (select min(valid_from) from claim_states) as first_day, (select max(event_date) from claim_events) as last_day
)
select (date_trunc('month', day) + interval 1 month - interval 1 day)::date as period_end
from span, range(date_trunc('month', span.first_day), span.last_day + interval 1 day, interval 1 month) as months(day)
where span.first_day is not null
except
select month_end from ledger_months
