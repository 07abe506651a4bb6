-- One row per input file the loader has seen, loaded or not. Read by every load report and the data-quality page.
create table if not exists source_files (
    file_id             integer primary key,    -- surrogate key, assigned at load
    path                varchar not null,       -- path as given to `claimscope load`
    sha256              varchar not null unique, -- content hash; a file with a known hash is skipped (idempotency)
    kind                varchar not null,       -- 835, 837P, 837I, claims_csv, remits_csv, audits_csv, coders_csv, fee_schedules_csv, unknown
    loaded_at           timestamp not null,     -- when the load committed (UTC)
    status              varchar not null,       -- loaded: every record loaded; partial: some quarantined; rejected: nothing loaded
    records_loaded      integer not null,       -- CSV: data lines loaded; X12: claims (CLP or CLM) loaded
    records_quarantined integer not null,       -- rows this file put in quarantine
    message             varchar,                -- warnings and the first error, for a person to read
    size_bytes          bigint not null,        -- file size in bytes
    is_synthetic        boolean not null default false -- file was produced by `claimscope synth`
);
