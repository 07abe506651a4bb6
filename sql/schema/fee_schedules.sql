-- One row per contract rate of a fee schedule, from a fee-schedule CSV: what a payer agreed to allow per unit for a
-- procedure, or a percentage of another schedule's rate ("120% of Medicare"). Resolved by int_fee_schedules__rates.
create table if not exists fee_schedules (
    schedule_name      varchar not null,       -- the schedule's name, as percentage rows refer to it
    payer_id           varchar,                -- the payer the contract binds (payer id as on the 837/835); NULL: a base schedule only
    procedure_code     varchar not null,       -- CPT/HCPCS
    modifiers          varchar[],              -- procedure modifiers, in order; NULL: the code billed without modifiers
    place_of_service   varchar,                -- CMS place-of-service code (CLM05-1); NULL: any place
    allowed_per_unit   decimal(18,2),          -- dollars per unit; NULL on a percentage row
    percent_of_base    decimal(12,3),          -- 120.000 for 120% of base_schedule_name's rate; NULL on an amount row
    base_schedule_name varchar,                -- the schedule a percentage row is a percentage of
    effective_from     date not null,          -- first date of service the rate applies to
    effective_to       date,                   -- last date of service it applies to; NULL: open
    file_id            integer not null,       -- source_files.file_id
    locator            varchar not null        -- `line N`
);
