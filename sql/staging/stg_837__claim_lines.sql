-- One row per service line of a claim submission (837 loop 2400 SV1/SV2, or a claims CSV line).
with

source as (
    select * from claim_lines
),

renamed as (
    select
        claim_record_id,
        claim_id,
        line_number,
        procedure_code,
        modifiers,
        revenue_code,
        units,
        charge as charge_amount,
        service_date,
        line_control_number,
        locator
    from source
)

select * from renamed
