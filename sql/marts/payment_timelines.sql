-- One row per claim (claim id and payer): the dates its money moved on, for stage lags and time to payment.
-- first_payment_date is the first remittance that paid something; final_payment_date the last one. Reversals and
-- crossover (secondary payer) payments are left out: they are not this payer paying this claim. Self-pay claims,
-- never sent to a payer, are left out too.
with

submissions as (
    select * from int_claims__submissions
    where is_insurance
),

claims as (
    select
        claim_id,
        payer_id,
        arg_max(payer_name, submitted_date) as payer_name,
        arg_max(rendering_npi, submitted_date) as rendering_npi,
        arg_max(coder_id, submitted_date) as coder_id,
        arg_max(charge_amount, submitted_date) as charge_amount,
        min(service_date_from) as service_date_from,
        min(submitted_date) as submitted_date
    from submissions
    group by claim_id, payer_id
),

claim_payments as (
    select * from int_claim_payments__matched_to_claims
    where match_status = 'matched' and not is_reversal
),

remit_dates as (
    select
        claim_id,
        payer_id,
        min(payment_date) as first_remit_date,
        min(payment_date) filter (where paid_amount > 0) as first_payment_date,
        max(payment_date) filter (where paid_amount > 0) as final_payment_date
    from claim_payments
    group by claim_id, payer_id
),

final as (
    select
        claims.*,
        remit_dates.first_remit_date,
        remit_dates.first_payment_date,
        remit_dates.final_payment_date,
        claims.submitted_date - claims.service_date_from as charge_lag_days,
        remit_dates.first_remit_date - claims.submitted_date as adjudication_days,
        remit_dates.final_payment_date - remit_dates.first_remit_date as first_remit_to_final_payment_days,
        remit_dates.first_payment_date - claims.submitted_date as days_to_first_payment
    from claims
    left join remit_dates on remit_dates.claim_id = claims.claim_id and remit_dates.payer_id = claims.payer_id
)

select * from final
