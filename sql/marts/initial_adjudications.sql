-- One row per claim (claim id and payer): its first adjudication, the denial measure's denominator (HFMA/AAFP:
-- initial denial rate = claims whose first adjudication was a denial / claims adjudicated; reversals do not count).
with

firsts as (
    select * from claim_events
    where is_first_adjudication
),

carc as (
    select * from int_reference__carc_codes
),

final as (
    select
        firsts.remit_claim_id,
        firsts.claim_record_id,
        firsts.claim_id,
        firsts.payer_id,
        firsts.payer_name,
        firsts.rendering_npi,
        firsts.coder_id,
        firsts.claim_status_code,
        firsts.claim_status_code = '4' as is_denied,
        firsts.reason_carc_code as carc_code,
        code_description(carc.carc_description) as carc_description,
        firsts.reason_category as carc_category,
        firsts.is_preventable,
        firsts.charge_amount,
        case when firsts.claim_status_code = '4' then firsts.charge_amount else 0 end as denied_charge_amount,
        firsts.payment_date as adjudicated_date,
        date_trunc('month', firsts.payment_date)::date as adjudicated_month,
        date_trunc('week', firsts.payment_date)::date as adjudicated_week,
        firsts.service_date_from,
        firsts.submitted_date
    from firsts
    left join carc on carc.carc_code = firsts.reason_carc_code
)

select * from final
