-- One row per claim drawn into an audit sample, with its stratum and the stratum's size in the universe.
create table if not exists audit_sample_claims (
    sample_id         integer not null,     -- audit_samples.sample_id
    claim_id          varchar not null,     -- claims.claim_id (the sampling unit is the claim)
    claim_record_id   bigint not null,      -- the submission drawn
    coder_id          varchar,              -- who coded it
    stratum           varchar not null,     -- the coder for a stratified sample, `all` for a simple random one
    stratum_size      integer not null,     -- claims of the stratum in the universe (N_h)
    stratum_sample    integer not null      -- claims drawn from the stratum (n_h)
);
