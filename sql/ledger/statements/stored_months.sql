-- One row per month end monthly_ar already holds (ledger_months), as period_end: the ends contributions.sql reads
-- during a refresh (etl/ledger.py), and, once new_months.sql has been stored, in a Spark rebuild (etl/spark/marts.py).
select month_end as period_end from ledger_months
