"""Access control: sign-in, roles enforced where data is read, PHI masking and reveal, the audit log and its chain,
demo mode, and serving defaults."""

import tomllib
from datetime import date

import pytest
from typer.testing import CliRunner

from etl.access import accounts as access
from etl import db as database
from etl.cli import app
from etl.load import load_files
from tests.conftest import HAND_MADE, REPO, open_app, scalar, snapshot

PAGES = ["overview", "payer_scorecard", "work_queue", "late_payments", "denials", "timelines", "coder_accuracy", "claim", "data_loaded", "data_quality", "audit_log"]
ALLOWED = {
    "manager": {"overview", "payer_scorecard", "work_queue", "late_payments", "denials", "timelines", "coder_accuracy", "claim", "data_loaded", "data_quality"},
    # billers work the queue and denials; coding audits are not theirs
    "biller": {"work_queue", "late_payments", "denials", "claim"},
    "auditor": {"coder_accuracy", "claim"},
    "admin": {"data_loaded", "data_quality", "audit_log"},
}


@pytest.fixture
def practice(worklist_practice):
    return worklist_practice


def audit_rows(db, action: str) -> int:
    return scalar(db, "select count(*) from audit_log where action = ?", [action])


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_opens_its_pages_and_is_refused_the_rest_without_data(practice, monkeypatch, role):
    page = open_app(practice, monkeypatch, role)
    for name in PAGES:
        page.switch_page(f"views/{name}.py").run()
        assert not page.exception, (role, name)
        refused = [error.value for error in page.error if "Not permitted" in error.value]
        if name in ALLOWED[role]:
            assert not refused, (role, name)
        else:
            assert refused == [f"Not permitted: the {role} role may not open {page_title(name)}."], (role, name)
            assert not page.dataframe and not page.metric, (role, name)
    assert audit_rows(practice, "page_denied") == len(PAGES) - len(ALLOWED[role])


def page_title(name: str) -> str:
    return {"late_payments": "Late payments", "work_queue": "Work queue", "data_loaded": "Data loaded", "data_quality": "Data quality",
            "audit_log": "Audit log", "coder_accuracy": "Coder accuracy", "payer_scorecard": "Payer scorecard"}.get(name, name.capitalize())


