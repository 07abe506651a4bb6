"""The named queries the pages call, one module per page, on one cache (dashboard/queries/cache.py)."""
