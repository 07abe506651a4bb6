-- One row per claim (claim id and payer): its first adjudication, the denial measure's denominator (HFMA/AAFP:
-- initial denial rate = claims whose first adjudication was a denial / claims adjudicated; reversals do not count).
with

claim_payments as (
    select * from int_claim_payments__matched_to_claims
    where match_status = 'matched' and not is_reversal
),

denial_adjustments as (
    select * from int_adjustments__classified
    where adjustment_class = 'denial'
),

carc_descriptions as (
    select * from stg_reference__carc
),

denials_by_payment as (
    select
        remit_claim_id,
        sum(adjustment_amount) as denied_amount,
        arg_max(carc_code, adjustment_amount) as carc_code,
        arg_max(carc_category, adjustment_amount) as carc_category,
        arg_max(is_preventable, adjustment_amount) as is_preventable
    from denial_adjustments
    group by remit_claim_id
),

firsts as (
    select *
    from claim_payments
    qualify row_number() over (partition by claim_id, payer_id order by payment_date, remit_claim_id) = 1
),

submissions as (
    select * from int_claims__submissions
),

final as (
    select
        firsts.remit_claim_id,
        firsts.claim_record_id,
        firsts.claim_id,
        firsts.payer_id,
        submissions.payer_name,
        submissions.rendering_npi,
        firsts.claim_status_code,
        firsts.claim_status_code = '4' as is_denied,
        denials_by_payment.carc_code,
        carc_descriptions.carc_description,
        denials_by_payment.carc_category,
        coalesce(denials_by_payment.is_preventable, false) as is_preventable,
        firsts.charge_amount,
        case when firsts.claim_status_code = '4' then firsts.charge_amount else 0 end as denied_charge_amount,
        firsts.payment_date as adjudicated_date,
        date_trunc('month', firsts.payment_date)::date as adjudicated_month,
        submissions.service_date_from,
        submissions.submitted_date
    from firsts
    inner join submissions on submissions.claim_record_id = firsts.claim_record_id
    left join denials_by_payment on denials_by_payment.remit_claim_id = firsts.remit_claim_id
    left join carc_descriptions on carc_descriptions.carc_code = denials_by_payment.carc_code
)

select * from final
