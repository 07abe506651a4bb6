-- The claim ledger: one row per event of a claim, in one shape. Kept current by the loader in the same transaction
-- as the file's raw rows (etl/ledger.py), for every claim id the file touches; `claimscope rebuild` derives it anew.
-- Submission columns describe the submission; on a remittance they describe the submission it answers.
create table if not exists claim_events (
    event_kind                        varchar not null, -- submission (837 CLM, claims CSV) or remittance (835 CLP, remits CSV)
    event_type                        varchar not null, -- submitted, replaced (CLM05-3 7), voided (8); adjudicated (the first), reversed (CLP02 22), corrected (after a reversal), recouped (a later negative CLP04), paid_later
    superseded_by_claim_id            varchar,          -- on a replaced or voided event: the other claim id whose REF*F8 closed this claim
    event_date                        date,             -- submitted_date of a submission, payment_date of a remittance
    claim_id                          varchar not null, -- CLM01 / CLP01
    payer_id                          varchar,          -- the submission's payer; the paying payer for a remittance
    claim_record_id                   bigint,           -- the submission (claims.claim_record_id); for a remittance, the one it answers
    remit_claim_id                    bigint,           -- remit_claims.remit_claim_id (remittances only)
    payment_id                        bigint,           -- remit_payments.payment_id (remittances only)
    payer_name                        varchar,
    patient_key                       varchar,          -- patients.patient_key (submissions only)
    billing_npi                       varchar,
    rendering_npi                     varchar,
    coder_id                          varchar,          -- the claim's coder, else the practice-management export's
    claim_type                        varchar,          -- professional or institutional
    frequency_code                    varchar,          -- CLM05-3
    is_original                       boolean,          -- frequency code 1
    place_of_service                  varchar,
    service_date_from                 date,
    service_date_to                   date,
    submitted_date                    date,
    is_insurance                      boolean,          -- payer_rules(payer_id).is_insurance: false for self-pay
    claim_status_code                 varchar,          -- CLP02
    is_reversal                       boolean not null, -- CLP02 22
    match_status                      varchar,          -- matched, secondary payer, no claim on file, payer mismatch, claim id reused
    payer_claim_id                    varchar,          -- CLP07
    received_date                     date,             -- DTM*050
    payment_date                      date,             -- BPR16 (or DTM*405)
    trace_number                      varchar,          -- TRN02
    charge_amount                     decimal(18,2),    -- CLM02 on a submission, CLP03 on a remittance (dollars)
    paid_amount                       decimal(18,2),    -- CLP04 (negative on a reversal)
    patient_responsibility_amount     decimal(18,2),    -- CLP05: what the balance moves to the patient
    cas_patient_responsibility_amount decimal(18,2),    -- sum of group PR CAS amounts; should equal CLP05
    contractual_amount                decimal(18,2),    -- sum of non-PR CAS whose CARC class is contractual
    denied_amount                     decimal(18,2),    -- sum of non-PR CAS whose CARC class is denial (stays recoverable)
    denial_carc_code                  varchar,          -- the non-PR denial CARC with the largest amount
    reason_carc_code                  varchar,          -- the denial-class CARC (any group) with the largest amount
    reason_category                   varchar,          -- its category (etl/reference/carc_categories.csv)
    is_preventable                    boolean not null, -- whether that category is usually preventable
    is_first_adjudication             boolean not null, -- the first matched, non-reversal remittance of the claim and payer
    file_id                           integer not null, -- source_files.file_id of the row
    locator                           varchar not null  -- segment or line of the CLM or CLP
);
