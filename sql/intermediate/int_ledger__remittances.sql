-- One row per claim payment (835 CLP or remits CSV) of the claims being re-derived, with the submission it answers
-- and its CAS summed by kind. match_status: matched (CLP01 = CLM01, same payer, the latest submission sent on or
-- before the payment); secondary payer (a crossover from a payer the claim was not sent to: CLP02 2 or 3, or a payer
-- the claim's COB loops 2320/2330B name, tied to the claim sent to the primary); no claim on file; payer mismatch (the id exists under another payer); claim id reused
-- (two original claims share the id and payer, so the payment cannot be placed).
with

refresh as (
    select * from ledger_refresh_claims
),

claim_payments as materialized (
    select claim_payments.*
    from refresh
    inner join stg_835__claim_payments as claim_payments on claim_payments.claim_id = refresh.claim_id
),

payments as (
    select * from stg_835__payments
),

-- read three times below: materialised once, so the plan stays small and the loader's refresh stays cheap
submissions as materialized (
    select * from int_ledger__submissions
),

adjustments as (
    select * from int_ledger__adjustments
),

other_payers as (
    select distinct other_payers.claim_id, other_payers.payer_id
    from refresh
    inner join stg_837__claim_other_payers as other_payers on other_payers.claim_id = refresh.claim_id
),

claim_ids as (
    select
        claim_id,
        payer_id,
        count(*) filter (where is_original) as original_count
    from submissions
    group by claim_id, payer_id
),

paid_by_payer as (
    select
        claim_payments.*,
        payments.payer_id,
        payments.payment_date,
        payments.trace_number
    from claim_payments
    inner join payments on payments.payment_id = claim_payments.payment_id
),

candidates as (
    select
        paid_by_payer.remit_claim_id,
        submissions.claim_record_id,
        -- the same payer's latest submission sent on or before the payment is the one it answers
        row_number() over (
            partition by paid_by_payer.remit_claim_id
            order by (submissions.payer_id = paid_by_payer.payer_id) desc,
                (submissions.submitted_date <= paid_by_payer.payment_date) desc, submissions.submitted_date desc,
                submissions.claim_record_id desc
        ) as preference
    from paid_by_payer
    inner join submissions on submissions.claim_id = paid_by_payer.claim_id
),

statuses as (
    select
        paid_by_payer.*,
        case
            when not exists (select 1 from claim_ids where claim_ids.claim_id = paid_by_payer.claim_id) then 'no claim on file'
            when same_payer.claim_id is null and (paid_by_payer.claim_status_code in ('2', '3') or exists (
                select 1 from other_payers
                where other_payers.claim_id = paid_by_payer.claim_id and other_payers.payer_id = paid_by_payer.payer_id
            )) then 'secondary payer'
            when same_payer.claim_id is null then 'payer mismatch'
            when same_payer.original_count > 1 then 'claim id reused'
            else 'matched'
        end as match_status
    from paid_by_payer
    left join claim_ids as same_payer
        on same_payer.claim_id = paid_by_payer.claim_id and same_payer.payer_id = paid_by_payer.payer_id
),

adjustments_by_payment as (
    select
        remit_claim_id,
        sum(adjustment_amount) filter (where group_code = 'PR') as cas_patient_responsibility_amount,
        sum(adjustment_amount) filter (where group_code <> 'PR' and adjustment_class = 'contractual') as contractual_amount,
        -- a denial the payer keeps (not moved to the patient) stays in the balance: it can be recovered
        sum(adjustment_amount) filter (where group_code <> 'PR' and adjustment_class = 'denial') as denied_amount,
        -- the denial reason that took the most money decides what to do next
        arg_max(carc_code, adjustment_amount) filter (where group_code <> 'PR' and adjustment_class = 'denial')
            as denial_carc_code,
        -- the denial measures read every denial-class CARC, whatever its group
        arg_max(carc_code, adjustment_amount) filter (where adjustment_class = 'denial') as reason_carc_code,
        arg_max(carc_category, adjustment_amount) filter (where adjustment_class = 'denial') as reason_category,
        arg_max(is_preventable, adjustment_amount) filter (where adjustment_class = 'denial') as is_preventable
    from adjustments
    group by remit_claim_id
),

placed as (
    select
        statuses.*,
        case when statuses.match_status in ('matched', 'secondary payer') then candidates.claim_record_id end
            as claim_record_id
    from statuses
    left join candidates
        on candidates.remit_claim_id = statuses.remit_claim_id and candidates.preference = 1
),

final as (
    select
        placed.remit_claim_id,
        placed.payment_id,
        placed.claim_id,
        placed.payer_id,
        placed.claim_record_id,
        placed.claim_status_code,
        placed.is_reversal,
        placed.match_status,
        placed.payer_claim_id,
        placed.received_date,
        placed.payment_date,
        placed.trace_number,
        placed.charge_amount,
        placed.paid_amount,
        placed.patient_responsibility_amount,
        adjustments_by_payment.cas_patient_responsibility_amount,
        adjustments_by_payment.contractual_amount,
        adjustments_by_payment.denied_amount,
        adjustments_by_payment.denial_carc_code,
        adjustments_by_payment.reason_carc_code,
        adjustments_by_payment.reason_category,
        coalesce(adjustments_by_payment.is_preventable, false) as is_preventable,
        placed.match_status = 'matched' and not placed.is_reversal and row_number() over (
            partition by placed.claim_id, placed.payer_id, placed.match_status = 'matched' and not placed.is_reversal
            order by placed.payment_date, placed.remit_claim_id
        ) = 1 as is_first_adjudication,
        -- the submission this payment answers
        submissions.payer_name,
        submissions.rendering_npi,
        submissions.coder_id,
        submissions.service_date_from,
        submissions.submitted_date,
        submissions.is_insurance,
        placed.file_id,
        placed.locator
    from placed
    left join submissions on submissions.claim_record_id = placed.claim_record_id
    left join adjustments_by_payment on adjustments_by_payment.remit_claim_id = placed.remit_claim_id
)

select * from final
