-- A CARC or RARC description as the pages show it: a code the loaded list lacks (newer than the list, or mistyped by
-- the payer) reads 'unknown code', and its money counts like any other (`claimscope reference update` loads a newer list).
create or replace macro code_description(description) as coalesce(description, 'unknown code');
