-- The A/R aging bucket for a number of days: the first band of etl/reference/aging_buckets.csv (0-30, 31-60, 61-90,
-- 91-120, 120+) whose last day is not before it.
create or replace macro aging_bucket(days) as (
    select arg_min(buckets.aging_bucket, buckets.first_day)
    from stg_reference__aging_buckets as buckets
    where buckets.last_day is null or days <= buckets.last_day
)
