"""claimscope: sign-in, the pages this user may open, the shared sidebar, and a clear refusal for the rest."""

import streamlit as st

from dashboard import filters, session
from dashboard.permissions import NotPermitted, allows

st.set_page_config(page_title="claimscope", page_icon="📊", layout="wide")

# (url path, file, title, icon, whether the sidebar's report filters apply)
PAGES = [
    ("overview", "views/overview.py", "Overview", "📈", True),
    ("late_payments", "views/late_payments.py", "Late payments", "⏰", True),
    ("denials", "views/denials.py", "Denials", "⛔", True),
    ("timelines", "views/timelines.py", "Timelines", "⏱️", True),
    ("coder_accuracy", "views/coder_accuracy.py", "Coder accuracy", "🧮", True),
    ("claim", "views/claim.py", "Claim", "🔎", False),
    ("data_loaded", "views/data_loaded.py", "Data loaded", "🗂️", False),
    ("data_quality", "views/data_quality.py", "Data quality", "🩺", False),
    ("audit_log", "views/audit_log.py", "Audit log", "📜", False),
]

user = session.sign_in()
permitted = [name for name, *_ in PAGES if allows(name)]
# Every page is routable, so a forbidden address gets a clear refusal; the menu lists only the permitted ones.
pages = {
    name: st.Page(file, title=title, icon=icon, url_path=name, default=name == (permitted or ["overview"])[0])
    for name, file, title, icon, _ in PAGES
}
page = st.navigation(list(pages.values()), position="hidden")
for name in permitted:
    st.sidebar.page_link(pages[name])
name, uses_filters = next((name, uses) for name, _, _, _, uses in PAGES if pages[name] is page)

if not allows(name):
    session.log("page_denied", [name])
    st.error(f"Not permitted: the {user.role} role may not open {page.title}.")
    st.stop()
if uses_filters:
    filters.sidebar()
if st.session_state.get("last_page") != name:
    st.session_state["last_page"] = name
    session.log("page_view", [name])
try:
    page.run()
except NotPermitted as refusal:
    st.error(str(refusal))
