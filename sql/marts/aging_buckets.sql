-- One row per A/R aging bucket in display order (etl/reference/aging_buckets.csv); bucket_order sorts charts.
select
    aging_bucket,
    first_day,
    last_day,
    row_number() over (order by first_day) as bucket_order
from stg_reference__aging_buckets
