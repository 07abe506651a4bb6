-- One row per Claim Adjustment Reason Code with its X12 description (etl/reference/carc.csv).
with

source as (
    select * from ref_carc
),

renamed as (
    select
        code as carc_code,
        description as carc_description,
        status
    from source
)

select * from renamed
