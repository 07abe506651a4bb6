-- One row per other payer's adjudication of a submitted line (837 loop 2430 SVD, coordination of benefits).
create table if not exists claim_line_other_payments (
    claim_record_id bigint not null,  -- claims.claim_record_id
    claim_id        varchar not null, -- claims.claim_id
    line_number     integer not null, -- claim_lines.line_number (LX01)
    payer_id        varchar,          -- SVD01: the other payer, as its 2330B NM109
    paid            decimal(18,2),    -- SVD02: what that payer paid on the line, dollars
    file_id         integer not null, -- source_files.file_id
    locator         varchar not null  -- `segment N` of the SVD
);
