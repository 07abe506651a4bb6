-- One row per 835 payment (cheque or EFT, one transaction set). Read by the reconciliation marts.
with

source as (
    select * from remit_payments
),

renamed as (
    select
        payment_id,
        file_id,
        payer_id,
        payer_name,
        payee_npi,
        trace_number,
        method as payment_method,
        amount as payment_amount,
        payment_date,
        locator
    from source
)

select * from renamed
