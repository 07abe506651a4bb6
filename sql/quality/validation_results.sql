-- One row per suite and expectation: its latest result, and failures summed over every file. Read by the data-quality page.
with

runs as (
    select * from stg_loader__validation_runs
),

ranked as (
    select
        *,
        row_number() over (partition by suite, expectation order by validated_at desc) as recency
    from runs
),

totals as (
    select
        suite,
        expectation,
        sum(evaluated_count) as evaluated_count,
        sum(unexpected_count) as unexpected_count,
        count(*) filter (where not success) as failed_run_count
    from runs
    group by suite, expectation
),

final as (
    select
        ranked.suite,
        ranked.expectation,
        ranked.severity,
        ranked.success as latest_success,
        ranked.sample_values as latest_sample_values,
        ranked.validated_at as latest_validated_at,
        totals.evaluated_count,
        totals.unexpected_count,
        totals.failed_run_count
    from ranked
    inner join totals on totals.suite = ranked.suite and totals.expectation = ranked.expectation
    where ranked.recency = 1
)

select * from final
