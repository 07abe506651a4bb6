-- The version of the ledger's derivation the tables were built with (etl/ledger.py LEDGER_VERSION); a write connection
-- rebuilds a ledger built by an older release, so an upgrade never leaves derived rows of two different rules.
create table if not exists ledger_versions (
    version    integer not null,  -- LEDGER_VERSION when the ledger was last rebuilt
    rebuilt_at timestamp not null -- when (UTC)
);
