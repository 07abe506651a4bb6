-- True when a claim is one of the scope's payers and rendering providers (an empty list means all). The trends use
-- it alone: there the scope's dates choose the periods, not the claims.
create or replace macro in_payers_and_providers(payer_id, rendering_npi, scope) as
    (len(scope.payers) = 0 or list_contains(scope.payers, payer_id))
    and (len(scope.providers) = 0 or list_contains(scope.providers, rendering_npi))
