-- One row per appeal with its outcome: set by hand, else read from the claim's first remittance processed after the
-- appeal was sent (reversals skipped): denied again or nothing paid is upheld; paid and nothing left owed is
-- overturned; paid with a balance left is partially overturned. Undecided until such a remittance arrives.
-- The claim's denial category is the one standing when the appeal was sent.
with

appeals as (
    select * from stg_work__appeals
),

remittances as (
    select claim_id, payer_id, payment_date, claim_status_code, paid_amount
    from claim_events
    where event_kind = 'remittance' and match_status = 'matched' and not is_reversal
        and claim_id in (select claim_id from appeals)  -- the appealed claims only: a scan of every claim cost 0.1 s a view at 1M
),

decisions as (
    select
        appeals.appeal_id,
        arg_min(remittances.payment_date, remittances.payment_date) as decision_date,
        arg_min(remittances.claim_status_code, remittances.payment_date) as decision_status_code,
        arg_min(remittances.paid_amount, remittances.payment_date) as decision_paid_amount
    from appeals
    inner join remittances
        on remittances.claim_id = appeals.claim_id
        and remittances.payer_id = appeals.payer_id
        and remittances.payment_date > appeals.sent_date
    group by appeals.appeal_id
),

states as (
    select claim_id, payer_id, balance_amount, last_denial_carc_code, last_denial_category, valid_from, valid_to
    from claim_states
    where claim_id in (select claim_id from appeals)
),

judged as (
    select
        appeals.*,
        decisions.decision_date,
        decisions.decision_paid_amount,
        case
            when decisions.decision_date is null then null
            when decisions.decision_status_code = '4' or decisions.decision_paid_amount <= 0 then 'upheld'
            when after_decision.balance_amount <= 0 then 'overturned'
            else 'partially_overturned'
        end as inferred_outcome,
        at_appeal.last_denial_carc_code as denial_carc_code,
        coalesce(at_appeal.last_denial_category, 'other_denial') as denial_category
    from appeals
    left join decisions on decisions.appeal_id = appeals.appeal_id
    left join states as after_decision
        on after_decision.claim_id = appeals.claim_id and after_decision.payer_id = appeals.payer_id
        and after_decision.valid_from <= decisions.decision_date
        and (after_decision.valid_to is null or after_decision.valid_to > decisions.decision_date)
    left join states as at_appeal
        on at_appeal.claim_id = appeals.claim_id and at_appeal.payer_id = appeals.payer_id
        and at_appeal.valid_from <= appeals.sent_date
        and (at_appeal.valid_to is null or at_appeal.valid_to > appeals.sent_date)
),

final as (
    select
        appeal_id,
        claim_id,
        payer_id,
        appeal_level,
        sent_date,
        decision_due_date,
        recorded_by,
        denial_carc_code,
        denial_category,
        coalesce(manual_outcome, inferred_outcome) as outcome,
        case when manual_outcome is not null then 'set by hand' when inferred_outcome is not null then 'read from 835' end
            as outcome_source,
        case when manual_outcome is not null then manual_outcome_date else decision_date end as decision_date,
        decision_paid_amount
    from judged
)

select * from final
