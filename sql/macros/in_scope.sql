-- True when a claim falls inside a report's scope (etl/reports/scope.py, bound as one struct parameter $scope):
-- one of scope.payers and scope.providers (in_payers_and_providers), dated inside [scope.start_date,
-- scope.end_date] (NULL means open) by date of service, or by submission date when scope.basis is 'submission'.
-- A claim with no date in the chosen basis is never in a scope.
create or replace macro in_scope(payer_id, rendering_npi, service_date, submitted_date, scope) as
    in_payers_and_providers(payer_id, rendering_npi, scope)
    and (case when scope.basis = 'submission' then submitted_date else service_date end)
        between coalesce(scope.start_date, date '0001-01-01') and coalesce(scope.end_date, date '9999-12-31')
