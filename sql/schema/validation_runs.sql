-- One row per expectation checked against one file's rows (file_id set) or the whole database (file_id NULL).
create table if not exists validation_runs (
    file_id          integer,           -- source_files.file_id; NULL when `claimscope validate` checked every row
    suite            varchar not null,  -- expectations/<suite>.json, named after the table it checks
    expectation      varchar not null,  -- GX expectation type and column, e.g. expect_column_values_to_match_regex(procedure_code)
    severity         varchar not null,  -- error: failing rows were quarantined; warning: they loaded and are listed here
    success          boolean not null,
    evaluated_count  integer not null,  -- rows checked
    unexpected_count integer not null,  -- rows that failed
    sample_values    varchar,           -- JSON list of up to five failing values; patient fields are masked
    validated_at     timestamp not null -- when the check ran (UTC)
);
