-- One row per code of a loaded code list version, with the dates X12 publishes for it.
create table if not exists code_list_entries (
    version_id  integer not null, -- code_list_versions.version_id
    list_name   varchar not null, -- carc or rarc
    code        varchar not null, -- the CARC or RARC
    description varchar,          -- its published description
    start_date  date,             -- first date the code may be used (null: always)
    stop_date   date              -- last date the code may be used (null: still in use)
);
