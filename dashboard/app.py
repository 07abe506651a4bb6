"""claimscope: sign-in, the pages this user may open, the shared sidebar, and a clear refusal for the rest."""

import streamlit as st

from dashboard import filters, session
from dashboard.permissions import NotPermitted, allows
from dashboard.queries import cache

st.set_page_config(page_title="claimscope", page_icon=":material/analytics:", layout="wide")

# (url path, file, title, icon, whether the sidebar's report filters apply); Material icons, since emoji need a font
PAGES = [
    ("overview", "views/overview.py", "Overview", ":material/monitoring:", True),
    ("payer_scorecard", "views/payer_scorecard.py", "Payer scorecard", ":material/leaderboard:", True),
    ("work_queue", "views/work_queue.py", "Work queue", ":material/checklist:", True),
    ("late_payments", "views/late_payments.py", "Late payments", ":material/schedule:", True),
    ("denials", "views/denials.py", "Denials", ":material/block:", True),
    ("timelines", "views/timelines.py", "Timelines", ":material/timeline:", True),
    ("coder_accuracy", "views/coder_accuracy.py", "Coder accuracy", ":material/fact_check:", True),
    ("claim", "views/claim.py", "Claim", ":material/search:", False),
    ("data_loaded", "views/data_loaded.py", "Data loaded", ":material/folder_open:", False),
    ("data_quality", "views/data_quality.py", "Data quality", ":material/health_and_safety:", False),
    ("audit_log", "views/audit_log.py", "Audit log", ":material/history:", False),
]

user = session.sign_in([name for name, *_ in PAGES])
permitted = [name for name, *_ in PAGES if allows(name)]
# Every page is routable at its own address, so a forbidden one gets a clear refusal and /overview opens the Overview;
# the menu lists only the permitted ones.
pages = {name: st.Page(file, title=title, icon=icon, url_path=name) for name, file, title, icon, _ in PAGES}


def first_permitted_page() -> None:
    """The root address: the first page this role may open, at its own address and with the parameters given."""
    st.switch_page(pages[(permitted or ["overview"])[0]],
                   query_params={key: st.query_params.get_all(key) for key in st.query_params})


# Streamlit serves its default page at the root only, never at the page's own path: so the default is this redirect.
home = st.Page(first_permitted_page, title="claimscope", default=True)
page = st.navigation([home, *pages.values()], position="hidden")
if page is home:
    page.run()
for name in permitted:
    st.sidebar.page_link(pages[name])
name, uses_filters = next((name, uses) for name, _, _, _, uses in PAGES if pages[name] is page)

if not allows(name):
    session.log("page_denied", [name])
    st.error(f"Not permitted: the {user.role} role may not open {page.title}.")
    st.stop()
with cache.one_connection_per_run():  # the run's cache misses share one reader, closed when the run ends
    if uses_filters:
        filters.sidebar()
    if st.session_state.get("last_page") != name:
        st.session_state["last_page"] = name
        session.log("page_view", [name])
    try:
        page.run()
    except NotPermitted as refusal:
        st.error(str(refusal))
