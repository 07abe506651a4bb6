-- One row per diagnosis of a claim submission (837 HI), principal first.
with

source as (
    select * from claim_diagnoses
),

renamed as (
    select
        claim_record_id,
        claim_id,
        position,
        code as diagnosis_code,
        qualifier,
        locator
    from source
)

select * from renamed
