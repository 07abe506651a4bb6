-- One row per 835 or CSV claim payment of a claim id, with how it was matched and where it came from.
with

payments as (
    select * from int_claim_payments__matched_to_claims
),

files as (
    select * from stg_loader__source_files
),

statuses as (
    select * from stg_reference__claim_status_codes
),

final as (
    select
        payments.remit_claim_id,
        payments.claim_id,
        payments.payment_date,
        payments.payer_id,
        payments.claim_status_code,
        statuses.claim_status as status,
        payments.charge_amount,
        payments.paid_amount,
        payments.patient_responsibility_amount,
        payments.match_status,
        payments.trace_number,
        payments.rendering_npi,
        files.source_file,
        payments.locator
    from payments
    inner join files on files.file_id = payments.file_id
    left join statuses on statuses.claim_status_code = payments.claim_status_code
)

select * from final
