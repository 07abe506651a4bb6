-- One row per claim drawn into a coding-audit sample, with its stratum, N_h and n_h.
with

source as (
    select * from audit_sample_claims
),

renamed as (
    select
        sample_id,
        claim_id,
        claim_record_id,
        coder_id,
        stratum,
        stratum_size,
        stratum_sample
    from source
)

select * from renamed
