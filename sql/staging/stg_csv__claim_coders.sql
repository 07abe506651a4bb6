-- One row per claim and coder from a practice-management export (a later file may name another coder).
with

source as (
    select * from claim_coders
),

renamed as (
    select
        claim_id,
        coder_id,
        file_id,
        locator
    from source
)

select * from renamed
