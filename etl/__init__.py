"""claimscope ETL: load claims, remittances and coding audits into one DuckDB file."""
