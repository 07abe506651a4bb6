-- One row per claim payment (835 loop 2100, CLP), reversals kept. Read by the ledger (int_ledger__remittances, int_ledger__paid_lines).
with

source as (
    select * from remit_claims
),

renamed as (
    select
        remit_claim_id,
        payment_id,
        claim_id,
        payer_claim_id,
        status_code as claim_status_code,
        status_code = '22' as is_reversal,
        status_code = '4' as is_denied,
        charge as charge_amount,
        paid as paid_amount,
        patient_responsibility as patient_responsibility_amount,
        received_date,
        service_date_from,
        file_id,
        locator
    from source
)

select * from renamed
