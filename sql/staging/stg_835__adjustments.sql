-- One row per CAS triplet (835 loops 2100 and 2110): group, CARC, amount and quantity; remit_line_id NULL at claim level.
with

source as (
    select * from remit_adjustments
),

renamed as (
    select
        remit_claim_id,
        remit_line_id,
        group_code,
        reason_code as carc_code,
        amount as adjustment_amount,
        quantity,
        file_id,
        locator
    from source
)

select * from renamed
