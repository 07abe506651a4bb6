-- One row per claim submission and procedure family: every leading part (1 to 5 characters) of its procedure codes,
-- so an audit universe can be narrowed to a family such as 992 (etl/reports/audit_sampling.py).
with

lines as (
    select * from stg_837__claim_lines
),

final as (
    select distinct
        claim_record_id,
        left(procedure_code, prefix_length) as procedure_family
    from lines, range(1, 6) as prefixes(prefix_length)
    where procedure_code is not null
)

select * from final
