-- One row per suite, expectation and severity: its latest result, and failures summed over every file. Read by the
-- data-quality page. Severity is part of the key because two checks can share GX's name (claims' two on
-- service_date_from: in the future refuses the claim, older than three years only counts), and merged they showed one
-- row with the later run's severity over both rules' failures.
with

runs as (
    select * from stg_loader__validation_runs
),

ranked as (
    select
        *,
        row_number() over (partition by suite, expectation, severity order by validated_at desc) as recency
    from runs
),

totals as (
    select
        suite,
        expectation,
        severity,
        sum(evaluated_count) as evaluated_count,
        sum(unexpected_count) as unexpected_count,
        count(*) filter (where not success) as failed_run_count
    from runs
    group by suite, expectation, severity
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
    inner join totals
        on totals.suite = ranked.suite and totals.expectation = ranked.expectation and totals.severity = ranked.severity
    where ranked.recency = 1
)

select * from final
