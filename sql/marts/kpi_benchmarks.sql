-- One row per headline figure with its benchmark (etl/reference/kpi_benchmarks.csv). Read by the Overview.
select * from stg_reference__kpi_benchmarks
