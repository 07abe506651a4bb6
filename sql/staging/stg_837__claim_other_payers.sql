-- One row per other payer of a claim submission (837 loops 2320/2330, coordination of benefits).
with

source as (
    select * from claim_other_payers
),

renamed as (
    select
        claim_record_id,
        claim_id,
        payer_sequence,
        payer_id,
        payer_name,
        subscriber_key,
        relationship_code,
        paid as paid_amount,
        file_id,
        locator
    from source
)

select * from renamed
