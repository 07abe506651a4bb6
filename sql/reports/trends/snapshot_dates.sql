-- One row per date of $dates, as period_end: the ends at which etl/reports/trends.py _stocks has
-- sql/ledger/statements/contributions.sql count A/R when monthly_ar does not hold them.
select unnest($dates) as period_end
