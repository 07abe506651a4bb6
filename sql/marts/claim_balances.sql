-- One row per claim (claim id and payer) as of a date: charge, payments, adjustments and the insurance balance.
-- A table macro: select * from claim_balances(date '2026-11-26').
-- The balance follows the claim's current adjudication: its latest remit that is not a reversal (a reversal and
-- its correction share a date, and the correction wins); a reversal with no correction reopens the whole charge.
-- A denial's adjustment stays open (it is recoverable); contractual write-offs and patient responsibility leave.
-- Patient responsibility is CLP05, the payer's own total for the claim (005010X221A1 2100 CLP05).
create or replace macro claim_balances(as_of) as table

with

submissions as (
    select * from stg_837__claims where submitted_date <= as_of
),

latest_submissions as (
    select * from int_claims__latest_submissions(as_of)
),

first_submissions as (
    select claim_id, payer_id, min(submitted_date) as first_submitted_date
    from submissions
    group by claim_id, payer_id
),

claim_payments as (
    select * from int_claim_payments__matched_to_claims
    where match_status = 'matched' and payment_date <= as_of
),

carc as (
    select * from stg_reference__carc_categories
),

adjustments as (
    select * from int_adjustments__classified
),

adjustments_by_payment as (
    select
        remit_claim_id,
        sum(adjustment_amount) filter (where group_code <> 'PR' and adjustment_class = 'contractual') as contractual_amount,
        sum(adjustment_amount) filter (where group_code <> 'PR' and adjustment_class = 'denial') as denied_amount,
        -- the denial reason that took the most money decides what to do next
        arg_max(carc_code, adjustment_amount) filter (where group_code <> 'PR' and adjustment_class = 'denial')
            as denial_carc_code
    from adjustments
    group by remit_claim_id
),

payments as (
    select
        claim_payments.*,
        adjustments_by_payment.contractual_amount,
        adjustments_by_payment.denied_amount,
        adjustments_by_payment.denial_carc_code
    from claim_payments
    left join adjustments_by_payment on adjustments_by_payment.remit_claim_id = claim_payments.remit_claim_id
),

history as (
    select
        claim_id,
        payer_id,
        sum(paid_amount) as paid_to_date_amount,
        count(*) filter (where not is_reversal) as adjudication_count,
        min(payment_date) as first_remit_date,
        max(payment_date) as last_remit_date
    from payments
    group by claim_id, payer_id
),

current_adjudications as (
    select *
    from payments
    qualify row_number() over (
        partition by claim_id, payer_id order by payment_date desc, is_reversal, remit_claim_id desc
    ) = 1
),

paid_by_claim as (
    select
        history.*,
        current_adjudications.claim_status_code as last_status_code,
        current_adjudications.denial_carc_code as last_denial_carc_code,
        case when not current_adjudications.is_reversal then current_adjudications.remit_claim_id end as current_remit_claim_id,
        -- a claim whose latest word is a reversal owes its whole charge again
        case when current_adjudications.is_reversal then 0 else current_adjudications.paid_amount end as paid_amount,
        case when current_adjudications.is_reversal then 0 else coalesce(current_adjudications.contractual_amount, 0) end
            as contractual_amount,
        case when current_adjudications.is_reversal then 0 else coalesce(current_adjudications.patient_responsibility_amount, 0) end
            as patient_responsibility_amount
    from history
    inner join current_adjudications
        on current_adjudications.claim_id = history.claim_id and current_adjudications.payer_id = history.payer_id
),

final as (
    select
        latest_submissions.claim_record_id,
        latest_submissions.claim_id,
        latest_submissions.payer_id,
        latest_submissions.payer_name,
        latest_submissions.patient_key,
        latest_submissions.rendering_npi,
        latest_submissions.coder_id,
        latest_submissions.is_insurance,
        paid_by_claim.last_status_code,
        paid_by_claim.last_denial_carc_code,
        paid_by_claim.current_remit_claim_id,
        carc.carc_category as last_denial_category,
        latest_submissions.charge_amount,
        coalesce(paid_by_claim.paid_to_date_amount, 0) as paid_to_date_amount,
        coalesce(paid_by_claim.paid_amount, 0) as paid_amount,
        coalesce(paid_by_claim.contractual_amount, 0) as contractual_amount,
        coalesce(paid_by_claim.patient_responsibility_amount, 0) as patient_responsibility_amount,
        latest_submissions.charge_amount - coalesce(paid_by_claim.paid_amount, 0)
            - coalesce(paid_by_claim.contractual_amount, 0)
            - coalesce(paid_by_claim.patient_responsibility_amount, 0) as balance_amount,
        coalesce(paid_by_claim.adjudication_count, 0) as adjudication_count,
        latest_submissions.service_date_from,
        first_submissions.first_submitted_date,
        latest_submissions.submitted_date,
        paid_by_claim.first_remit_date,
        paid_by_claim.last_remit_date,
        as_of - latest_submissions.service_date_from as days_since_service,
        aging_bucket(as_of - latest_submissions.service_date_from) as aging_bucket,
        aging_bucket(as_of - first_submissions.first_submitted_date) as submission_aging_bucket
    from latest_submissions
    inner join first_submissions
        on first_submissions.claim_id = latest_submissions.claim_id and first_submissions.payer_id = latest_submissions.payer_id
    left join paid_by_claim
        on paid_by_claim.claim_id = latest_submissions.claim_id and paid_by_claim.payer_id = latest_submissions.payer_id
    left join carc on carc.carc_code = paid_by_claim.last_denial_carc_code
)

select * from final
