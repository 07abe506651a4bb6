import re

import pytest
import typer
from typer.testing import CliRunner

from etl.cli import app
from tests.conftest import FIXTURES, REPO, HAND_MADE, scalar

runner = CliRunner()


def test_load_exits_0_when_everything_loaded(db_path):
    result = runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])

    assert result.exit_code == 0, result.output
    assert result.output.count("│ loaded │") == 3
    assert scalar(db_path, "select count(*) from source_files") == 3


def test_load_exits_1_and_names_the_line_when_records_are_quarantined(db_path):
    result = runner.invoke(app, ["load", str(FIXTURES / "csv" / "claims_with_bad_rows.csv"), "--db", str(db_path)])

    assert result.exit_code == 1
    assert ": partial: line 3: total_charge '12O.00' is not a dollar amount" in result.output
    assert scalar(db_path, "select count(*) from claims") == 2


def test_second_load_of_same_files_exits_0_and_reports_skipped(db_path):
    runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])

    result = runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])

    assert result.exit_code == 0
    assert result.output.count("skipped") == 3


def test_db_defaults_to_claimscope_db_environment_variable(db_path, monkeypatch):
    monkeypatch.setenv("CLAIMSCOPE_DB", str(db_path))

    result = runner.invoke(app, ["load", str(HAND_MADE / "audits.csv")])

    assert result.exit_code == 0
    assert scalar(db_path, "select count(*) from coding_audits") == 5


def test_mapping_option_loads_a_pm_export(db_path):
    mapping = REPO / "etl" / "mappings" / "example_pm_export.yaml"

    result = runner.invoke(app, ["load", str(FIXTURES / "csv" / "pm_export_claims.csv"), "--mapping", str(mapping), "--db", str(db_path)])

    assert result.exit_code == 0, result.output
    assert scalar(db_path, "select claim_id from claims") == "PM-77"


def test_unreadable_mapping_is_one_error_line_and_exit_1(db_path, tmp_path):
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("just a string")

    result = runner.invoke(app, ["load", str(HAND_MADE), "--mapping", str(mapping), "--db", str(db_path)])

    assert result.exit_code == 1
    assert "Error: " in result.output and "a mapping needs a `columns:` section" in result.output


def test_tables_lists_row_counts(db_path):
    runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])

    result = runner.invoke(app, ["tables", "--db", str(db_path)])

    assert re.search(r"claim_lines\s*│\s*9", result.output)


def test_export_writes_a_lake_that_tables_reads_back_and_the_audit_log_records_it(db_path, tmp_path):
    runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])

    exported = runner.invoke(app, ["export", "--parquet", str(tmp_path / "lake"), "--db", str(db_path), "--by", "mara"])
    again = runner.invoke(app, ["export", "--parquet", str(tmp_path / "lake"), "--db", str(db_path), "--by", "mara"])
    listed = runner.invoke(app, ["tables", "--lake", str(tmp_path / "lake")], env={"COLUMNS": "200"})

    assert exported.exit_code == 0, exported.output
    said = " ".join(exported.output.split())  # the console wraps (and breaks) the long temporary path wherever it falls
    assert re.search(r"^Export 1 to .+: [1-9][\d,]* files written, 0 removed; [\d,]+ rows", said), said
    assert again.exit_code == 0 and "Export 2" in again.output
    # the hand-made claims file has 9 lines, as `tables --db` counts them
    assert re.search(r"claim_lines\s*│\s*9\b", listed.output), listed.output
    assert scalar(db_path, "select count(*) from audit_log where action = 'export' and user_name = 'mara'") == 2


def test_export_refuses_a_folder_that_is_no_lake(db_path, tmp_path):
    runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "notes.txt").write_text("not a lake")

    result = runner.invoke(app, ["export", "--parquet", str(tmp_path / "elsewhere"), "--db", str(db_path)])

    assert result.exit_code == 1 and "Error: " in result.output


def command_paths(command, path=()):
    """The name path of every command under a click group, sub-apps' commands included (`work assign`)."""
    for name, subcommand in getattr(command, "commands", {}).items():
        if hasattr(subcommand, "commands"):
            yield from command_paths(subcommand, (*path, name))
        else:
            yield " ".join((*path, name))


@pytest.mark.parametrize("command", list(command_paths(typer.main.get_command(app))))
def test_every_command_has_help_with_an_example_shown_in_the_readme(command):
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "250"})

    examples = [example.strip() for example in re.findall(r"Example: (claimscope .+)", result.output)]
    assert examples, f"claimscope {command} --help has no Example:"
    for example in examples:
        assert example.startswith(f"claimscope {command} "), example
        assert example in (REPO / "README.md").read_text()


def test_validate_reruns_every_suite_and_writes_data_docs(db_path, tmp_path):
    runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])

    result = runner.invoke(app, ["validate", "--db", str(db_path), "--docs", str(tmp_path / "docs")])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "docs" / "index.html").exists()
    # provider_adjustments is empty in the hand-made set: its row-count expectation is the one warning
    assert scalar(db_path, "select list(suite) from validation_runs where file_id is null and not success") == ["provider_adjustments"]


