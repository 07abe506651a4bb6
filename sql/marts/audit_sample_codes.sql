-- One row per code of each claim drawn into a coding-audit sample: the auditors' worksheet, findings to fill in.
with

drawn as (
    select * from stg_audit__sample_claims
),

submissions as (
    select * from int_claims__submissions
),

codes as (
    select claim_record_id, 'CPT' as code_type, procedure_code as code, line_number as position
    from stg_837__claim_lines
    union all
    select claim_record_id, 'ICD10', diagnosis_code, 100 + position
    from stg_837__claim_diagnoses
),

final as (
    select
        drawn.sample_id,
        drawn.stratum,
        submissions.claim_id,
        submissions.coder_id,
        codes.code_type,
        codes.code,
        codes.position
    from drawn
    inner join submissions on submissions.claim_record_id = drawn.claim_record_id
    inner join codes on codes.claim_record_id = drawn.claim_record_id
)

select * from final
