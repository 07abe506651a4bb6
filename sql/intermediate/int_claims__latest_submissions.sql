-- One row per claim (claim id and payer): its latest submission sent on or before a date (a corrected claim, frequency
-- 7 or 8, replaces the original). A table macro: select * from int_claims__latest_submissions(date '2026-11-26').
create or replace macro int_claims__latest_submissions(as_of) as table

select *
from int_claims__submissions
where submitted_date <= as_of
qualify row_number() over (partition by claim_id, payer_id order by submitted_date desc, claim_record_id desc) = 1
