-- One row per service line (835 loop 2110 SVC) of a claim payment, tied to the claim line (837 loop 2400) it pays,
-- or with the reason it could not be. Kept current by the loader with claim_events (etl/ledger.py).
create table if not exists remit_line_matches (
    remit_line_id       bigint not null,  -- remit_service_lines.remit_line_id
    remit_claim_id      bigint not null,
    claim_id            varchar not null,
    claim_record_id     bigint,           -- the submission the payment answers; NULL when it matches none
    line_number         integer not null, -- the SVC's place in its CLP
    claim_line_number   integer,          -- the claim line (LX01) it pays; NULL when untied
    match_method        varchar,          -- line control number (REF*6R), procedure, modifiers, units and date, or procedure and date
    is_modifier_changed boolean not null, -- tied by procedure and date while the payer sent other modifiers than billed
    billed_modifiers    varchar,          -- the claim line's modifiers, ':'-joined ('' for none)
    paid_modifiers      varchar,          -- the SVC's modifiers, ':'-joined ('' for none)
    unmatched_reason    varchar,          -- why the line is untied; NULL when tied
    locator             varchar not null  -- segment of the SVC, or line of the remits CSV
);
