-- One row per input record that did not load, with the reason a biller can read. Nothing is dropped silently.
create table if not exists quarantine (
    file_id        integer not null,   -- source_files.file_id
    locator        varchar not null,   -- where in the file: `line 12` (CSV), `segment 57` (X12) or `file`
    reason         varchar not null,   -- why the record was set aside
    raw            varchar,            -- the record as it appeared in the file (CSV line, X12 segment)
    quarantined_at timestamp not null  -- when it was quarantined (UTC)
);
