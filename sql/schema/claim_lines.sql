-- One row per service line of a submitted claim (837 SV1/SV2 in loop 2400, or a claims CSV line).
create table if not exists claim_lines (
    claim_record_id bigint not null,  -- claims.claim_record_id
    claim_id        varchar not null, -- claims.claim_id
    line_number     integer not null, -- LX01, or the CSV line_number
    procedure_code  varchar,          -- CPT/HCPCS from SV101-2 / SV202-2
    modifiers       varchar[],        -- up to four procedure modifiers, in order
    revenue_code    varchar,          -- SV201 (837I only)
    units           decimal(12,3),    -- SV104 / SV205
    charge          decimal(18,2) not null, -- SV102 / SV203, dollars
    service_date    date,             -- DTP*472 on the line, else the claim's from date
    line_control_number varchar,      -- REF*6R (2400): the provider's line item control number, echoed in the 835
    locator         varchar not null  -- `segment N` or `line N`
);
