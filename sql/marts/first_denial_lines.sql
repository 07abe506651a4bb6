-- One row per service line of a claim whose first adjudication was a denial: what was billed on the denied claims.
with

firsts as (
    select * from initial_adjudications
    where is_denied
),

lines as (
    select * from stg_837__claim_lines
),

final as (
    select
        firsts.claim_record_id,
        firsts.claim_id,
        firsts.payer_id,
        firsts.rendering_npi,
        firsts.service_date_from,
        firsts.submitted_date,
        firsts.adjudicated_date,
        lines.line_number,
        lines.procedure_code,
        lines.charge_amount
    from firsts
    inner join lines on lines.claim_record_id = firsts.claim_record_id
)

select * from final
