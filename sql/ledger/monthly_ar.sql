-- Month-end insurance A/R: one row per month end, payer, rendering provider and aging bucket (by date of service).
-- Kept current by the loader: each refresh takes away the refreshed claims' old contribution and adds the new one,
-- and a month end the data reaches for the first time is computed over every claim (etl/ledger.py).
create table if not exists monthly_ar (
    month_end            date not null,
    payer_id             varchar not null,
    rendering_npi        varchar,
    aging_bucket         varchar not null,       -- etl/reference/aging_buckets.csv, days from service to month_end
    claim_count          bigint not null,        -- claims counted in either measure below
    open_claim_count     bigint not null,        -- claims with an open balance at month_end
    balance_amount       decimal(18,2) not null, -- their open balance (dollars)
    recent_charge_amount decimal(18,2) not null  -- charges of claims served in the 90 days to month_end (days in A/R)
);