def test_validate_exits_1_when_a_critical_expectation_fails_over_the_database(db_path):
    runner.invoke(app, ["load", str(HAND_MADE), "--db", str(db_path)])
    import duckdb

    with duckdb.connect(str(db_path)) as con:
        con.execute("update claim_lines set charge = -1 where line_number = 1 and claim_id = 'C1001'")

    result = runner.invoke(app, ["validate", "--db", str(db_path)])

    assert result.exit_code == 1
    failing = scalar(db_path, "select list(expectation) from validation_runs where file_id is null and severity = 'error' and not success")
    assert failing == ["expect_column_values_to_be_between(charge)"]


def test_a_load_of_many_files_counts_them_and_lists_only_the_ones_that_were_not_clean(tmp_path, db_path):
    from tests.test_load_batches import small_remits

    small_remits(tmp_path / "remits")

    result = CliRunner().invoke(app, ["load", str(tmp_path / "remits"), "--db", str(db_path)], env={"COLUMNS": "300"})

    assert result.exit_code == 1
    # 47 clean files of one claim each, counted in one row; the three bad ones by name (tests/test_load_batches.py)
    assert re.search(r"│ 47 files\s+│ 835\s+│ loaded\s+│\s+47 │\s+0 │", result.output)
    assert re.search(r"│ 2 files\s+│ 835\s+│ rejected\s+│\s+0 │\s+2 │", result.output)
    assert all(f"remit_{number:02}.835" in result.output for number in (7, 19, 33))
    assert "remit_08.835" not in result.output


@pytest.fixture(scope="module")
def queue_practice(tmp_path_factory):
    """The worklist fixture plus W9, a claim to Aetna sent 2026-11-20: on 2026-11-26 still inside Aetna's 30 expected
    days to pay. Its open claims then, by hand:
      W1  Aetna, served 2026-10-01 (56 days: 31-60),  no answer,                   past its expected pay date
      W2  Cigna, served 2026-08-01 (117 days: 91-120), denied CO-197 (authorization_referral), answered: due
      W4  Cigna, served 2026-06-01 (178 days: 120+),   no answer (filed on time),   past its expected pay date
      W6  Aetna, served 2026-10-15 (42 days: 31-60),   paid 100 of 250 (partial_payment), answered: due
      W9  Aetna, served 2026-11-19 (7 days: 0-30),     no answer,                   not yet due
    in priority order W1, W2, W4, W6, W9 (tests/test_work_queue.py)."""
    from etl.load import load_files

    folder = tmp_path_factory.mktemp("queue")
    claims = (FIXTURES / "worklist" / "claims.csv").read_text().splitlines()
    w9 = claims[1].replace("W1,", "W9,", 1).replace(",A1,", ",A9,").replace("2026-10-01,,2026-10-03", "2026-11-19,,2026-11-20")
    (folder / "w9.csv").write_text(f"{claims[0]}\n{w9}\n")
    db = folder / "queue.duckdb"
    assert all(result.status == "loaded" for result in load_files([FIXTURES / "worklist", folder / "w9.csv"], db))
    return db


@pytest.mark.parametrize(("filters", "claims"), [
    (["--aging-bucket", "31-60"], ["W1", "W6"]),
    (["--category", "authorization_referral"], ["W2"]),
    (["--pay-date", "not_yet_due"], ["W9"]),
    (["--pay-date", "due"], ["W1", "W2", "W4", "W6"]),
    (["--aging-bucket", "31-60", "--aging-bucket", "120+", "--category", "no_response", "--pay-date", "due"], ["W1", "W4"]),
], ids=["bucket", "denial-category", "not-yet-due", "due", "all-three"])
def test_work_list_narrows_the_queue_as_the_pages_filters_do(queue_practice, tmp_path, filters, claims):
    import csv

    out = tmp_path / "queue.csv"

    result = runner.invoke(app, ["work", "list", "--db", str(queue_practice), "--by", "dana", "--as-of", "2026-11-26",
                                 *filters, "--format", "csv", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert [row["Claim"] for row in csv.DictReader(out.open())] == claims


def test_work_list_says_when_no_claim_has_a_category_asked_for(queue_practice):
    result = runner.invoke(app, ["work", "list", "--db", str(queue_practice), "--by", "dana", "--as-of", "2026-11-26",
                                 "--category", "authorisation_referal"])

    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    # the open claims' categories by hand (queue_practice): W1, W4, W9 no answer; W2 CO-197; W6 paid in part
    assert ("No claim on the worklist has category 'authorisation_referal'; the categories on it now: "
            "authorization_referral, no_response, partial_payment") in said


def test_work_list_refuses_an_aging_bucket_it_does_not_have(queue_practice):
    result = runner.invoke(app, ["work", "list", "--db", str(queue_practice), "--by", "dana", "--aging-bucket", "90-120"])

    assert result.exit_code == 1
    assert "Error: --aging-bucket must be one of 0-30, 31-60, 61-90, 91-120, 120+, not '90-120'" in result.output
