-- One row per claim and coder from a practice-management export; the latest file's word on a claim wins.
with

source as (
    select * from claim_coders
),

latest as (
    select
        claim_id,
        arg_max(coder_id, file_id) as coder_id
    from source
    group by claim_id
)

select * from latest
