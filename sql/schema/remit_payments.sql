-- One row per 835 transaction set: a cheque or EFT from one payer (BPR, TRN, N1*PR, N1*PE).
create table if not exists remit_payments (
    payment_id     bigint primary key,     -- surrogate key
    trace_number   varchar,                -- TRN02: cheque or EFT trace number
    payer_id       varchar,                -- REF*2U, else N1*PR N104, else TRN03
    payer_name     varchar,                -- N1*PR N102
    payee_npi      varchar,                -- N1*PE N104 when N103 is XX
    payee_name     varchar,                -- N1*PE N102
    method         varchar,                -- BPR04: ACH, CHK, FWT, BOP or NON
    amount         decimal(18,2) not null, -- BPR02, dollars
    payment_date   date,                   -- BPR16, else DTM*405
    file_id        integer not null,       -- source_files.file_id
    locator        varchar not null        -- `segment N` of the ST or `line N`
);
