-- One row per audited claim of a sample: its stratum, N_h, n_h and the overpayment found (the negative of the
-- auditors' dollar impact). Only findings loaded after the sample was drawn count, so an older audit of a drawn claim
-- never judges a new sample; of those, the latest load of each code (int_coding_audits__current_findings) and the
-- claim's latest review by audit date, as audited_claims keeps them.
with

samples as (
    select * from stg_audit__samples
),

drawn as (
    select * from stg_audit__sample_claims
),

findings as (
    select * from int_coding_audits__current_findings
),

drawn_claims as (
    -- a claim id billed to two payers is drawn as two rows; its findings count once
    select distinct
        sample_id,
        claim_id
    from drawn
),

sample_findings as (
    select
        drawn_claims.sample_id,
        findings.claim_id,
        findings.finding,
        findings.dollar_impact_amount
    from drawn_claims
    inner join samples on samples.sample_id = drawn_claims.sample_id
    inner join findings
        on findings.claim_id = drawn_claims.claim_id
        and findings.loaded_at > samples.drawn_at
    qualify findings.audit_date = max(findings.audit_date) over (
        partition by drawn_claims.sample_id, findings.claim_id
    )
),

reviews as (
    select
        sample_id,
        claim_id,
        -sum(dollar_impact_amount) as overpayment,
        count(*) filter (where finding <> 'agree') = 0 as is_claim_correct
    from sample_findings
    group by sample_id, claim_id
),

final as (
    select
        drawn.sample_id,
        drawn.claim_id,
        drawn.stratum,
        drawn.stratum_size,
        drawn.stratum_sample,
        reviews.overpayment,
        reviews.is_claim_correct
    from drawn
    inner join reviews
        on reviews.sample_id = drawn.sample_id
        and reviews.claim_id = drawn.claim_id
)

select * from final
