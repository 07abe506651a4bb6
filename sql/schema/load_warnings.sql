-- One row per problem found in a file that did not stop its records loading: an envelope count or control number
-- that does not check out (SE01, GE01, IEA01, ST02/SE02, GS06/GE02, ISA13/IEA02). `claimscope load --strict` rejects instead.
create table if not exists load_warnings (
    file_id  integer not null,  -- source_files.file_id
    locator  varchar not null,  -- where in the file: `segment 57`
    warning  varchar not null   -- what is wrong, for a person to read; never holds patient data
);
