-- One row per service line payment (835 loop 2110, SVC).
with

source as (
    select * from remit_service_lines
),

renamed as (
    select
        remit_line_id,
        remit_claim_id,
        line_number,
        procedure_qualifier,
        procedure_code,
        modifiers,
        charge as charge_amount,
        paid as paid_amount,
        revenue_code,
        units,
        original_procedure_code,
        allowed as allowed_amount,
        service_date,
        line_control_number,
        file_id,
        locator
    from source
)

select * from renamed
