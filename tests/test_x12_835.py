"""835 intake through the real loader, with totals worked out by hand from the files."""

from decimal import Decimal

import pytest

from etl.load import load_files
from tests.conftest import FIXTURES, SHARED_X12, scalar

X12 = FIXTURES / "x12"


def test_every_cas_triplet_claim_level_cas_and_plb_pair_is_kept_to_the_cent(db_path):
    [result] = load_files([X12 / "cas_triplets_and_plb.835"], db_path)

    assert (result.kind, result.status, result.records_loaded) == ("835", "loaded", 2)
    # Line 1 CAS carries three triplets: CO-45 100.00, CO-253 10.00, CO-59 190.00 (quantity 1)
    line_cas = scalar(
        db_path,
        "select list(reason_code || '=' || amount || '/' || coalesce(quantity::varchar, '-') order by reason_code)"
        " from remit_adjustments where remit_line_id = (select min(remit_line_id) from remit_service_lines)",
    )
    assert line_cas == ["253=10.00/-", "45=100.00/-", "59=190.00/1.000"]
    # Claim-level CAS has no line: CO-45 50.00 on T100 and CO-45 -50.00 on the reversal T099
    assert scalar(db_path, "select sum(amount) from remit_adjustments where remit_line_id is null") == Decimal("0.00")
    assert scalar(db_path, "select count(*) from remit_adjustments where remit_line_id is null") == 2
    # PLB: L6 interest -5.00 and WO recoupment 25.00
    plb = scalar(db_path, "select list(reason_code || ':' || reference || '=' || amount order by reason_code) from provider_adjustments")
    assert plb == ["L6:T100=-5.00", "WO:OLDCLM9=25.00"]
    # BPR02 230.00 = (500.00 - 250.00) - (25.00 - 5.00): the file balances
    assert scalar(db_path, "select count(*) from balancing_issues") == 0


def test_payment_and_claim_fields_are_read_as_sent(db_path):
    load_files([X12 / "cas_triplets_and_plb.835"], db_path)

    payment = scalar(db_path, "select [trace_number, payer_id, payer_name, payee_npi, method, amount::varchar, payment_date::varchar] from remit_payments")
    assert payment == ["EFT777", "SYN01", "SYNTHETIC HEALTH PLAN", "1234567893", "ACH", "230.00", "2026-10-01"]
    reversal = scalar(db_path, "select [status_code, charge::varchar, paid::varchar] from remit_claims where claim_id = 'T099'")
    assert reversal == ["22", "-300.00", "-250.00"]
    t100 = scalar(db_path, "select [patient_responsibility::varchar, payer_claim_id, received_date::varchar] from remit_claims where claim_id = 'T100'")
    assert t100 == ["200.00", "PAYERCLM1", "2026-09-15"]
    line = scalar(db_path, "select [procedure_qualifier, procedure_code, modifiers[1], allowed::varchar, service_date::varchar] from remit_service_lines where line_number = 1")
    assert line == ["HC", "99214", "25", "500.00", "2026-09-10"]
    remarks = scalar(db_path, "select list(code || '@' || source order by code) from remit_remarks")
    assert remarks == ["MA01@MOA", "N130@LQ", "N4@MOA"]


def test_patient_names_reach_only_the_patients_table(db_path):
    load_files([X12 / "cas_triplets_and_plb.835"], db_path)

    assert scalar(db_path, "select last_name from patients") == "TESTER"
    assert scalar(db_path, "select count(*) from remit_claims where patient_key = (select patient_key from patients)") == 1


def test_a_bad_set_is_quarantined_with_its_segment_and_the_other_set_loads(db_path):
    [result] = load_files([X12 / "two_sets_one_bad.835"], db_path)

    assert (result.status, result.records_loaded, result.records_quarantined) == ("partial", 2, 1)
    locator, reason, raw = scalar(db_path, "select [locator, reason, raw] from quarantine")
    assert locator == "segment 33"
    assert reason == "transaction set 0002 (segments 27-35) rejected: non-numeric amount in charge: '1O0.00': CLP*T200*1*1O0.00*80.00*0*CI*PAYERCLM2"
    assert raw == "CLP*T200*1*1O0.00*80.00*0*CI*PAYERCLM2"
    assert scalar(db_path, "select count(*) from remit_payments") == 1


