"""What is in the database: rows per table and the load history."""

import streamlit as st

from dashboard.queries import data
from dashboard.widgets import table_or_note

st.title("Data loaded")
st.caption("Rows per table and every file the loader has seen.")

counts = data.table_row_counts()
rows = dict(counts.iter_rows())
files, claims, payments = st.columns(3)
files.metric("Files loaded", f"{rows['source_files']:,}")
claims.metric("Claim submissions", f"{rows['claims']:,}")
payments.metric("Claim payments", f"{rows['remit_claims']:,}")

st.subheader("Rows per table")
st.dataframe(counts, hide_index=True, column_config={"table_name": "Table", "row_count": "Rows"})

st.subheader("Load history")
table_or_note(data.load_history(), "No files loaded yet. Run `claimscope load data_samples/`.", empty_is_good=False)
