-- One row per audit sample drawn (claimscope audit-sample or the Coder accuracy page): the universe, method and seed,
-- so that the same draw can be repeated and the results extrapolated with the right weights.
create table if not exists audit_samples (
    sample_id       integer primary key,    -- surrogate key, assigned at draw
    drawn_at        timestamp not null,     -- when it was drawn (UTC)
    seed            bigint not null,        -- random seed; the same universe and seed give the same sample
    method          varchar not null,       -- simple_random or stratified
    allocation      varchar,                -- proportional or equal (stratified only)
    universe        varchar not null,       -- the universe's definition as JSON: date range, coders, payers, ...
    universe_size   integer not null,       -- claims in the universe
    sample_size     integer not null,       -- claims drawn
    purpose         varchar,                -- probe (a first small draw, OIG practice) or full; blank on older samples: full
    probe_sample_id integer                 -- the probe a full sample was sized from, if any
);