def test_unbalanced_payment_is_loaded_and_flagged_with_the_difference(db_path, tmp_path):
    unbalanced = tmp_path / "unbalanced.835"
    unbalanced.write_text((X12 / "cas_triplets_and_plb.835").read_text().replace("BPR*I*230.00", "BPR*I*235.50"))

    load_files([unbalanced], db_path)

    issue = scalar(db_path, "select [identity, expected::varchar, actual::varchar, difference::varchar, locator] from balancing_issues")
    assert issue == ["BPR02 = sum CLP04 - sum PLB", "230.00", "235.50", "5.50", "segment 3"]
    assert scalar(db_path, "select amount from remit_payments") == Decimal("235.50")


def test_a_patient_responsibility_the_cas_do_not_add_up_to_is_loaded_and_flagged(db_path, tmp_path):
    # CLP05 says the patient owes 210.00, but the only group PR adjustment is PR-2 200.00.
    odd = tmp_path / "odd.835"
    odd.write_text((X12 / "cas_triplets_and_plb.835").read_text().replace("*500.00*200.00*CI*PAYERCLM1", "*500.00*210.00*CI*PAYERCLM1"))

    load_files([odd], db_path)

    issue = scalar(db_path, "select [identity, expected::varchar, actual::varchar, difference::varchar] from balancing_issues")
    assert issue == ["CLP05 = sum PR CAS", "200.00", "210.00", "10.00"]
    # the balance moves CLP05, the payer's own total, to the patient
    assert scalar(db_path, "select patient_responsibility_amount from claim_events where claim_id = 'T100'") == Decimal("210.00")


# Figures computed from each file: CLP count, SVC count, ΣCLP04, Σ CAS by group-reason (every triplet), ΣPLB.
HAND_TOTALS = [
    # 9 CLP, 33 SVC; ΣCLP04 810.80 = BPR02; CO-131 1038.00, PR-3 970.20; 2819.00 - 2008.20 = 810.80
    ("albmarin__badX12/X221-multiple-claims-single-check.edi", 9, 33, "810.80", {"CO-131": "1038.00", "PR-3": "970.20"}, "0"),
    # 1 CLP 226/132, SVCs 46/25 25/14 22/10 60/34 73/49; CO-131 21+11+12+26+24 = 94
    ("albmarin__badX12/X221-era-sample.edi", 1, 5, "132.00", {"CO-131": "94.00"}, "0"),
    # 3 CLP (102.50 charged, 45.75 paid), 10 SVC; CO-29 34.00, CO-251 22.75
    ("keironstoddart__edi-835-parser/emedny_sample.txt", 3, 10, "45.75", {"CO-251": "22.75", "CO-29": "34.00"}, "0"),
    # denied claim 915.39: CO-16 500.04 + OA-A7 127.80 + OA-A7 287.55
    ("azoner__pyx12/835_mult_loops.txt", 1, 3, "0.00", {"CO-16": "500.04", "OA-A7": "415.35"}, "0"),
    # institutional, claim-level CAS only: CO-45 76368.24; PLB CV:CP -1.27; 150000.00 = 149998.73 + 1.27
    ("LinuxForHealth__x12/medicare-part-a.835", 2, 0, "149998.73", {"CO-45": "76368.24"}, "-1.27"),
    # the same content on one line with repetition separator '>'
    ("albmarin__badX12/X221-dollars-and-data-sent-together.edi", 2, 0, "149998.73", {"CO-45": "76368.24"}, "-1.27"),
    # comp '>' : CO-45 587.14, PR-1 215.26, PR-2 5.13; 1157.52 - 807.53 = 349.99
    ("keironstoddart__edi-835-parser/united_healthcare_legacy_sample.txt", 2, 5, "349.99", {"CO-45": "587.14", "PR-1": "215.26", "PR-2": "5.13"}, "0"),
]
# Envelope paperwork off, every segment parsing: these load with a structural warning.
WARNED_TOTALS = [
    # IEA02 100000301 for ISA13 100000300. Three denied claims, 72232 + 3002 + 41231.04; OA-147 50016 + 9365.04,
    # CO-26 22216 + 31866; PLB -1092.46 - 719.81 - 181.55 + 181.55 - 130 + 130 = -1812.27 (the third set's BPR02 1812.27)
    ("affect-therapeutics__edi-835-parser/nevada_medicaid.txt", 3, 0, "0.00", {"OA-147": "59381.04", "CO-26": "54082.00", "OA-176": "3002.00"}, "-1812.27"),
    # SE01 30 for 27 segments, SE02 112223 for ST02 112233, GE01 2 for 1 set, GE02 20213 for GS06 20413, IEA01 2 for
    # 1 group, IEA02 000010215 for ISA13 000010216:
    # 450 + 495 = 945 = BPR02; CO-A2 50 + 55, PR-1 300 + 600, CO-45 50
    ("albmarin__badX12/error_validation.edi", 2, 2, "945.00", {"CO-A2": "105.00", "PR-1": "900.00", "CO-45": "50.00"}, "0"),
]


