"""claimscope: the one place pages are registered and the shared sidebar is drawn."""

import streamlit as st

from dashboard import filters

st.set_page_config(page_title="claimscope", page_icon="📊", layout="wide")

pages = [
    st.Page("views/overview.py", title="Overview", icon="📈", default=True),
    st.Page("views/late_payments.py", title="Late payments", icon="⏰"),
    st.Page("views/denials.py", title="Denials", icon="⛔"),
    st.Page("views/timelines.py", title="Timelines", icon="⏱️"),
    st.Page("views/coder_accuracy.py", title="Coder accuracy", icon="🧮"),
    st.Page("views/claim.py", title="Claim", icon="🔎"),
    st.Page("views/data_loaded.py", title="Data loaded", icon="🗂️"),
    st.Page("views/data_quality.py", title="Data quality", icon="🩺"),
]
page = st.navigation(pages)
filters.sidebar()
page.run()
