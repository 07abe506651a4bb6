-- The claim_states rows of the claims being re-derived, read from their claim_events: one row per claim (claim id
-- and payer) and date on which its money changed, valid from that date until the next one.
-- The state follows the claim's current adjudication: its latest matched remittance that is not a reversal (a
-- reversal and its correction share a date, and the correction wins); a reversal with no correction reopens the whole
-- charge. A denial's adjustment stays open (it is recoverable); contractual write-offs and patient responsibility
-- (CLP05, 005010X221A1 loop 2100) leave the balance. A void (CLM05-3 8), or a replacement sent under another claim id,
-- closes the claim: nothing stays open with the payer.
with

refresh as (
    select * from ledger_refresh_claims
),

events as materialized (
    select claim_events.*
    from refresh
    inner join claim_events on claim_events.claim_id = refresh.claim_id
),

carc as (
    select * from stg_reference__carc_categories
),

submissions as (
    select * from events
    where event_kind = 'submission'
),

payments as (
    select * from events
    where event_kind = 'remittance' and match_status = 'matched'
),

firsts as (
    select
        claim_id,
        payer_id,
        min(submitted_date) as first_submitted_date,
        min(service_date_from) as first_service_date
    from submissions
    group by claim_id, payer_id
),

-- the submission that stands after each submission date: a closure that day, else the latest one sent that day
submission_days as (
    select *
    from submissions
    qualify row_number() over (
        partition by claim_id, payer_id, submitted_date order by superseded_by_claim_id is not null desc, claim_record_id desc
    ) = 1
),

payment_days as (
    select
        claim_id,
        payer_id,
        payment_date,
        -- the remittance that stands at the end of the day: a correction over its reversal, then the later one
        first(
            {'remit_claim_id': remit_claim_id, 'is_reversal': is_reversal, 'claim_status_code': claim_status_code,
             'paid_amount': paid_amount, 'contractual_amount': contractual_amount,
             'patient_responsibility_amount': patient_responsibility_amount, 'denial_carc_code': denial_carc_code}
            order by is_reversal, remit_claim_id desc
        ) as standing,
        sum(paid_amount) as day_paid_amount,
        count(*) filter (where not is_reversal) as day_adjudication_count,
        bool_or(not is_reversal and paid_amount > 0) as has_payment
    from payments
    group by claim_id, payer_id, payment_date
),

payment_running as (
    select
        *,
        sum(day_paid_amount) over to_date as paid_to_date_amount,
        sum(day_adjudication_count) over to_date as adjudication_count,
        min(payment_date) over to_date as first_remit_date,
        min(case when day_adjudication_count > 0 then payment_date end) over to_date as first_adjudicated_date,
        min(case when has_payment then payment_date end) over to_date as first_payment_date,
        max(case when has_payment then payment_date end) over to_date as final_payment_date
    from payment_days
    window to_date as (partition by claim_id, payer_id order by payment_date rows between unbounded preceding and current row)
),

state_dates as (
    select claim_id, payer_id, submitted_date as valid_from from submissions
    union
    -- a payment dated before the first submission counts from the first submission on
    select payments.claim_id, payments.payer_id, greatest(payments.payment_date, firsts.first_submitted_date)
    from payments
    inner join firsts on firsts.claim_id = payments.claim_id and firsts.payer_id = payments.payer_id
),

states as (
    select
        state_dates.valid_from,
        submission_days.claim_record_id,
        submission_days.claim_id,
        submission_days.payer_id,
        submission_days.payer_name,
        submission_days.patient_key,
        submission_days.rendering_npi,
        submission_days.coder_id,
        submission_days.is_insurance,
        submission_days.charge_amount,
        submission_days.service_date_from,
        submission_days.submitted_date,
        case
            when submission_days.frequency_code = '8' then 'void'
            when submission_days.superseded_by_claim_id is not null then 'replacement'
        end as closed_by,
        submission_days.superseded_by_claim_id,
        payment_running.payment_date as last_remit_date,
        payment_running.standing,
        payment_running.paid_to_date_amount,
        payment_running.adjudication_count,
        payment_running.first_remit_date,
        payment_running.first_adjudicated_date,
        payment_running.first_payment_date,
        payment_running.final_payment_date
    from state_dates
    asof inner join submission_days
        on submission_days.claim_id = state_dates.claim_id and submission_days.payer_id = state_dates.payer_id
        and submission_days.submitted_date <= state_dates.valid_from
    asof left join payment_running
        on payment_running.claim_id = state_dates.claim_id and payment_running.payer_id = state_dates.payer_id
        and payment_running.payment_date <= state_dates.valid_from
),

final as (
    select
        states.claim_record_id,
        states.claim_id,
        states.payer_id,
        states.payer_name,
        states.patient_key,
        states.rendering_npi,
        states.coder_id,
        states.is_insurance,
        states.standing.claim_status_code as last_status_code,
        states.standing.denial_carc_code as last_denial_carc_code,
        case when not states.standing.is_reversal then states.standing.remit_claim_id end as current_remit_claim_id,
        carc.carc_category as last_denial_category,
        states.charge_amount,
        coalesce(states.paid_to_date_amount, 0)::decimal(18, 2) as paid_to_date_amount,
        -- a claim whose latest word is a reversal owes its whole charge again
        case when states.standing.is_reversal then 0 else coalesce(states.standing.paid_amount, 0) end::decimal(18, 2)
            as paid_amount,
        case when states.standing.is_reversal then 0 else coalesce(states.standing.contractual_amount, 0) end::decimal(18, 2)
            as contractual_amount,
        case when states.standing.is_reversal then 0 else coalesce(states.standing.patient_responsibility_amount, 0) end
            ::decimal(18, 2) as patient_responsibility_amount,
        coalesce(states.adjudication_count, 0)::bigint as adjudication_count,
        states.service_date_from,
        firsts.first_service_date,
        firsts.first_submitted_date,
        states.submitted_date,
        states.first_remit_date,
        states.last_remit_date,
        states.first_adjudicated_date,
        states.first_payment_date,
        states.final_payment_date,
        states.closed_by,
        states.superseded_by_claim_id,
        states.valid_from,
        lead(states.valid_from) over (partition by states.claim_id, states.payer_id order by states.valid_from) as valid_to
    from states
    inner join firsts on firsts.claim_id = states.claim_id and firsts.payer_id = states.payer_id
    left join carc on carc.carc_code = states.standing.denial_carc_code
)

select
    * exclude (closed_by, superseded_by_claim_id, valid_from, valid_to),
    case when closed_by is null then charge_amount - paid_amount - contractual_amount - patient_responsibility_amount else 0 end
        ::decimal(18, 2) as balance_amount,
    closed_by,
    superseded_by_claim_id,
    valid_from,
    valid_to
from final
