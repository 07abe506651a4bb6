-- One row per other payer of a submitted claim (837 loop 2320/2330, coordination of benefits): who else covers
-- the claim and what they paid, kept apart from the claim's own payer (2010BB).
create table if not exists claim_other_payers (
    claim_record_id   bigint not null,  -- claims.claim_record_id
    claim_id          varchar not null, -- claims.claim_id
    payer_sequence    varchar,          -- SBR01: P primary, S secondary, T tertiary (A-H: payers 4 to 11)
    payer_id          varchar,          -- 2330B NM109: the other payer's id
    payer_name        varchar,          -- 2330B NM103
    subscriber_key    varchar,          -- 2330A other subscriber, hashed as patients.patient_key is (no PHI stored)
    relationship_code varchar,          -- SBR02: the patient's relationship to the other subscriber (18 self)
    paid              decimal(18,2),    -- AMT*D (2320): what the other payer paid on the claim, dollars
    file_id           integer not null, -- source_files.file_id
    locator           varchar not null  -- `segment N` of the 2320 SBR
);
