-- One row per audited claim (claim id and coder): codes reviewed and found right, whether the whole claim was coded
-- right, and the overpayment (the negative of the auditors' dollar impact: positive when the claim overbilled).
-- The claim's payer, provider and dates come from its latest submission, so pages can scope it like any claim.
-- It reads the current findings only: a worksheet loaded again replaces its earlier findings of the same codes.
with

audits as (
    select * from int_coding_audits__current_findings
),

latest_review as (
    -- a claim re-audited on a later date keeps only its latest review
    select *
    from audits
    qualify audit_date = max(audit_date) over (partition by claim_id)
),

submissions as (
    select *
    from int_claims__submissions
    qualify row_number() over (partition by claim_id order by submitted_date desc, claim_record_id desc) = 1
),

reviews as (
    select
        claim_id,
        any_value(coder_id) as coder_id,
        any_value(auditor_id) as auditor_id,
        max(audit_date) as audit_date,
        date_trunc('month', max(audit_date))::date as audit_month,
        count(*) as codes_audited,
        count(*) filter (where finding = 'agree') as codes_correct,
        count(*) filter (where finding <> 'agree') = 0 as is_claim_correct,
        count(*) filter (where finding = 'upcoded') as upcoded,
        count(*) filter (where finding = 'downcoded') as downcoded,
        count(*) filter (where finding = 'wrong_code') as wrong_code,
        count(*) filter (where finding = 'missing') as missing,
        count(*) filter (where finding = 'extra') as extra,
        -sum(dollar_impact_amount) as overpayment
    from latest_review
    group by claim_id
),

final as (
    select
        reviews.*,
        submissions.payer_id,
        submissions.rendering_npi,
        submissions.service_date_from,
        submissions.submitted_date
    from reviews
    left join submissions using (claim_id)
)

select * from final
