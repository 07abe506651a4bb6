-- One value: true when the raw tables hold claims or payments but the ledger holds none, or holds what an older
-- release's rules ($version is this release's LEDGER_VERSION) derived (etl/ledger.py derive_if_missing).
select (exists (from claims) or exists (from remit_claims))
    and (not exists (from claim_events) or coalesce((select max(version) from ledger_versions), 1) <> $version)
