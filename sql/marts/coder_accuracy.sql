-- One row per coder: claims and codes audited and found right, and the count of each kind of error, for audited
-- claims inside a scope (etl/reports/scope.py, one struct), audited by as_of when given (a board pack as of an earlier
-- date; audited_claims keeps a claim's latest review, so a claim re-audited after as_of is left out). A table macro:
--   select * from coder_accuracy({'payers': [], 'providers': [], 'basis': 'service', 'start_date': null, 'end_date': null})
-- The Coder accuracy page adds Clopper-Pearson intervals (statsmodels) and the 95% target.
create or replace macro coder_accuracy(scope, as_of := null) as table

with

audited as (
    select *
    from audited_claims
    where in_scope(payer_id, rendering_npi, service_date_from, submitted_date, scope)
        and (as_of is null or audit_date <= as_of)
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
