-- One row per remark code (RARC) sent with a first denial, once per claim payment: what the payer said.
with

firsts as (
    select * from initial_adjudications
    where is_denied
),

remarks as (
    select distinct remit_claim_id, rarc_code from stg_835__remarks
),

rarc as (
    select * from int_reference__rarc_codes
),

final as (
    select
        firsts.remit_claim_id,
        firsts.claim_id,
        firsts.payer_id,
        firsts.rendering_npi,
        firsts.service_date_from,
        firsts.submitted_date,
        firsts.adjudicated_date,
        firsts.denied_charge_amount,
        remarks.rarc_code,
        code_description(rarc.rarc_description) as rarc_description
    from firsts
    inner join remarks on remarks.remit_claim_id = firsts.remit_claim_id
    left join rarc on rarc.rarc_code = remarks.rarc_code
)

select * from final
