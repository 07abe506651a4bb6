-- The claim's state after each event: one row per claim (claim id and payer) and date its money changed, valid from
-- valid_from until the day before valid_to (NULL: still current). As of any date, a claim's state is the one row with
-- valid_from <= as_of < valid_to. Derived from claim_events by the loader (etl/ledger.py); every money figure reads it.
create table if not exists claim_states (
    claim_record_id               bigint not null,        -- the submission standing on valid_from (the latest sent by then)
    claim_id                      varchar not null,
    payer_id                      varchar not null,
    payer_name                    varchar,
    patient_key                   varchar,
    rendering_npi                 varchar,
    coder_id                      varchar,
    is_insurance                  boolean not null,       -- false for self-pay (sql/macros/payer_rules.sql)
    last_status_code              varchar,                -- CLP02 of the standing remittance
    last_denial_carc_code         varchar,                -- its non-PR denial CARC with the largest amount
    current_remit_claim_id        bigint,                 -- the standing adjudication; NULL when none, or reversed
    last_denial_category          varchar,                -- category of last_denial_carc_code
    charge_amount                 decimal(18,2) not null, -- CLM02 of the standing submission (dollars)
    paid_to_date_amount           decimal(18,2) not null, -- every matched CLP04 so far, reversals netted
    paid_amount                   decimal(18,2) not null, -- CLP04 of the standing adjudication (0 if reversed)
    contractual_amount            decimal(18,2) not null, -- its contractual CAS (non-PR)
    patient_responsibility_amount decimal(18,2) not null, -- its CLP05
    adjudication_count            bigint not null,        -- matched remittances so far that are not reversals
    service_date_from             date,                   -- of the standing submission
    first_service_date            date,                   -- earliest date of service over the submissions so far
    first_submitted_date          date not null,
    submitted_date                date not null,          -- of the standing submission
    first_remit_date              date,                   -- first matched remittance, reversals included
    last_remit_date               date,                   -- latest matched remittance so far
    first_adjudicated_date        date,                   -- first matched remittance that is not a reversal
    first_payment_date            date,                   -- first non-reversal remittance that paid something
    final_payment_date            date,                   -- latest such one so far
    balance_amount                decimal(18,2) not null, -- charge - paid - contractual - patient responsibility; 0 once closed
    closed_by                     varchar,                -- void (CLM05-3 8) or replacement (sent under another claim id); NULL: open
    superseded_by_claim_id        varchar,                -- the claim id whose REF*F8 replaced or voided this claim
    valid_from                    date not null,
    valid_to                      date                    -- the next state's valid_from; NULL for the current state
);
