"""What is in the database: rows per table and the load history."""

import streamlit as st

from dashboard import display

from dashboard.queries import data


st.title("Data loaded")
st.caption("Rows per table and every file the loader has seen.")

counts = data.table_row_counts()
rows = dict(counts.iter_rows())
files, claims, payments = st.columns(3)
files.metric("Files loaded", f"{rows['source_files']:,}")
claims.metric("Claim submissions", f"{rows['claims']:,}")
payments.metric("Claim payments", f"{rows['remit_claims']:,}")

st.subheader("Rows per table")
display.table(counts)

st.subheader("Load history")
display.table(data.load_history(), "No files loaded yet. Run `claimscope load data_samples/`.", empty_is_good=False)
