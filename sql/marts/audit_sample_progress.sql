-- One row per coding-audit sample drawn, with how many of its claims auditors have reviewed so far.
with

samples as (
    select * from stg_audit__samples
),

audited as (
    -- the sample's own findings: loaded after it was drawn (audit_sample_results)
    select * from audit_sample_results
),

final as (
    select
        samples.sample_id,
        samples.drawn_at,
        samples.seed,
        samples.method,
        samples.allocation,
        samples.universe_size,
        samples.sample_size,
        samples.purpose,
        samples.probe_sample_id,
        count(audited.claim_id) as claims_audited,
        count(audited.claim_id) filter (where not audited.is_claim_correct) as claims_in_error
    from samples
    left join audited on audited.sample_id = samples.sample_id
    group by all
)

select * from final
