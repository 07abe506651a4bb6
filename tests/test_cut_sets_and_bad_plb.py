"""A file cut mid-claim keeps its complete claims, and a malformed PLB takes only itself (issue 32, items 4 and 5): the
cut claim or the PLB is quarantined with its reason, the file warns it was cut, the 835 records it cannot balance."""

import importlib.util
import sys
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.load import load_files
from tests.conftest import FIXTURES, scalar

REAL_FILES = FIXTURES / "real_files"
# cut_mid_claim.837p, by hand: C1 CLM02 150.00 (99213 100 + 85025 50), C2 75.50 (99212); C3 (CLM at segment 27,
# 200.00) ends at segment 33 inside its second line's SV1 (`SV1*HC:85025*8`): no SE, GE or IEA.
CUT_837 = REAL_FILES / "cut_mid_claim.837p"
# cut_mid_claim.835, by hand: BPR02 215.50 = P1 80.00 + P2 45.50 + P3 90.00; P3 (CLP at segment 19) ends at segment
# 23 inside a CAS (`CAS*CO*4`): no SE, GE or IEA.
CUT_835 = REAL_FILES / "cut_mid_claim.835"
# malformed_plb.835, by hand: P1 80.00 + P2 45.50 = 125.50; PLB at segment 19 `PLB*1234567893*20261231*WO>ADJ01>5***`
# (a 5.00 recovery keyed into PLB03's third component, PLB04 empty); BPR02 120.50 = 125.50 − 5.00.
BAD_PLB = REAL_FILES / "malformed_plb.835"


def quarantined(db_path) -> list[list[str]]:
    return scalar(db_path, "select list([locator, reason] order by locator) from quarantine") or []


def warnings_of(db_path) -> list[list[str]]:
    return scalar(db_path, "select list([locator, warning] order by locator) from load_warnings") or []


def test_an_837_cut_mid_claim_loads_its_complete_claims_and_quarantines_the_cut_one(db_path):
    [result] = load_files([CUT_837], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 2, 1)
    assert scalar(db_path, "select list(claim_id order by claim_id) from claims") == ["C1", "C2"]
    assert scalar(db_path, "select sum(total_charge) from claims") == Decimal("225.50")  # 150.00 + 75.50
    assert scalar(db_path, "select sum(charge) from claim_lines") == Decimal("225.50")  # 100 + 50 + 75.50
    [[locator, reason]] = quarantined(db_path)
    assert locator == "segment 27"  # CLM*C3
    assert reason.startswith(f"{CUT_837}: the file was cut at segment 33 (SV1), inside this claim")
    assert "has no SE" in reason and "the 2 claims before it loaded" in reason
    [[where, warning]] = warnings_of(db_path)
    assert where == "file"
    assert warning.startswith("the file was cut: it ends at segment 33 (SV1), where ST at segment 3 has no SE, GS at "
                              "segment 2 has no GE, ISA at segment 1 has no IEA; the claim at segment 27 was cut short")
    assert "the file was cut" in scalar(db_path, "select message from source_files")


def test_an_835_cut_mid_claim_loads_its_complete_claims_and_records_that_the_payment_cannot_balance(db_path):
    [result] = load_files([CUT_835], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 2, 1)
    assert scalar(db_path, "select list(claim_id order by claim_id) from remit_claims") == ["P1", "P2"]
    assert scalar(db_path, "select sum(paid) from remit_claims") == Decimal("125.50")  # 80.00 + 45.50
    assert scalar(db_path, "select sum(paid) from remit_service_lines") == Decimal("125.50")
    [[locator, reason]] = quarantined(db_path)
    assert locator == "segment 19"  # CLP*P3
    assert reason.startswith(f"{CUT_835}: the file was cut at segment 23 (CAS), inside this claim")
    assert "has no SE" in reason
    [[where, warning]] = warnings_of(db_path)
    assert where == "file" and warning.startswith("the file was cut: it ends at segment 23 (CAS)")
    # BPR02 215.50 against the loaded 125.50: the 90.00 of P3 is in quarantine, and the set says so
    [[identity, expected, actual, difference]] = scalar(
        db_path, "select list([identity, expected::varchar, actual::varchar, difference::varchar]) from balancing_issues")
    assert (expected, actual, difference) == ("125.50", "215.50", "90.00")
    assert identity.startswith("BPR02 = sum CLP04 - sum PLB (unverifiable: the set was cut at segment 23, with no SE")
    assert "the claim at segment 19 is quarantined" in identity


