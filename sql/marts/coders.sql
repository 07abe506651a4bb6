-- One row per coder a claim names (on the claim, or in the practice-management export).
with

submissions as (
    select * from int_claims__submissions
),

final as (
    select distinct coder_id
    from submissions
    where coder_id is not null
)

select * from final
