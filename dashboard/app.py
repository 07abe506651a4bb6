"""claimscope: the one place pages are registered."""

import streamlit as st

st.set_page_config(page_title="claimscope", page_icon="📊", layout="wide")

pages = [
    st.Page("views/overview.py", title="Overview", icon="📈", default=True),
    st.Page("views/late_payments.py", title="Late payments", icon="⏰"),
    st.Page("views/denials.py", title="Denials", icon="⛔"),
    st.Page("views/data_loaded.py", title="Data loaded", icon="🗂️"),
    st.Page("views/data_quality.py", title="Data quality", icon="🩺"),
]
st.navigation(pages).run()