@pytest.mark.parametrize(("name", "claims", "lines", "paid", "cas", "plb"), HAND_TOTALS + WARNED_TOTALS,
                         ids=[row[0].split("/")[1] for row in HAND_TOTALS + WARNED_TOTALS])
def test_public_835_samples_match_hand_totals(db_path, name, claims, lines, paid, cas, plb):
    [result] = load_files([SHARED_X12 / name], db_path)

    assert result.status == "loaded", result.message
    assert scalar(db_path, "select count(*) from quarantine") == 0
    assert scalar(db_path, "select count(*) from remit_claims") == claims
    assert scalar(db_path, "select count(*) from remit_service_lines") == lines
    assert scalar(db_path, "select sum(paid) from remit_claims") == Decimal(paid)
    by_reason = scalar(db_path, "select map(list(k), list(v)) from (select group_code || '-' || reason_code as k, sum(amount)::varchar as v from remit_adjustments group by all)")
    assert by_reason == cas
    assert scalar(db_path, "select coalesce(sum(amount), 0) from provider_adjustments") == Decimal(plb)


# Files with a documented fault: each is rejected (or partly loaded) with the reason and segment given here.
DOCUMENTED_ERRORS = [
    ("Inteligenz__X12Parser/Example1.txt", "rejected", "segment 98", "CLP is missing required element CLP03, CLP04: CLP*090909*22"),
    ("LinuxForHealth__x12/managed-care.835", "rejected", "segment 4", "impossible date in BPR16: '20002316'"),
    # its SE01 is off too (a warning), and its first set's CAS carry the placeholder 'amount'; a PLB of another set lacks
    # its amount: that PLB alone is quarantined and its set's claims load (issue 32, item 5)
    ("affect-therapeutics__edi-835-parser/sample_835.txt", "partial", "segment 23", "non-numeric amount in amount: 'amount'"),
    ("keironstoddart__edi-835-parser/blue_cross_nc_sample.txt", "rejected", "segment 28", "SVC is missing required element SVC02, SVC03"),
    ("albmarin__badX12/segment_terminator.edi", "rejected", "file", "X12 interchange with no ST transaction set header"),
]


@pytest.mark.parametrize(("name", "status", "locator", "reason"), DOCUMENTED_ERRORS, ids=[row[0].split("/")[1] for row in DOCUMENTED_ERRORS])
def test_faulty_public_samples_give_their_documented_error(db_path, name, status, locator, reason):
    [result] = load_files([SHARED_X12 / name], db_path)

    assert result.status == status
    first = scalar(db_path, "select [locator, reason] from quarantine order by rowid limit 1")
    assert first[0] == locator and reason in first[1]


