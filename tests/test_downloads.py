"""The register of prepared downloads (dashboard/downloads.py) that dashboard/asgi.py's /media guard reads: a file a page
builds on a click is granted, under the very id Streamlit serves it at, to the web session that built it and no other,
and with the guard on, its export entry waits for the fetch. tests/test_e2e_exports_auth.py fetches it in a browser."""

from datetime import date

import pytest

from dashboard import downloads
from tests.conftest import APP, scalar


@pytest.fixture
def practice(db_path):
    from etl.load import load_files
    from tests.conftest import FIXTURES

    load_files([FIXTURES / "worklist"], db_path)
    return db_path


def test_a_built_export_is_granted_to_its_session_under_the_id_streamlit_serves_it_at(practice, monkeypatch):
    import streamlit.testing.v1.app_test as app_test
    from streamlit.testing.v1 import AppTest

    from etl.access.policy import User

    managers = []

    class RecordedMediaFileManager(app_test.MediaFileManager):  # the media files of each page run, kept to ask later
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    register = downloads.Downloads()
    register.guarded = True  # as dashboard/asgi.py sets it: the entry is written at the fetch
    monkeypatch.setattr(downloads, "DOWNLOADS", register)
    monkeypatch.setattr(app_test, "MediaFileManager", RecordedMediaFileManager)
    monkeypatch.setenv("CLAIMSCOPE_DB", str(practice))
    monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)
    page = AppTest.from_file(APP, default_timeout=60)
    page.session_state["user"] = User("bea", "biller")
    page.session_state["web_session"] = "session-of-bea"
    page.run()
    page.switch_page("views/late_payments.py").run()
    page.date_input(key="as_of").set_value(date(2026, 11, 26)).run()
    buttons = {button.proto.label: button.proto.deferred_file_id for button in page.get("download_button")}

    url = managers[-1].execute_deferred(buttons["Export CSV"])  # the click: the file is built now
    media_id = url.rsplit("/", 1)[-1].split(".")[0]

    assert url.endswith(".csv") and register.is_download(media_id)
    grant = register.granted(media_id, lambda owner: owner == downloads.Owner("session", "session-of-bea"))
    assert grant is not None
    assert register.granted(media_id, lambda owner: owner == downloads.Owner("session", "another-session")) is None
    assert register.granted(media_id, lambda owner: owner.kind == "demo") is None
    assert scalar(practice, "select count(*) from audit_log where action = 'export'") == 0  # built, not yet fetched
    grant.record()  # what the guard calls as it lets the fetch through
    assert scalar(practice, "select user_name || ' ' || object_ids[1] from audit_log where action = 'export'") == "bea worklist"


def test_grants_are_forgotten_after_a_working_day_and_beyond_the_register_s_size(monkeypatch):
    now = [1_000.0]
    register = downloads.Downloads(clock=lambda: now[0])
    mine = downloads.Owner("session", "a")
    register.grant("first", mine, lambda: None)
    now[0] += downloads.GRANT_SECONDS + 1
    assert register.granted("first", lambda owner: owner == mine) is None

    monkeypatch.setattr(downloads, "MAX_GRANTS", 3)
    for media_id in ("b", "c", "d", "e"):
        register.grant(media_id, mine, lambda: None)
    assert [register.is_download(media_id) for media_id in ("b", "c", "d", "e")] == [False, True, True, True]
