-- One row per claim submission a coding-audit sample can draw from, with every leading part of its procedure codes
-- (1 to 5 characters) so a universe can be narrowed to a procedure family such as 992. etl/reports/audit_sampling.py
-- narrows it to the universe first, then keeps each claim's latest submission: the claim is the sampling unit.
with

submissions as (
    select * from int_claims__submissions
),

lines as (
    select * from stg_837__claim_lines
),

families as (
    select
        claim_record_id,
        list(distinct left(procedure_code, prefix_length)) as procedure_families
    from lines, range(1, 6) as prefixes(prefix_length)
    where procedure_code is not null
    group by claim_record_id
),

final as (
    select
        submissions.claim_record_id,
        submissions.claim_id,
        submissions.payer_id,
        submissions.rendering_npi,
        submissions.coder_id,
        submissions.service_date_from,
        submissions.submitted_date,
        submissions.charge_amount,
        coalesce(families.procedure_families, []) as procedure_families
    from submissions
    left join families on families.claim_record_id = submissions.claim_record_id
)

select * from final
