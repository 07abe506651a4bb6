-- One row per input record that did not load, with its reason and raw text (which may hold PHI).
with

source as (
    select * from quarantine
),

renamed as (
    select
        file_id,
        locator,
        reason,
        raw,
        quarantined_at
    from source
)

select * from renamed
