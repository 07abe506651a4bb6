-- The rules that apply to a payer (etl/reference/payer_rules.csv), as one struct. The two rules every model shares are
-- written here and nowhere else:
--   the fallback: a payer not listed takes the '*' row's days and tolerance;
--   insurance only: a payer is insurance unless its rule marks it self-pay. Self-pay claims are billed to the patient,
--   never answered by an 835, and left out of A/R, the worklist, the KPIs and the timelines.
create or replace macro payer_rules(claim_payer_id) as (
    select {
        'expected_days_to_pay': coalesce(listed.expected_days_to_pay, fallback.expected_days_to_pay),
        'timely_filing_days': coalesce(listed.timely_filing_days, fallback.timely_filing_days),
        'appeal_window_days': coalesce(listed.appeal_window_days, fallback.appeal_window_days),
        'appeal_decision_days': coalesce(listed.appeal_decision_days, fallback.appeal_decision_days),
        'underpayment_tolerance_share': coalesce(listed.underpayment_tolerance_share, fallback.underpayment_tolerance_share),
        'is_insurance': not coalesce(listed.is_self_pay, false)
    }
    from stg_reference__payer_rules as fallback
    left join stg_reference__payer_rules as listed on listed.payer_id = claim_payer_id
    where fallback.payer_id = '*'
)
