-- One row per service line of each submission of a claim. Read by the claim drill-down.
with

lines as (
    select * from stg_837__claim_lines
),

final as (
    select
        claim_id,
        claim_record_id,
        line_number,
        procedure_code,
        array_to_string(modifiers, ':') as modifiers,
        revenue_code,
        units,
        charge_amount as charge,
        service_date,
        locator
    from lines
)

select * from final
