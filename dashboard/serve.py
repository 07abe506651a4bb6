"""`python -m dashboard.serve [streamlit run options]`: the dashboard (dashboard/asgi.py: app.py with the addresses of
its session cookie), with its libraries imported and a first chart drawn before the first visitor arrives; under a
bare `streamlit run` the first page pays about a second for them."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

WEB_APP = Path(__file__).with_name("asgi.py")
# Every module a page imports; Streamlit runs the pages in this process, so they are imported once, here.
PAGE_MODULES = [
    "dashboard.actions", "dashboard.charts", "dashboard.claim_detail", "dashboard.downloads", "dashboard.filters", "dashboard.session",
    "dashboard.widgets", "dashboard.queries.audit_trail", "dashboard.queries.claim", "dashboard.queries.coder_accuracy",
    "dashboard.queries.data", "dashboard.queries.denials", "dashboard.queries.late_payments", "dashboard.queries.overview",
    "dashboard.queries.patients", "dashboard.queries.sidebar", "dashboard.queries.timelines", "dashboard.queries.work_queue",
]


def warm_up() -> None:
    """Import the pages' modules and serialise one Plotly figure (its validators load on first use, about 0.3 s)."""
    for name in PAGE_MODULES:
        importlib.import_module(name)
    import plotly.express as px

    px.bar(x=["a"], y=[1]).to_json()


def main() -> None:
    from streamlit.web import cli

    warm_up()
    sys.argv = ["streamlit", "run", str(WEB_APP), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
