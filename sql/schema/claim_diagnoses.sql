-- One row per diagnosis code on a submitted claim, in the order the claim lists them (837 HI).
create table if not exists claim_diagnoses (
    claim_record_id bigint not null,  -- claims.claim_record_id
    claim_id        varchar not null, -- claims.claim_id
    position        integer not null, -- 1 is the principal diagnosis
    code            varchar not null, -- ICD-10-CM code without the dot, as X12 sends it
    qualifier       varchar,          -- HI qualifier: ABK principal, ABF other (BK/BF for ICD-9)
    locator         varchar not null  -- `segment N` of the HI, or `line N` of the claim's first CSV line
);
