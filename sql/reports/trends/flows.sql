-- One row per period ($starts to $ends, the same length): the claims submitted and first adjudicated, first denied
-- and resolved in one pass, the payments received, and the payments and collectible amount of the claims served in
-- it, as of $as_of, for the payers and providers of $scope (the scope's check is filled in: etl/reports/scope.py).
-- Read by etl/reports/trends.py trend.
with
periods as (select unnest($starts) as period_start, unnest($ends) as period_end),
firsts as (select * from initial_adjudications where adjudicated_date <= $as_of and {payers_and_providers}),
balances as (select * from insurance_balances($as_of) where {payers_and_providers}),
-- counted as the KPIs count it, from the balances alone: a claim still on its one adjudication, paid by it
first_pass as (
    select first_adjudicated_date as adjudicated_date
    from balances
    where adjudication_count = 1 and last_status_code in ('1', '2', '3', '19')
        and paid_to_date_amount > 0 and paid_to_date_amount = paid_amount
),
payments as (
    select payment_date, paid_amount from claim_remittances
    where match_status = 'matched' and payment_date <= $as_of and {payers_and_providers}
),
-- each row joins the one period its date falls in; a dozen periods make the range join cheap
adjudicated as (
    select periods.period_end, count(*) as adjudicated_claims, count(*) filter (where firsts.is_denied) as first_denied_claims
    from firsts inner join periods on firsts.adjudicated_date between periods.period_start and periods.period_end
    group by periods.period_end
),
resolved as (
    select periods.period_end, count(*) as first_pass_resolved_claims
    from first_pass inner join periods on first_pass.adjudicated_date between periods.period_start and periods.period_end
    group by periods.period_end
),
submitted as (
    select periods.period_end, count(*) as submitted_claims
    from balances inner join periods on balances.first_submitted_date between periods.period_start and periods.period_end
    group by periods.period_end
),
served as (
    select
        periods.period_end,
        sum(balances.paid_to_date_amount) as served_payments_amount,
        -- patient payments are not in an 835, so what was moved to the patient leaves the denominator too
        sum(balances.charge_amount - balances.contractual_amount - balances.patient_responsibility_amount)
            as served_collectible_amount
    from balances inner join periods on balances.service_date_from between periods.period_start and periods.period_end
    group by periods.period_end
),
paid as (
    select periods.period_end, sum(payments.paid_amount) as payments_amount
    from payments inner join periods on payments.payment_date between periods.period_start and periods.period_end
    group by periods.period_end
)
select
    periods.period_end,
    coalesce(submitted.submitted_claims, 0) as submitted_claims,
    coalesce(adjudicated.adjudicated_claims, 0) as adjudicated_claims,
    coalesce(adjudicated.first_denied_claims, 0) as first_denied_claims,
    coalesce(resolved.first_pass_resolved_claims, 0) as first_pass_resolved_claims,
    coalesce(paid.payments_amount, 0) as payments_amount,
    coalesce(served.served_payments_amount, 0) as served_payments_amount,
    coalesce(served.served_collectible_amount, 0) as served_collectible_amount
from periods
left join submitted using (period_end)
left join adjudicated using (period_end)
left join resolved using (period_end)
left join served using (period_end)
left join paid using (period_end)
order by periods.period_end
