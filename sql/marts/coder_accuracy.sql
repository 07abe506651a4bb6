-- One row per coder: claims and codes audited and found right, and the count of each kind of error.
-- Intervals and the 95% target comparison are drawn by etl/audit_sampling.py (Clopper-Pearson, statsmodels).
with

audited as (
    select * from audited_claims
),

final as (
    select
        coder_id,
        count(*) as claims_audited,
        count(*) filter (where is_claim_correct) as claims_correct,
        sum(codes_audited)::bigint as codes_audited,
        sum(codes_correct)::bigint as codes_correct,
        sum(upcoded)::bigint as upcoded,
        sum(downcoded)::bigint as downcoded,
        sum(wrong_code)::bigint as wrong_code,
        sum(missing)::bigint as missing,
        sum(extra)::bigint as extra,
        sum(overpayment) as overpayment
    from audited
    group by coder_id
)

select * from final
