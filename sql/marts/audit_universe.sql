-- One row per claim submission a coding-audit sample can draw from. etl/reports/audit_sampling.py narrows it to the
-- universe first, then keeps each claim's latest submission: the claim is the sampling unit. The procedure families a
-- universe may be narrowed to are a model of their own (claim_procedure_families), read only when a universe names one,
-- so the page's count of an unnarrowed universe never derives every line's prefixes.
with

submissions as (
    select * from int_claims__submissions
),

final as (
    select
        claim_record_id,
        claim_id,
        payer_id,
        rendering_npi,
        coder_id,
        service_date_from,
        submitted_date,
        charge_amount
    from submissions
)

select * from final
