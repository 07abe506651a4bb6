-- One row per Remittance Advice Remark Code with its X12 description (etl/reference/rarc.csv).
with

source as (
    select * from ref_rarc
),

renamed as (
    select
        code as rarc_code,
        description as rarc_description,
        is_alert = 'yes' as is_alert,
        status
    from source
)

select * from renamed