def test_an_835_with_a_malformed_plb_loads_every_claim_and_quarantines_only_the_plb(db_path):
    [result] = load_files([BAD_PLB], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 2, 1)
    assert scalar(db_path, "select list(claim_id order by claim_id) from remit_claims") == ["P1", "P2"]
    assert scalar(db_path, "select sum(paid) from remit_claims") == Decimal("125.50")  # 80.00 + 45.50
    assert scalar(db_path, "select count(*) from provider_adjustments") == 0
    [[locator, reason]] = quarantined(db_path)
    assert locator == "segment 19"
    assert reason.startswith(f"{BAD_PLB}: the provider adjustment (PLB) at segment 19 is unreadable")
    assert "PLB04" in reason and "PLB03 holds more than a reason code and a reference" in reason
    assert "ADJ01" not in reason  # the reference (it may be an account number) is not quoted
    assert scalar(db_path, "select raw from quarantine") == "PLB*1234567893*20261231*WO>ADJ01>5***"
    # BPR02 120.50 against 125.50 − 0 (the PLB is out): −5.00, on the data-quality page's "835 balancing failures"
    [[identity, expected, actual, difference, source]] = scalar(
        db_path, "select list([identity, expected_amount::varchar, actual_amount::varchar, difference_amount::varchar, "
                 "source_file]) from balancing_failures")
    assert (expected, actual, difference) == ("125.50", "120.50", "-5.00")
    assert source.endswith("malformed_plb.835")
    assert identity == "BPR02 = sum CLP04 - sum PLB (unverifiable: the PLB at segment 19 is quarantined, unreadable)"


@pytest.mark.parametrize(("path", "locator", "reason"), [
    (CUT_837, "segment 33", "truncated: ST at segment 3 has no SE (the file was cut; refused: --strict)"),
    (CUT_835, "segment 23", "truncated: ST at segment 3 has no SE (the file was cut; refused: --strict)"),
], ids=["837", "835"])
def test_strict_refuses_a_cut_file(db_path, path, locator, reason):
    [result] = load_files([path], db_path, strict=True)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("rejected", 0, 1)
    [[where, why]] = quarantined(db_path)
    assert where == locator and reason in why
    assert scalar(db_path, "select count(*) from claims") + scalar(db_path, "select count(*) from remit_claims") == 0
    assert warnings_of(db_path) == []


def test_claimscope_load_strict_refuses_the_cut_837(db_path):
    result = CliRunner().invoke(app, ["load", str(CUT_837), "--db", str(db_path), "--strict"])

    assert result.exit_code == 1, result.output
    assert scalar(db_path, "select count(*) from quarantine") == 1
    assert scalar(db_path, "select count(*) from claims") == 0


def _fuzz_harness():
    spec = importlib.util.spec_from_file_location("fuzz_load", FIXTURES.parents[1] / "bench" / "fuzz_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz_load", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", [CUT_837, CUT_835, BAD_PLB], ids=["837", "835", "plb"])
def test_the_fuzz_harness_counts_every_claim_of_a_cut_file_as_accounted_for(db_path, path):
    fuzz = _fuzz_harness()
    counted = fuzz.input_records(path.name, path.read_bytes())

    load_files([path], db_path)

    vanished, records_in, accounted, unwritten = fuzz.vanished_in(db_path, {str(path): counted})
    assert (vanished, records_in, accounted, unwritten) == (0, 3 if path != BAD_PLB else 2, 3 if path != BAD_PLB else 2, 0)