def test_envelope_warnings_are_recorded_where_the_file_and_the_data_quality_page_show_them(db_path):
    [result] = load_files([SHARED_X12 / "albmarin__badX12" / "error_validation.edi"], db_path)

    assert "segment 29: SE01 says 30 segments but the set has 27 (loaded" in result.message
    warnings = scalar(db_path, "select list([locator, split_part(warning, ' (loaded', 1)] order by locator, warning) from structural_warnings")
    assert warnings == [
        ["segment 29", "SE01 says 30 segments but the set has 27"],
        ["segment 29", "SE02 does not match ST02 '112233'"],
        ["segment 30", "GE01 says 2 transaction sets but the group has 1"],
        ["segment 30", "GE02 does not match GS06 '20413'"],
        ["segment 31", "IEA01 says 2 groups but the interchange has 1"],
        ["segment 31", "IEA02 does not match ISA13 '000010216'"],
    ]
    assert scalar(db_path, "select [status, message] from source_files")[0] == "loaded"


STRICT_REJECTIONS = [
    ("affect-therapeutics__edi-835-parser/nevada_medicaid.txt", "segment 67", "IEA02 does not match ISA13 '100000300'"),
    ("albmarin__badX12/error_validation.edi", "segment 29", "SE01 says 30 segments but the set has 27"),
]


@pytest.mark.parametrize(("name", "locator", "reason"), STRICT_REJECTIONS, ids=[row[0].split("/")[1] for row in STRICT_REJECTIONS])
def test_strict_load_still_rejects_envelope_paperwork(db_path, name, locator, reason):
    [result] = load_files([SHARED_X12 / name], db_path, strict=True)

    assert result.status == "rejected"
    assert scalar(db_path, "select count(*) from remit_claims") == 0
    first = scalar(db_path, "select [locator, reason] from quarantine order by rowid limit 1")
    assert first[0] == locator and reason in first[1]


def test_every_shared_fixture_loads_or_gives_a_documented_error(db_path):
    files = sorted(path for path in SHARED_X12.rglob("*") if path.is_file() and path.name != "SOURCES.md")
    documented = {SHARED_X12 / row[0] for row in DOCUMENTED_ERRORS} | {
        SHARED_X12 / "imsweb__x12-parser" / name
        for name in ("x12_bad_segment_identifier.txt", "x12_no_isa_line.txt")
    }

    results = load_files(files, db_path)

    for path, result in zip(files, results):
        expected = {"rejected", "partial"} if path in documented else {"loaded"}
        assert result.status in expected, (path.name, result.status, result.message)


def test_835_without_isa_is_read_with_a_warning_and_its_masked_codes_load_as_unknown(db_path):
    [result] = load_files([SHARED_X12 / "affect-therapeutics__edi-835-parser" / "exhaustive_sample.txt"], db_path)

    assert "no ISA envelope" in result.message
    # The payment, its six PLB pairs and its one claim load; the claim's CARCs, masked as X, are unknown codes: a
    # warning recorded with its sample, not a reason to refuse the payment.
    assert result.status == "loaded"
    assert scalar(db_path, "select count(*) from provider_adjustments") == 6
    assert scalar(db_path, "select count(*) from remit_claims") == 1
    run = scalar(db_path, "select [severity, unexpected_count::varchar, sample_values] from validation_runs"
                          " where expectation = 'expect_column_values_to_be_in_set(reason_code)'")
    # two CAS of six triplets each: XXX XX XXX XX XX XX and X XXXXX XXXXX XXX XXX XXX
    assert run[:2] == ["warning", "12"] and "'XXX'" in run[2]


def test_4010_file_with_reversals_keeps_negative_amounts(db_path):
    load_files([SHARED_X12 / "Inteligenz__X12Parser" / "835_DeIdent_01.dat"], db_path)

    assert scalar(db_path, "select count(*) from remit_claims") == 96
    assert scalar(db_path, "select count(*) from remit_claims where status_code = '22'") == 19
    assert scalar(db_path, "select count(*) from remit_claims where status_code = '22' and charge < 0") == 19
    assert scalar(db_path, "select count(*) from remit_service_lines") == 365


def test_three_interchanges_in_one_file_each_become_a_payment(db_path):
    load_files([SHARED_X12 / "Inteligenz__X12Parser" / "835_WithMultipleInterchanges.txt"], db_path)

    assert scalar(db_path, "select count(*) from remit_payments") == 3
    assert scalar(db_path, "select count(*) from remit_claims") == 56
    assert scalar(db_path, "select count(*) from remit_service_lines") == 91


