-- One row per CAS adjustment triplet (reason, amount, quantity); a CAS segment carries up to six.
create table if not exists remit_adjustments (
    remit_claim_id bigint not null,        -- remit_claims.remit_claim_id
    remit_line_id  bigint,                 -- remit_service_lines.remit_line_id; NULL for a claim-level CAS
    group_code     varchar not null,       -- CAS01: CO contractual, PR patient, OA other, PI payer initiated
    reason_code    varchar not null,       -- CARC
    amount         decimal(18,2) not null, -- dollars; positive reduces payment
    quantity       decimal(12,3),          -- units adjusted, when sent
    file_id        integer not null,
    locator        varchar not null        -- `segment N` of the CAS or `line N`
);
