"""claimscope dashboard: Streamlit pages over the DuckDB marts."""
