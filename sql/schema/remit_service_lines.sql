-- One row per service line in an 835 claim payment (loop 2110, SVC).
create table if not exists remit_service_lines (
    remit_line_id           bigint primary key,     -- surrogate key
    remit_claim_id          bigint not null,        -- remit_claims.remit_claim_id
    line_number             integer not null,       -- order of the SVC within its CLP, from 1
    procedure_qualifier     varchar,                -- SVC01-1: HC (CPT/HCPCS), NU (revenue code), ...
    procedure_code          varchar,                -- SVC01-2
    modifiers               varchar[],              -- SVC01-3..6
    charge                  decimal(18,2) not null, -- SVC02, dollars
    paid                    decimal(18,2) not null, -- SVC03, dollars
    revenue_code            varchar,                -- SVC04
    units                   decimal(12,3),          -- SVC05 (1 when omitted, per the guide)
    original_procedure_code varchar,                -- SVC06-2, when the payer changed the code
    allowed                 decimal(18,2),          -- AMT*B6, dollars
    service_date            date,                   -- DTM*472 (or DTM*150 on 4010 files), else the claim's DTM*232
    line_control_number     varchar,                -- REF*6R (2110): the 837 line item control number echoed back
    file_id                 integer not null,
    locator                 varchar not null        -- `segment N` of the SVC or `line N`
);
