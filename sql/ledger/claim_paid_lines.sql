-- One row per service line (835 loop 2110 SVC) of a claim payment processed as primary (CLP02 1 or 19), with what
-- the payer allowed: the history underpaid_lines judges a line against, and the date and place a contract rate is
-- chosen by. Kept current by the loader with claim_events.
create table if not exists claim_paid_lines (
    remit_line_id   bigint not null,        -- remit_service_lines.remit_line_id
    remit_claim_id  bigint not null,
    claim_id        varchar not null,
    line_number     integer not null,
    payer_id        varchar,                -- the paying payer (N1*PR / REF*2U)
    payment_date    date,
    service_date    date,                   -- DTM*472, else the claim's DTM*232 (remit_service_lines.service_date)
    procedure_code  varchar not null,
    modifiers       varchar not null,       -- SVC01-3..6 joined with ':' ('' for none)
    place_of_service varchar,               -- CLM05-1 of the submission the payment answers
    units           decimal(12,3) not null, -- SVC05, 1 when omitted
    allowed_amount  decimal(18,2) not null, -- AMT*B6, else paid plus the line's PR CAS (dollars)
    is_denied_line  boolean not null,       -- a non-PR CAS of denial class on the line: worked as a denial
    cas_adjustments varchar,                -- the line's CAS as 'CO-45 12.00; PR-2 20.00' (group-CARC amount); NULL: none
    locator         varchar not null
);
