-- The hash of the SQL and reference files the models were last built from (etl/db.py apply_schema): when it matches,
-- a write connection skips rebuilding every view and macro, which is most of what opening one costs.
create table if not exists schema_versions (
    schema_hash varchar not null,  -- sha256 of every sql/ file and etl/reference CSV, in build order
    applied_at  timestamp not null -- when the models were built from it (UTC)
);
