-- One row per audited claim of a sample: its stratum, N_h, n_h and the overpayment found (audited_claims).
with

drawn as (
    select * from stg_audit__sample_claims
),

audited as (
    select * from audited_claims
),

final as (
    select
        drawn.sample_id,
        drawn.claim_id,
        drawn.stratum,
        drawn.stratum_size,
        drawn.stratum_sample,
        audited.overpayment,
        audited.is_claim_correct
    from drawn
    inner join audited on audited.claim_id = drawn.claim_id
)

select * from final
