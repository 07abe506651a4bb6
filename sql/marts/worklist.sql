-- One row per insurance claim a biller should work as of a date, ranked by priority_score.
-- A table macro: select * from worklist(date '2026-11-26') order by priority_score desc.
-- On it: claims with no answer yet, denials not yet resolved, partial payments with a balance left, and paid claims
-- whose lines the payer allowed below its usual rate (underpaid_lines; the shortfall is underpaid_amount).
-- priority_score = (balance + underpaid amount) x recovery likelihood (etl/reference/recovery_likelihood.csv, by
--                  category and age) x deadline boost (2 within 30 days of the deadline, 1.5 within 60, else 1);
--                  0 once past it. A claim with no answer that was first sent inside its filing limit has met it:
--                  once the limit is behind it, it has no deadline pending and is followed up, never written off. priority_reason says the same in words, with the row's own figures.
-- A claim with no answer that is not yet past its payer's expected days to pay is labelled is_not_yet_due; the
-- worklist ranks those below every claim that is due (etl/reports/worklist.py).
create or replace macro worklist(as_of) as table

with

underpaid as (
    select claim_record_id, sum(shortfall_amount) as underpaid_amount
    from underpaid_lines(as_of)
    group by claim_record_id
),

balances as (
    select claims.*, coalesce(underpaid.underpaid_amount, 0) as underpaid_amount
    from insurance_balances(as_of) as claims
    left join underpaid on underpaid.claim_record_id = claims.claim_record_id
),

rules as (
    select payer_id, payer_rules(payer_id) as rules
    from (select distinct payer_id from claim_states)
),

carc as (
    select * from stg_reference__carc_categories
),

likelihood as (
    select * from stg_reference__recovery_likelihood
),

with_rules as (
    select
        balances.*,
        rules.rules.expected_days_to_pay as expected_days_to_pay,
        rules.rules.timely_filing_days as timely_filing_days,
        rules.rules.appeal_window_days as appeal_window_days
    from balances
    inner join rules on rules.payer_id is not distinct from balances.payer_id
),

open_claims as (
    select
        *,
        case
            when adjudication_count = 0 then 'no_response'
            when last_status_code = '4' then coalesce(last_denial_category, 'other_denial')
            when balance_amount <= 0 then 'underpayment'
            else 'partial_payment'
        end as work_category,
        case
            when adjudication_count = 0 then 'no response'
            when last_status_code = '4' then 'denied'
            when balance_amount <= 0 then 'underpaid'
            else 'partially paid'
        end as work_status,
        as_of - submitted_date > expected_days_to_pay as is_past_expected_days,
        -- no answer yet: the filing limit runs from the date of service, and a first submission inside it meets it
        -- for good (a payer that lost the claim takes it again with proof of timely filing); after a remit, the
        -- appeal window runs from it. A submission dated before the service (an 837 BHT04 that predates its claims,
        -- loaded with a warning) proves nothing.
        first_submitted_date between service_date_from and service_date_from + timely_filing_days as is_filed_on_time,
        case
            when adjudication_count > 0 then 'appeal window'
            when is_filed_on_time and as_of > service_date_from + timely_filing_days then 'filed on time'
            else 'timely filing'
        end as deadline_basis,
        case deadline_basis
            when 'timely filing' then service_date_from + timely_filing_days
            when 'appeal window' then last_remit_date + appeal_window_days
        end as deadline_date,
        deadline_date - as_of as deadline_days_left
    from with_rules
    where balance_amount > 0 or underpaid_amount > 0
),

final as (
    select
        open_claims.claim_record_id,
        open_claims.claim_id,
        open_claims.payer_id,
        open_claims.payer_name,
        open_claims.patient_key,
        open_claims.rendering_npi,
        open_claims.service_date_from,
        open_claims.submitted_date,
        open_claims.last_remit_date,
        open_claims.work_status,
        open_claims.last_status_code,
        open_claims.last_denial_carc_code,
        open_claims.work_category,
        open_claims.balance_amount,
        open_claims.underpaid_amount,
        as_of - open_claims.submitted_date as days_outstanding,
        open_claims.work_status = 'no response' and open_claims.is_past_expected_days as is_past_expected_pay_date,
        open_claims.work_status = 'no response' and not open_claims.is_past_expected_days as is_not_yet_due,
        open_claims.submitted_date + open_claims.expected_days_to_pay as expected_pay_date,
        open_claims.aging_bucket,
        open_claims.deadline_days_left,
        open_claims.deadline_date,
        open_claims.deadline_basis,
        open_claims.first_submitted_date,
        open_claims.is_filed_on_time,
        coalesce(open_claims.deadline_days_left < 0, false) as is_past_deadline,
        case
            when open_claims.deadline_days_left < 0 then 'Write-off review: past the timely-filing or appeal deadline'
            when open_claims.deadline_basis = 'filed on time' then format(
                'Follow up with proof of timely filing: first sent {} ({} days after service, inside the {}-day limit); check claim status (276/277) and resubmit with the proof if the payer has no record of it',
                open_claims.first_submitted_date, open_claims.first_submitted_date - open_claims.service_date_from,
                open_claims.timely_filing_days)
            when open_claims.work_status = 'no response' then 'Check claim status with the payer (276/277); resubmit if it is not on file'
            when open_claims.work_status = 'partially paid' then 'Compare the payment with the contract; appeal an underpayment'
            when open_claims.work_status = 'underpaid' then 'Appeal the underpayment: allowed below the payer''s usual rate (see the lines)'
            else coalesce(carc.next_action, 'Read the remark codes and correct or appeal')
        end as next_action,
        scored.recovery_likelihood,
        scored.deadline_boost,
        round((open_claims.balance_amount + open_claims.underpaid_amount) * scored.recovery_likelihood * scored.deadline_boost, 2)
            ::decimal(18, 2) as priority_score,
        format('${:,.2f}', open_claims.balance_amount + open_claims.underpaid_amount)
            || ' at stake × ' || format('{:.0f}%', scored.recovery_likelihood * 100) || ' likely to be recovered ('
            || replace(open_claims.work_category, '_', ' ') || ', ' || open_claims.aging_bucket || ' days) × '
            || format('{}', scored.deadline_boost) || case
                when open_claims.deadline_days_left < 0 then ' (past the deadline)'
                when open_claims.deadline_basis = 'filed on time' then ' (filed on time: no deadline pending)'
                when open_claims.deadline_days_left <= 60 then format(' (deadline in {} days)', open_claims.deadline_days_left)
                else ' (no deadline within 60 days)'
            end as priority_reason
    from open_claims
    left join carc on carc.carc_code = open_claims.last_denial_carc_code
    left join likelihood as by_category
        on by_category.work_category = open_claims.work_category and by_category.aging_bucket = open_claims.aging_bucket
    left join likelihood as any_category
        on any_category.work_category = '*' and any_category.aging_bucket = open_claims.aging_bucket
    cross join lateral (
        select
            coalesce(by_category.recovery_likelihood, any_category.recovery_likelihood) as recovery_likelihood,
            case
                when open_claims.deadline_days_left < 0 then 0
                when open_claims.deadline_days_left <= 30 then 2
                when open_claims.deadline_days_left <= 60 then 1.5
                else 1
            end::decimal(2, 1) as deadline_boost
    ) as scored
)

select * from final