def test_a_query_refuses_a_role_without_its_page_even_if_called_directly(practice, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CLAIMSCOPE_DB", str(practice))
    script = (
        "import streamlit as st\n"
        "from dashboard.queries import late_payments\n"
        "from dashboard.permissions import NotPermitted\n"
        "from etl.reports.scope import Scope\n"
        "from datetime import date\n"
        "try:\n"
        "    late_payments.worklist(date(2026, 11, 26), Scope())\n"
        "    st.write('served')\n"
        "except NotPermitted as refusal:\n"
        "    st.write(str(refusal))\n"
    )
    page = AppTest.from_string(script)
    page.session_state["user"] = access.User("alex", "auditor")
    page.run()

    assert [item.value for item in page.markdown] == ["Not permitted: the auditor role may not see late payments."]


def test_masked_patients_never_show_a_name_or_member_id_and_a_biller_reveal_is_logged_once(practice, monkeypatch):
    with database.read_connection(practice) as con:
        identities = [value for row in con.execute("select last_name, first_name, member_id from patients").fetchall()
                      for value in row if value]
    manager = open_app(practice, monkeypatch, "manager", "views/late_payments.py")
    manager.date_input(key="as_of").set_value(date(2026, 11, 26)).run()
    shown = next(frame.value for frame in manager.dataframe if "priority_score" in frame.value.columns)
    text = shown.to_csv()
    assert not any(identity in text for identity in identities)
    assert not manager.toggle  # no reveal for a manager, and a word saying why
    assert any("not permitted for your role" in caption.value for caption in manager.caption)

    biller = open_app(practice, monkeypatch, "biller", "views/late_payments.py")
    biller.date_input(key="as_of").set_value(date(2026, 11, 26)).run()
    biller.toggle(key="reveal_worklist").set_value(True).run()
    biller.run()  # a rerun redraws the revealed table but is not another reveal
    revealed = next(frame.value for frame in biller.dataframe if "priority_score" in frame.value.columns)

    assert set(revealed["patient_name"]) == {"PINE, AVA", "OAK, BEN", "ASH, FINN", "FIR, DEV"}  # W1, W2, W6, W4
    assert set(revealed["member_id"]) == {"A1", "C2", "A6", "C4"}
    assert audit_rows(practice, "phi_reveal") == 1
    ids = scalar(practice, "select object_ids from audit_log where action = 'phi_reveal'")
    assert ids[0] == "worklist" and set(ids[1:]) == {"W1", "W2", "W4", "W6"}


def test_an_export_is_built_only_when_asked_for_and_logged_as_it_is_built(practice, monkeypatch):
    import io

    import streamlit.testing.v1.app_test as app_test
    from openpyxl import load_workbook

    from etl.reports import spreadsheets

    managers, built = [], []

    class RecordedMediaFileManager(app_test.MediaFileManager):  # the media files of each page run, kept to ask later
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    def counted(build):
        def call(*args, **kwargs):
            built.append(build.__name__)
            return build(*args, **kwargs)
        return call

    monkeypatch.setattr(app_test, "MediaFileManager", RecordedMediaFileManager)
    monkeypatch.setattr(spreadsheets, "csv_bytes", counted(spreadsheets.csv_bytes))
    monkeypatch.setattr(spreadsheets, "xlsx_bytes", counted(spreadsheets.xlsx_bytes))
    page = open_app(practice, monkeypatch, "biller", "views/late_payments.py")
    page.date_input(key="as_of").set_value(date(2026, 11, 26)).run()

    # Three page runs drew both buttons, and nothing was built or logged: the files wait for a click.
    buttons = {button.proto.label: button.proto.deferred_file_id for button in page.get("download_button")}
    assert set(buttons) == {"Export CSV", "Export Excel"} and all(buttons.values())
    assert built == [] and audit_rows(practice, "export") == 0

    # The click, as the browser sends it: the server builds the file then, and logs it.
    manager = managers[-1]
    url = manager.execute_deferred(buttons["Export Excel"])
    assert built == ["xlsx_bytes"]
    assert audit_rows(practice, "export") == 1
    details = scalar(practice, "select details from audit_log where action = 'export'")
    assert '"rows": 4' in details and '"format": "xlsx"' in details
    # The file is today's worklist workbook: its four claims in priority order, money as money.
    workbook = load_workbook(io.BytesIO(manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content))
    sheet = workbook["worklist"]
    header = [cell.value for cell in sheet[1]]
    claims = [row[header.index("Claim")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert claims == ["W1", "W2", "W4", "W6"]
    balance = sheet.cell(row=2, column=header.index("Balance") + 1)
    assert (balance.value, balance.number_format.startswith("$")) == (200, True)
    # codes in words, as the table shows them: W2's last claim status (CLP02 4) and its denial category
    w2 = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[header.index("Claim")] == "W2"][0]
    assert "Denied" in w2 and "Authorization referral" in w2 and "4" not in w2


def test_a_failed_sign_in_writes_one_audit_row_and_a_good_one_signs_in(practice, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    users = tmp_path / "users.json"
    monkeypatch.setenv("CLAIMSCOPE_USERS", str(users))
    monkeypatch.setenv("CLAIMSCOPE_DB", str(practice))
    monkeypatch.delenv("CLAIMSCOPE_DEMO", raising=False)
    access.add_user(users, "dana", "biller", "correct horse battery")
    page = AppTest.from_file(APP, default_timeout=60).run()

    page.text_input[0].input("dana")
    page.text_input[1].input("wrong password!")
    page.button[0].click().run()

    assert "Wrong user name or password" in page.error[0].value and not page.dataframe
    assert audit_rows(practice, "login_failed") == 1

    page.text_input[1].input("correct horse battery")
    page.button[0].click().run()
    assert page.title[0].value == "Work queue"  # a biller's first page
    assert audit_rows(practice, "login") == 1 and audit_rows(practice, "login_failed") == 1


def test_an_idle_session_is_signed_out(practice, monkeypatch):
    page = open_app(practice, monkeypatch, "manager")
    page.session_state["last_activity"] = 0.0  # 1970: far longer than the idle limit
    page.run()

    assert "Signed out after 15 minutes" in page.info[0].value
    assert audit_rows(practice, "timeout") == 1


def test_users_cli_hashes_passwords_and_disabled_accounts_cannot_sign_in(db_path, tmp_path):
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "sam", "--role", "auditor", "--db", str(db_path), "--password", "a long enough secret"])
    assert added.exit_code == 0, added.output
    stored = (tmp_path / "test.duckdb.users.json").read_text()
    assert "a long enough secret" not in stored and "$argon2id$" in stored
    assert access.authenticate(tmp_path / "test.duckdb.users.json", "sam", "a long enough secret").user == access.User("sam", "auditor")

    assert runner.invoke(app, ["users", "disable", "sam", "--db", str(db_path)]).exit_code == 0
    assert access.authenticate(tmp_path / "test.duckdb.users.json", "sam", "a long enough secret").user is None
    short = runner.invoke(app, ["users", "add", "kim", "--role", "admin", "--db", str(db_path), "--password", "short"])
    assert short.exit_code == 1 and "at least 12 characters" in short.output


def test_the_chain_check_fails_after_an_entry_is_altered(practice):
    from etl.access import audit_trail

    with database.write_connection(practice) as con:
        for action in ("login", "page_view", "export"):
            audit_trail.record(con, "dana", "biller", action, ["late_payments"], {"rows": 4})
    runner = CliRunner()
    intact = runner.invoke(app, ["audit-log", "--db", str(practice), "--verify"])
    assert intact.exit_code == 0 and "3 entries" in intact.output

    with database.write_connection(practice) as con:
        con.execute("update audit_log set details = '{\"rows\": 400}' where entry_id = 2")
    broken = runner.invoke(app, ["audit-log", "--db", str(practice), "--verify"])
    assert broken.exit_code == 1 and "breaks at entry 2" in broken.output, broken.output

    with database.write_connection(practice) as con:
        con.execute("delete from audit_log where entry_id = 2")
    assert runner.invoke(app, ["audit-log", "--db", str(practice), "--verify"]).exit_code == 1


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", '"; DROP TABLE claims; --'])
def test_hostile_filter_values_change_nothing_and_match_nothing(practice, monkeypatch, hostile):
    def data():  # every table but the audit log, which records the page view itself
        return {name: rows for name, rows in snapshot(practice).items() if name != "audit_log"}

    before = data()
    page = open_app(practice, monkeypatch, "manager", "views/claim.py")
    page.text_input[0].set_value(hostile).run()
    assert not page.exception and page.warning[0].value.startswith("No claim")

    with database.read_connection(practice) as con:
        from etl.reports.worklist import worklist_rows
        from etl.reports.scope import Scope

        assert worklist_rows(con, date(2026, 11, 26), Scope(payers=(hostile,))).is_empty()
        assert worklist_rows(con, date(2026, 11, 26), Scope(providers=(hostile,))).is_empty()
    assert data() == before


def test_demo_mode_refuses_a_database_with_real_data(db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    load_files([HAND_MADE], db_path)  # hand-made, not generated: not synthetic
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))
    monkeypatch.setenv("CLAIMSCOPE_DEMO", "1")
    page = AppTest.from_file(APP, default_timeout=60).run()

    assert "Demo mode refuses this database" in page.error[0].value
    assert not page.dataframe and not page.metric and not page.title


def test_demo_mode_on_synthetic_data_shows_the_banner_and_no_sign_in(sample_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    monkeypatch.setenv("CLAIMSCOPE_DB", str(sample_db))
    monkeypatch.setenv("CLAIMSCOPE_DEMO", "1")
    page = AppTest.from_file(APP, default_timeout=60).run()

    assert page.warning[0].value.startswith("**Demo data.**")
    assert page.title[0].value == "Overview" and not page.exception


def test_serving_defaults_are_local_xsrf_protected_quiet_and_capped():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())

    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["maxUploadSize"] <= 50
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none" and config["client"]["disableDataExport"] is True
