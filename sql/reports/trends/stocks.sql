-- One row per snapshot date of $dates found in the snapshots (a relation shaped like monthly_ar: monthly_ar, or
-- sql/ledger/statements/contributions.sql at other dates), with A/R, A/R over 90 and 120 days by the bands' first
-- days (etl/reference/aging_buckets.csv, as the KPIs count days since service) and the recent charges, for the payers
-- and providers of $scope. Read by etl/reports/trends.py _stocks.
with snapshots as (select * from {snapshots})
select
    month_end as snapshot_date,
    coalesce(sum(balance_amount), 0) as balance_amount,
    coalesce(sum(balance_amount) filter (
        where aging_bucket in (select aging_bucket from aging_buckets where first_day > $ar_over_90_days)), 0) as ar_over_90_amount,
    coalesce(sum(balance_amount) filter (
        where aging_bucket in (select aging_bucket from aging_buckets where first_day > $ar_over_120_days)), 0) as ar_over_120_amount,
    coalesce(sum(recent_charge_amount), 0) as recent_charge_amount
from snapshots
where list_contains($dates, month_end) and {payers_and_providers}
group by month_end
