-- One row per claim as submitted (837 CLM or a claims CSV). A corrected claim (frequency 7) is a new row with the same claim_id.
create table if not exists claims (
    claim_record_id   bigint primary key,   -- surrogate key of this submission of the claim
    claim_id          varchar not null,     -- patient control number (CLM01); what the 835 echoes in CLP01
    payer_id          varchar,              -- NM1*PR NM109, or the CSV payer_id
    payer_name        varchar,
    patient_key       varchar,              -- patients.patient_key
    billing_npi       varchar,              -- NM1*85 NM109
    rendering_npi     varchar,              -- NM1*82 NM109 (claim level), else the billing NPI
    coder_id          varchar,              -- who coded the claim (CSV only; not carried in X12)
    claim_type        varchar not null,     -- professional (837P) or institutional (837I)
    frequency_code    varchar,              -- CLM05-3: 1 original, 7 replacement, 8 void
    original_payer_claim_id varchar,        -- REF*F8 (2300): the payer's claim control number (CLP07) of the claim a 7 or 8 replaces
    place_of_service  varchar,              -- CLM05-1
    service_date_from date,                 -- first date of service
    service_date_to   date,                 -- last date of service
    submitted_date    date,                 -- BHT04, or the CSV submitted_date
    total_charge      decimal(18,2) not null, -- CLM02, dollars
    file_id           integer not null,     -- source_files.file_id
    locator           varchar not null      -- `segment N` or `line N` of the CLM / first CSV line
);
