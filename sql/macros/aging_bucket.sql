-- The A/R aging bucket for a number of days: the first band of etl/reference/aging_buckets.csv (0-30, 31-60, 61-90,
-- 91-120, 120+) whose last day is not before it. The bands are read once per query (uncorrelated subqueries), and
-- each row only counts the bands it is past: no lookup per claim.
create or replace macro aging_bucket(days) as
    (select list(aging_bucket order by first_day) from stg_reference__aging_buckets)[
        1 + len(list_filter(
            (select list(last_day order by first_day) from stg_reference__aging_buckets),
            lambda last_day: last_day < days
        ))
    ]
