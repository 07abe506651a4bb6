-- How many primary paid lines each payer allowed at each rate per unit, by procedure, modifiers and payment date: the
-- history underpaid_lines takes its usual rate from (the median over a year), small enough to read at every click.
-- Kept current by the loader like monthly_ar: a refreshed claim's old lines are taken away and its new ones added.
create table if not exists paid_line_rates (
    payer_id         varchar,
    procedure_code   varchar not null,
    modifiers        varchar not null,       -- SVC01-3..6 joined with ':' ('' for none)
    payment_date     date,
    allowed_per_unit decimal(18,2) not null, -- allowed / units, rounded to the cent
    line_count       bigint not null
);
