-- One row per CLP02 claim status code with its description (etl/reference/claim_status_codes.csv).
with

source as (
    select * from ref_claim_status_codes
),

renamed as (
    select
        code as claim_status_code,
        description as claim_status,
        payer_sequence,
        outcome
    from source
)

select * from renamed
