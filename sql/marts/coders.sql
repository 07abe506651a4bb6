-- One row per coder a claim names (on the claim, or in the practice-management export).
with

submissions as (
    select * from int_claims__submissions
),

final as (
    select
        coder_id,
        count(distinct claim_id) as claim_count
    from submissions
    where coder_id is not null
    group by coder_id
)

select * from final
