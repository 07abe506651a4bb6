-- One row per diagnosis of each submission of a claim, in position. Read by the claim drill-down.
with

diagnoses as (
    select * from stg_837__claim_diagnoses
),

final as (
    select
        claim_id,
        claim_record_id,
        position,
        diagnosis_code as code,
        qualifier,
        locator
    from diagnoses
)

select * from final
