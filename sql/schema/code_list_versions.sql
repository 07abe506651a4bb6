-- One row per code list loaded by `claimscope reference update` (a newer CARC or RARC list than the shipped one).
-- Older versions stay: each code's description and dates can be traced to the file they came from.
create table if not exists code_list_versions (
    version_id   integer primary key, -- surrogate key, in load order; a later version outranks an earlier one
    list_name    varchar not null,    -- carc or rarc
    source_path  varchar not null,    -- the CSV as given to `claimscope reference update`
    sha256       varchar not null,    -- the CSV's content hash
    loaded_at    timestamp not null,  -- when it was loaded (UTC)
    code_count   integer not null     -- codes the file holds
);
