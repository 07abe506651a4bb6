-- One row per code an auditor reviewed on a claim id, as it stands: the latest load of each code, with the file and
-- line it came from (int_coding_audits__current_findings; a re-loaded worksheet's earlier rows stay in coding_audits).
-- Read by the Claim page; audited_claims sums the latest review per claim.
with

findings as (
    select * from int_coding_audits__current_findings
),

final as (
    select
        claim_id,
        coder_id,
        auditor_id,
        code_type,
        original_code,
        audited_code,
        finding,
        dollar_impact_amount,
        audit_date,
        source_file,
        locator
    from findings
)

select * from final
