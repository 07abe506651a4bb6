"""CARC and RARC code lists: an unknown code never refuses a payment, and `claimscope reference update` loads a newer
list with its dates, keeping every earlier version."""

from decimal import Decimal

from typer.testing import CliRunner

from etl import cli
from etl.cli import app
from etl.load import load_files
from tests.conftest import FIXTURES, open_app, scalar

HAND_MADE_X12 = FIXTURES / "x12"


def sunrise_remit_with_code(tmp_path, code: str):
    """SUNRISE's payment of C3 (60.00 charged, 48.00 paid), its 12.00 adjusted under CO with this CARC."""
    text = (HAND_MADE_X12 / "cob_sunrise.835").read_text()
    remit = tmp_path / f"sunrise_{code}.835"
    remit.write_text(text.replace("CLP*C3*1*60*48*12*", "CLP*C3*1*60*48*0*").replace("CAS*PR*2*12", f"CAS*CO*{code}*12"))
    return remit


def test_an_unknown_carc_loads_as_a_warning_and_its_dollars_count_on_the_pages(tmp_path, db_path, monkeypatch):
    results = load_files([HAND_MADE_X12 / "cob_two_billing_providers.837p", sunrise_remit_with_code(tmp_path, "Z99")], db_path)

    assert [result.status for result in results] == ["loaded", "loaded"]
    assert scalar(db_path, "select count(*) from quarantine") == 0
    run = scalar(db_path, "select [severity, sample_values] from validation_runs where expectation = 'expect_column_values_to_be_in_set(reason_code)'")
    assert run == ["warning", "[\"'Z99'\"]"]
    # An unlisted code moves no money off the books: 60.00 - 48.00 paid leaves 12.00 open with SUNRISE
    assert scalar(db_path, "select balance_amount from claim_balances(date '2026-11-30') where claim_id = 'C3'") == Decimal("12.00")
    assert scalar(db_path, "select description from claim_remittance_adjustments where claim_id = 'C3'") == "unknown code"

    page = open_app(db_path, monkeypatch, page="views/claim.py")
    page.session_state["claim_on_file_open"] = True  # the adjustments on file sit in a lazy expander
    page.text_input[0].set_value("C3").run()
    assert not page.exception
    adjustments = next(frame.value for frame in page.dataframe if "reason_code" in frame.value.columns)
    assert list(zip(adjustments["reason_code"], adjustments["description"], adjustments["amount"].astype(str))) == [
        ("Z99", "unknown code", "12.00"),
    ]


def write_list(path, rows: list[str]):
    path.write_text("code,description,start_date,stop_date\n" + "\n".join(rows) + "\n")
    return path


def test_reference_update_loads_a_newer_list_whose_dates_judge_each_use(tmp_path, db_path, monkeypatch):
    runner = CliRunner()
    first = write_list(tmp_path / "carc-2027-03.csv", ["Z99,Claim held for a rule published after the release,2026-01-01,"])
    second = write_list(tmp_path / "carc-2027-07.csv", ["Z99,Claim held pending review,2026-01-01,2026-06-30"])

    assert runner.invoke(app, ["reference", "update", "carc", str(first), "--db", str(db_path)]).exit_code == 0
    updated = runner.invoke(app, ["reference", "update", "carc", str(second), "--db", str(db_path)])
    assert updated.exit_code == 0, updated.output
    said = " ".join(updated.output.split())  # the console wraps a long path at its width
    assert "CARC list version 2 loaded" in said and "1 codes" in said
    load_files([HAND_MADE_X12 / "cob_two_billing_providers.837p", sunrise_remit_with_code(tmp_path, "Z99")], db_path)

    # Both versions are kept, the later one's description and dates win; the shipped codes are still there
    assert scalar(db_path, "select list(source_path order by version_id) from code_list_versions") == [str(first), str(second)]
    assert scalar(db_path, "select [carc_description, stop_date::varchar, status] from int_reference__carc_codes where carc_code = 'Z99'") == [
        "Claim held pending review", "2026-06-30", "deactivated",
    ]
    assert scalar(db_path, "select carc_description from int_reference__carc_codes where carc_code = '45'").startswith("Charge exceeds")
    # Z99 is known now, but the payment of 2026-11-12 falls after its stop date: a warning, and the money loads
    known = scalar(db_path, "select success from validation_runs where expectation = 'expect_column_values_to_be_in_set(reason_code)'")
    outside = scalar(db_path, "select [severity, sample_values] from validation_runs where expectation = 'expect_column_values_to_be_in_set(reason_code_in_effect)'")
    assert known is True and outside == ["warning", "[\"'Z99'\"]"]
    assert scalar(db_path, "select count(*) from remit_adjustments where reason_code = 'Z99'") == 1
    # The console's width is fixed when the CLI is imported; a long temporary path would wrap inside its cell.
    monkeypatch.setattr(cli.console, "width", 300)
    versions = runner.invoke(app, ["reference", "versions", "--db", str(db_path)])
    assert "carc-2027-07.csv" in versions.output and "carc-2027-03.csv" in versions.output


def test_a_code_used_within_its_dates_passes(tmp_path, db_path):
    listed = write_list(tmp_path / "carc.csv", ["Z99,Claim held,2026-11-01,2026-12-31"])
    CliRunner().invoke(app, ["reference", "update", "carc", str(listed), "--db", str(db_path)])

    load_files([sunrise_remit_with_code(tmp_path, "Z99")], db_path)

    assert scalar(db_path, "select bool_and(success) from validation_runs where suite = 'remit_adjustments' and severity = 'warning'"
                           " and expectation like '%reason_code%'") is True


def test_a_bad_code_list_is_refused_naming_the_file_and_line_and_nothing_is_loaded(tmp_path, db_path):
    bad = write_list(tmp_path / "carc-bad.csv", ["Z98,Fine,2026-01-01,", "Z99,Broken,2026-01-01,2026-13-01"])

    result = CliRunner().invoke(app, ["reference", "update", "carc", str(bad), "--db", str(db_path)])

    assert result.exit_code == 1
    assert f"Error: {bad}: line 3: stop_date '2026-13-01' is not a date (YYYY-MM-DD)" in result.output
    assert scalar(db_path, "select count(*) from code_list_entries") == 0


def test_a_process_reuses_its_suites_only_for_the_same_code_lists(tmp_path, monkeypatch):
    """The loader keeps its built suites for the process's next load (etl/load/checking.py), and builds new ones for a
    database whose code lists differ: a code known to one practice is still unknown to the other."""
    from etl.intake import validate
    from etl.load import checking

    built = []

    class Counted(validate.SuiteRunner):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(checking, "IDLE_RUNNERS", {})
    monkeypatch.setattr(validate, "SuiteRunner", Counted)
    known = {}
    listed = write_list(tmp_path / "carc-2027-03.csv", ["Z99,Claim held for a rule published after the release,2026-01-01,"])
    assert CliRunner().invoke(app, ["reference", "update", "carc", str(listed), "--db", str(tmp_path / "listed.duckdb")]).exit_code == 0
    for name, builds in (("first", 1), ("second", 1), ("listed", 2)):
        db = tmp_path / f"{name}.duckdb"
        load_files([HAND_MADE_X12 / "cob_two_billing_providers.837p", sunrise_remit_with_code(tmp_path, "Z99")], db)
        known[name] = scalar(db, "select success from validation_runs where expectation = 'expect_column_values_to_be_in_set(reason_code)'")
        assert len(built) == builds, name
    assert known == {"first": False, "second": False, "listed": True}
