-- One row per period end, payer, rendering provider and aging bucket: the claims' contribution to the A/R snapshot
-- at that period end. Open A/R by aging bucket (by date of service, as the KPIs age it), and the charges served in
-- the days to the period end that days in A/R divides by (etl/measures.py CHARGE_WINDOW_DAYS, the charge_window).
-- The states are claim_states or the refreshed claims' rows of it (refreshed_states.sql), the ends a relation of
-- period_end dates (stored_months.sql, new_months.sql). Summed into monthly_ar by etl/ledger.py and
-- etl/spark/marts.py; read as it stands by etl/reports/trends.py at a date that is not a month end.
with by_age as (
    select
        ends.period_end as month_end,
        states.payer_id,
        states.rendering_npi,
        ends.period_end - states.service_date_from as age_in_days,
        count(*) as claim_count,
        count(*) filter (where states.balance_amount > 0) as open_claim_count,
        coalesce(sum(states.balance_amount) filter (where states.balance_amount > 0), 0) as balance_amount,
        coalesce(sum(states.charge_amount) filter (
            where states.service_date_from > ends.period_end - {charge_window} and states.service_date_from <= ends.period_end
        ), 0) as recent_charge_amount
    from {states} as states
    inner join {ends} as ends
        on states.valid_from <= ends.period_end and (states.valid_to is null or states.valid_to > ends.period_end)
    where states.is_insurance
        and (states.balance_amount > 0
             or (states.service_date_from > ends.period_end - {charge_window} and states.service_date_from <= ends.period_end))
    group by all
)
-- bucketed after grouping by age: the bucket lookup runs once per age, not once per claim
select
    month_end,
    payer_id,
    rendering_npi,
    aging_bucket(age_in_days) as aging_bucket,
    sum(claim_count)::bigint as claim_count,
    sum(open_claim_count)::bigint as open_claim_count,
    sum(balance_amount)::decimal(18, 2) as balance_amount,
    sum(recent_charge_amount)::decimal(18, 2) as recent_charge_amount
from by_age
group by all
