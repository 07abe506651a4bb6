-- One row per insurance claim (claim id and payer): the dates its money moved on, for stage lags and time to payment.
-- first_payment_date is the first remittance that paid something; final_payment_date the last one. Reversals and
-- crossover (secondary payer) payments are left out: they are not this payer paying this claim. Read from each
-- claim's current state (claim_states).
with

current_states as (
    select * from claim_states
    where valid_to is null and is_insurance
),

final as (
    select
        claim_id,
        payer_id,
        payer_name,
        rendering_npi,
        coder_id,
        charge_amount,
        first_service_date as service_date_from,
        first_submitted_date as submitted_date,
        first_adjudicated_date as first_remit_date,
        first_payment_date,
        final_payment_date,
        first_submitted_date - first_service_date as charge_lag_days,
        first_adjudicated_date - first_submitted_date as adjudication_days,
        final_payment_date - first_adjudicated_date as first_remit_to_final_payment_days,
        first_payment_date - first_submitted_date as days_to_first_payment
    from current_states
)

select * from final
