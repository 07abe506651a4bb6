"""Contract fee schedules: loaded from CSV, resolved (a percentage of another schedule), and judged against.

The practice is tests/fixtures/underpayment (ten Aetna PPO claims for 99213 paid 2026-10-01 with a usual rate of
100.00; three Cigna claims, V1 and V2 allowed 80.00 and V3 60.00, too few for a usual rate) plus the fee schedules in
tests/fixtures/fee_schedules. Both payers' tolerance is the '*' row's 2% (etl/reference/payer_rules.csv).
"""

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from etl.load import load_files
from tests.conftest import FIXTURES, scalar

AS_OF = date(2026, 11, 26)
SCHEDULES = FIXTURES / "fee_schedules"


@pytest.fixture
def practice(db_path):
    load_files([FIXTURES / "underpayment"], db_path)
    return db_path


def underpaid_lines(db_path) -> dict[str, tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select claim_id, rate_basis, schedule_name, units, allowed_amount, contract_allowed_per_unit,"
            " expected_allowed_amount, shortfall_amount, cas_adjustments from underpaid_lines(?)",
            [AS_OF],
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_a_line_allowed_below_its_contract_rate_is_underpaid_by_the_shortfall(practice):
    load_files([SCHEDULES / "cigna_2026.csv"], practice)

    lines = underpaid_lines(practice)

    # V1: 80.00 allowed < 85.00 x 1 unit x (1 - 0.02) = 83.30; short 85.00 - 80.00 = 5.00, which its CAS explain.
    assert lines["V1"] == (
        "contract", "Cigna Open Access 2026", Decimal("1.000"), Decimal("80.00"), Decimal("85.00"), Decimal("85.00"),
        Decimal("5.00"), "CO-45 70.00; PR-2 16.00",
    )
    # V3: 60.00 allowed; short 85.00 - 60.00 = 25.00. Without the contract Cigna has no usual rate (three lines).
    assert lines["V3"][6] == Decimal("25.00")


def test_a_line_within_the_tolerance_of_its_contract_rate_is_not_underpaid(practice, tmp_path):
    # 81.60 is 80.00 / 0.98 rounded down, so 81.60 x 0.98 = 79.968 < 80.00: within the 2% tolerance.
    schedule = tmp_path / "cigna_tolerant.csv"
    schedule.write_text((SCHEDULES / "cigna_2026.csv").read_text().replace("$85.00", "81.60"))
    load_files([schedule], practice)

    assert sorted(underpaid_lines(practice)) == ["U7", "U9", "V3"]


def test_a_line_with_no_contract_is_judged_by_the_usual_rate_and_says_so(practice):
    load_files([SCHEDULES / "cigna_2026.csv"], practice)

    lines = underpaid_lines(practice)

    # Aetna has no contract: U9's two units allowed 190.00 against the usual 100.00 a unit, short 200.00 - 190.00.
    assert lines["U9"] == (
        "usual rate", None, Decimal("2.000"), Decimal("190.00"), None, Decimal("200.00"), Decimal("10.00"),
        "CO-45 110.00; PR-2 38.00",
    )


def test_a_percentage_of_another_schedule_is_resolved_once_both_are_loaded(practice):
    load_files([SCHEDULES / "aetna_2026.csv"], practice)
    # Until its base arrives, Aetna's 130% of Medicare sets no rate: the usual rate still judges U9.
    assert underpaid_lines(practice)["U9"][0] == "usual rate"

    load_files([SCHEDULES / "medicare_2026.csv"], practice)
    lines = underpaid_lines(practice)

    # 130% of Medicare's 80.00 is 104.00 a unit. U9: 2 units expect 208.00; 190.00 < 208.00 x 0.98 = 203.84, short 18.00.
    assert lines["U9"][:7] == (
        "contract", "Aetna PPO 2026", Decimal("2.000"), Decimal("190.00"), Decimal("104.00"), Decimal("208.00"),
        Decimal("18.00"),
    )
    # U1 allowed the usual 100.00, below 104.00 x 0.98 = 101.92: short 4.00 against the contract.
    assert lines["U1"][6] == Decimal("4.00")
    # The base schedule names no payer, so it judges no line itself; Cigna has neither contract nor usual rate.
    assert not [claim for claim in lines if claim.startswith("V")]


def test_a_contract_not_yet_in_effect_on_the_date_of_service_is_not_used(practice, tmp_path):
    schedule = tmp_path / "cigna_2027.csv"
    schedule.write_text((SCHEDULES / "cigna_2026.csv").read_text().replace("2026-01-01", "2027-01-01"))
    load_files([schedule], practice)

    # Cigna's lines were served in 2026-09, before the rate starts, and Cigna has no usual rate to fall back on.
    assert sorted(underpaid_lines(practice)) == ["U7", "U9"]


def test_a_bad_amount_date_or_rate_is_quarantined_naming_the_file_and_line(db_path):
    path = SCHEDULES / "with_bad_rows.csv"

    [result] = load_files([path], db_path)

    assert (result.kind, result.status, result.records_loaded, result.records_quarantined) == ("fee_schedules_csv", "partial", 1, 4)
    quarantined = duckdb.connect(str(db_path), read_only=True).execute(
        "select source_files.path, quarantine.locator, quarantine.reason from quarantine"
        " inner join source_files using (file_id) order by quarantine.locator"
    ).fetchall()
    assert quarantined == [
        (str(path), "line 3", "allowed_per_unit '12O.00' is not a dollar amount"),
        (str(path), "line 4", "effective_from '2026-02-30' is not a valid date (%Y-%m-%d or %m/%d/%Y)"),
        (str(path), "line 5", "give allowed_per_unit or percent_of_base with base_schedule_name, not both"),
        (str(path), "line 6", "the same rate is already set on line 2"),
    ]
    assert scalar(db_path, "select list(procedure_code) from fee_schedules") == ["99213"]
