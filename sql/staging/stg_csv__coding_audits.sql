-- One row per code an auditor reviewed (coding-audits CSV or worksheet). dollar_impact is negative when overbilled.
with

source as (
    select * from coding_audits
),

renamed as (
    select
        claim_id,
        coder_id,
        auditor_id,
        audit_date,
        code_type,
        original_code,
        audited_code,
        finding,
        dollar_impact as dollar_impact_amount,
        file_id,
        locator
    from source
)

select * from renamed
