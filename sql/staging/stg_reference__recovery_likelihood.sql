-- One row per worklist category and aging bucket: the share of a balance expected to be recovered.
with

source as (
    select * from ref_recovery_likelihood
),

renamed as (
    select
        work_category,
        aging_bucket,
        recovery_likelihood::decimal(5, 4) as recovery_likelihood
    from source
)

select * from renamed
