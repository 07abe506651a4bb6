-- One row per checked table: rows, expectations failing, and a badge (clean, warnings, errors). Read by the data-quality page.
with

results as (
    select * from validation_results
),

by_suite as (
    select
        suite as table_name,
        count(*) as expectation_count,
        count(*) filter (where unexpected_count > 0 or not latest_success) as failing_expectation_count,
        count(*) filter (where severity = 'error' and (unexpected_count > 0 or not latest_success)) as failing_error_count,
        sum(unexpected_count) as failing_row_count
    from results
    group by suite
),

final as (
    select
        *,
        case
            when failing_error_count > 0 then 'errors'
            when failing_expectation_count > 0 then 'warnings'
            else 'clean'
        end as badge
    from by_suite
)

select * from final