def test_an_impossible_date_is_reported_at_the_dtm_that_holds_it(tmp_path, db_path):
    remit = tmp_path / "bad_date.835"
    text = (SHARED_X12.parent / "x12" / "cob_sunrise.835").read_text()
    remit.write_text(text.replace("DTM*232*20261017", "DTM*232*20261317"))

    [result] = load_files([remit], db_path)

    # ISA GS ST BPR TRN DTM*405 N1 REF N1 LX CLP NM1: the DTM*232 is segment 13, not the CLP at 11
    assert result.status == "rejected"
    locator, reason = scalar(db_path, "select [locator, reason] from quarantine")
    assert locator == "segment 13"
    assert "impossible date in DTM02: '20261317': DTM*232*20261317" in reason


def test_a_trimmed_second_isa_is_read_with_its_own_delimiters(db_path, tmp_path):
    # The same file with the second ISA's fields trimmed of their padding, as some senders send them.
    text = (SHARED_X12.parent / "x12" / "two_interchanges_two_delimiter_sets.835").read_text()
    padded = "ISA|00|          |00|          |ZZ|ACME           |ZZ|NORTH          |"
    assert padded in text
    trimmed = tmp_path / "trimmed_isa.835"
    trimmed.write_text(text.replace(padded, "ISA|00||00||ZZ|ACME|ZZ|NORTH|"))

    [result] = load_files([trimmed], db_path)

    assert (result.status, result.records_loaded) == ("loaded", 2)
    assert scalar(db_path, "select list([claim_id, paid::varchar] order by claim_id) from remit_claims") == [["C1", "90.00"], ["C3", "48.00"]]
    assert scalar(db_path, "select sum(paid)::varchar from remit_service_lines") == "138.00"


def test_each_interchange_is_read_with_its_own_delimiters(db_path):
    [result] = load_files([SHARED_X12.parent / "x12" / "two_interchanges_two_delimiter_sets.835"], db_path)

    # the first interchange uses * : ~ (18 segments), the second | > ! with repetition {
    assert (result.status, result.records_loaded) == ("loaded", 2)
    assert scalar(db_path, "select list([claim_id, paid::varchar, locator] order by claim_id) from remit_claims") == [
        ["C1", "90.00", "segment 29"], ["C3", "48.00", "segment 11"],
    ]
    # C1's lines, split at '>' in the second interchange: 99213 60.00 and 85025 30.00; CO-45 30 + 20, PR-2 10 + 12
    lines = scalar(db_path, "select list([procedure_code, paid::varchar, coalesce(line_control_number, '-')] order by remit_line_id) from remit_service_lines")
    assert lines == [["99211", "48.00", "-"], ["99213", "60.00", "C1L1"], ["85025", "30.00", "-"]]
    assert scalar(db_path, "select map(list(k), list(v)) from (select group_code || '-' || reason_code as k, sum(amount)::varchar as v from remit_adjustments group by all)") == {
        "CO-45": "50.00", "PR-2": "22.00",
    }
    assert scalar(db_path, "select count(*) from remit_payments") == 2


@pytest.mark.parametrize("amount, reason", [("5OO.00", "non-numeric amount in allowed: '5OO.00'"),
                                            ("99999999999999999999", "amount too large in allowed")])
def test_a_bad_allowed_amount_is_reported_at_the_amt_that_holds_it(tmp_path, db_path, amount, reason):
    remit = tmp_path / "bad_allowed.835"
    remit.write_text((X12 / "cas_triplets_and_plb.835").read_text().replace("AMT*B6*500.00", f"AMT*B6*{amount}"))

    [result] = load_files([remit], db_path)

    # ISA GS ST BPR TRN N1 REF N1 LX CLP CAS NM1 DTM SVC DTM CAS AMT: the AMT*B6 is segment 17, not the SVC at 14
    assert result.status == "rejected"
    locator, stated = scalar(db_path, "select [locator, reason] from quarantine")
    assert locator == "segment 17"
    assert reason in stated and f"AMT*B6*{amount}" in stated
