-- One row per claim payment in an 835 (loop 2100, CLP). Reversals (CLP02=22) and corrections are their own rows, amounts as sent.
create table if not exists remit_claims (
    remit_claim_id         bigint primary key,     -- surrogate key
    payment_id             bigint not null,        -- remit_payments.payment_id
    claim_id               varchar not null,       -- CLP01, the patient control number from the 837
    status_code            varchar not null,       -- CLP02: 1/2/3 processed as primary/secondary/tertiary, 4 denied, 19-23 forwarded/reversal
    charge                 decimal(18,2) not null, -- CLP03, dollars
    paid                   decimal(18,2) not null, -- CLP04, dollars (negative on a reversal)
    patient_responsibility decimal(18,2),          -- CLP05, dollars
    filing_indicator       varchar,                -- CLP06: MB Medicare B, MC Medicaid, CI commercial, ...
    payer_claim_id         varchar,                -- CLP07: payer's claim control number
    facility_type_code     varchar,                -- CLP08
    frequency_code         varchar,                -- CLP09
    patient_key            varchar,                -- patients.patient_key from NM1*QC
    rendering_npi          varchar,                -- NM1*82 NM109 when XX
    received_date          date,                   -- DTM*050: claim received by payer
    service_date_from      date,                   -- DTM*232 (4010: DTM*150)
    service_date_to        date,                   -- DTM*233 (4010: DTM*151)
    file_id                integer not null,
    locator                varchar not null        -- `segment N` of the CLP or `line N`
);
