-- True when a claim falls inside a report's scope (etl/reports/scope.py): one of the chosen payers and rendering providers
-- (an empty list means all) and dated inside [range_start, range_end] by date of service or by submission date.
create or replace macro in_scope(payer_id, rendering_npi, service_date, submitted_date, payers, providers, basis, range_start, range_end) as
    (len(payers) = 0 or list_contains(payers, payer_id))
    and (len(providers) = 0 or list_contains(providers, rendering_npi))
    and (case when basis = 'submission' then submitted_date else service_date end) between range_start and range_end
