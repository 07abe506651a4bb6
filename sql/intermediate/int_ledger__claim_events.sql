-- The claim_events rows of the claims being re-derived: each submission (submitted, replaced or voided, by CLM05-3)
-- and each claim payment (adjudicated, or reversed by CLP02 22) in one shape. The loader writes them to claim_events.
-- A claim replaced or voided under another claim id (REF*F8, int_claims__replaced_by_control_number) gets a replaced or voided event
-- of its own on that date, carrying its standing submission, so its state closes.
with

refresh as (
    select * from ledger_refresh_claims
),

submissions as (
    select * from int_ledger__submissions
),

replacements as (
    select * from int_claims__replaced_by_control_number
    where replaced_claim_id <> claim_id
),

remittances as (
    select * from int_ledger__remittances
),

submission_events as (
    select
        'submission' as event_kind,
        case frequency_code when '7' then 'replaced' when '8' then 'voided' else 'submitted' end as event_type,
        null::varchar as superseded_by_claim_id,
        submitted_date as event_date,
        claim_id,
        payer_id,
        claim_record_id,
        null::bigint as remit_claim_id,
        null::bigint as payment_id,
        payer_name,
        patient_key,
        billing_npi,
        rendering_npi,
        coder_id,
        claim_type,
        frequency_code,
        is_original,
        place_of_service,
        service_date_from,
        service_date_to,
        submitted_date,
        is_insurance,
        null::varchar as claim_status_code,
        false as is_reversal,
        null::varchar as match_status,
        null::varchar as payer_claim_id,
        null::date as received_date,
        null::date as payment_date,
        null::varchar as trace_number,
        charge_amount,
        null::decimal(18, 2) as paid_amount,
        null::decimal(18, 2) as patient_responsibility_amount,
        null::decimal(18, 2) as cas_patient_responsibility_amount,
        null::decimal(18, 2) as contractual_amount,
        null::decimal(18, 2) as denied_amount,
        null::varchar as denial_carc_code,
        null::varchar as reason_carc_code,
        null::varchar as reason_category,
        false as is_preventable,
        false as is_first_adjudication,
        file_id,
        locator
    from submissions
),

closure_events as (
    -- the replaced claim's submission standing when the replacement was sent, closed on the replacement's date
    select
        submission_events.* replace (
            case replacements.frequency_code when '8' then 'voided' else 'replaced' end as event_type,
            replacements.claim_id as superseded_by_claim_id,
            replacements.submitted_date as event_date,
            replacements.frequency_code as frequency_code,
            false as is_original,
            replacements.submitted_date as submitted_date
        )
    from replacements
    inner join refresh on refresh.claim_id = replacements.replaced_claim_id
    inner join submission_events
        on submission_events.claim_id = replacements.replaced_claim_id
        and submission_events.payer_id is not distinct from replacements.payer_id
        and submission_events.submitted_date <= replacements.submitted_date
    qualify row_number() over (
        partition by replacements.claim_record_id
        order by submission_events.submitted_date desc, submission_events.claim_record_id desc
    ) = 1
),

remittance_events as (
    select
        'remittance' as event_kind,
        -- After the first adjudication, the payer either reverses it and sends a correction (CLP02 22, then the new
        -- CLP: X12 835 TR3 1.10.2.8), takes money back, or pays again (an appeal, a reprocessing).
        case
            when is_reversal then 'reversed'
            when is_first_adjudication or match_status <> 'matched' then 'adjudicated'
            when lag(is_reversal) over (partition by claim_id, payer_id order by payment_date, remit_claim_id)
                then 'corrected'
            when paid_amount < 0 then 'recouped'
            else 'paid_later'
        end as event_type,
        null::varchar as superseded_by_claim_id,
        payment_date as event_date,
        claim_id,
        payer_id,
        claim_record_id,
        remit_claim_id,
        payment_id,
        payer_name,
        null::varchar as patient_key,
        null::varchar as billing_npi,
        rendering_npi,
        coder_id,
        null::varchar as claim_type,
        null::varchar as frequency_code,
        null::boolean as is_original,
        null::varchar as place_of_service,
        service_date_from,
        null::date as service_date_to,
        submitted_date,
        is_insurance,
        claim_status_code,
        is_reversal,
        match_status,
        payer_claim_id,
        received_date,
        payment_date,
        trace_number,
        charge_amount,
        paid_amount,
        patient_responsibility_amount,
        cas_patient_responsibility_amount,
        contractual_amount,
        denied_amount,
        denial_carc_code,
        reason_carc_code,
        reason_category,
        is_preventable,
        is_first_adjudication,
        file_id,
        locator
    from remittances
)

select * from submission_events
union all by name
select * from closure_events
union all by name
select * from remittance_events
