"""837P/837I intake through the real loader, checked against figures read off the files."""

from decimal import Decimal

from etl.load import load_files
from tests.conftest import SHARED_X12, scalar


def test_837i_claims_lines_diagnoses_and_dates(db_path):
    [result] = load_files([SHARED_X12 / "LinuxForHealth__x12" / "two-claims-single-provider.837i"], db_path)

    assert (result.kind, result.status, result.records_loaded) == ("837I", "loaded", 2)
    # CLM02 89.95 + 50.00; SV203 13.39 + 76.56 + 50.00
    assert scalar(db_path, "select sum(total_charge) from claims") == Decimal("139.95")
    assert scalar(db_path, "select sum(charge) from claim_lines") == Decimal("139.95")
    assert scalar(db_path, "select list(revenue_code || ':' || procedure_code || 'x' || units order by revenue_code) from claim_lines") == [
        "0300:85087x1.000", "0305:85025x1.000", "0730:93005x3.000",
    ]
    first = scalar(
        db_path,
        "select [claim_type, frequency_code, place_of_service, service_date_from::varchar, service_date_to::varchar,"
        " submitted_date::varchar, payer_id, payer_name, billing_npi] from claims where claim_id = '756048Q'",
    )
    assert first == ["institutional", "1", "13", "2005-03-15", "2005-03-15", "2005-06-30", "99999", "TRICARE", "1234567890"]
    # HI*BK:3669 then HI*BF:4019*BF:79431 keep their order across segments
    codes = scalar(db_path, "select list(code order by position) from claim_diagnoses where claim_id = '756048Q'")
    assert codes == ["3669", "4019", "79431"]
    assert scalar(db_path, "select birth_date::varchar from patients where last_name = 'DOE'") == "1968-11-11"


def test_837p_ambulance_lines_with_modifiers_and_units(db_path):
    load_files([SHARED_X12 / "albmarin__badX12" / "X222-ambulance.edi"], db_path)

    # 700.00 + 8.20 + 46.00 + 12.30 = 766.50 = CLM02
    assert scalar(db_path, "select sum(charge) from claim_lines") == Decimal("766.50")
    assert scalar(db_path, "select total_charge from claims") == Decimal("766.50")
    lines = scalar(db_path, "select list(procedure_code || '-' || modifiers[1] || 'x' || units order by line_number) from claim_lines")
    assert lines == ["A0427-RHx1.000", "A0425-RHx21.000", "A0422-RHx1.000", "A0382-RHx1.000"]
    assert scalar(db_path, "select [payer_id, payer_name, place_of_service, claim_type] from claims") == ["123245", "MEDICARE PART B", "41", "professional"]
    assert scalar(db_path, "select count(*) from claim_diagnoses") == 4


def test_837p_patient_is_the_2000c_patient_with_the_subscribers_member_id(db_path):
    load_files([SHARED_X12 / "LinuxForHealth__x12" / "demo.837"], db_path)

    # Subscriber JANE SMITH (JS00111223333); the patient is TED SMITH, born 1973-05-01
    patient = scalar(db_path, "select [member_id, first_name, birth_date::varchar] from patients")
    assert patient == ["JS00111223333", "TED", "1973-05-01"]
    assert scalar(db_path, "select count(*) from claim_lines") == 4
    # CLM02 100 = 40 + 15 + 35 + 10; claim spans its lines, 2006-10-03 to 2006-10-10
    assert scalar(db_path, "select [total_charge::varchar, service_date_from::varchar, service_date_to::varchar] from claims") == [
        "100.00", "2006-10-03", "2006-10-10",
    ]


def test_837_with_repetition_separator_and_bom_is_read_and_its_placeholder_codes_load_with_a_warning(db_path):
    [result] = load_files([SHARED_X12 / "Inteligenz__X12Parser" / "MedicaidExample.txt"], db_path)

    # All five claims are read (BOM, CRLF, repetition '|'); each bills the placeholder X9999 on one of its lines, a
    # code outside the CPT/HCPCS shape: paperwork, so the claims load with a warning at each such SV1 (issue 32).
    assert (result.status, result.records_loaded, result.records_quarantined) == ("loaded", 5, 0)
    warnings = scalar(db_path, "select list(distinct split_part(warning, ' is neither', 1)) from load_warnings")
    assert warnings == ["procedure code 'X9999'"]
    assert scalar(db_path, "select count(*) from load_warnings") == 5
    assert scalar(db_path, "select count(*) from claim_lines") == 10


HAND_MADE_X12 = SHARED_X12.parent / "x12"


def test_cob_loops_keep_the_other_payer_apart_from_the_claims_own(db_path):
    """Two billing providers; a subscriber with a COB claim and a plain one; a subscriber with two patients."""
    [result] = load_files([HAND_MADE_X12 / "cob_two_billing_providers.837p"], db_path)

    assert (result.kind, result.status, result.records_loaded) == ("837P", "loaded", 5)
    claims = scalar(
        db_path,
        "select list([claims.claim_id, payer_id, member_id, first_name, billing_npi, rendering_npi, total_charge::varchar]"
        " order by claims.claim_id) from claims join patients using (patient_key)",
    )
    assert claims == [
        # 2330B SUNRISE, 2330A JOHN DOE / SUN999, 2330D and 2330G NM1 must not touch C1's payer, member or NPIs
        ["C1", "ACME", "ACME001", "JANE", "1234567893", "1245319599", "150.00"],
        # the next claim of the same subscriber: still ACME, and no 2310B, so rendered by the billing provider
        ["C2", "ACME", "ACME001", "JANE", "1234567893", "1234567893", "80.00"],
        # two 2000C patients under subscriber MARK ROE (SUN123), payer SUNRISE
        ["C3", "SUNRISE", "SUN123", "AMY", "1234567893", "1234567893", "60.00"],
        ["C4", "SUNRISE", "SUN123", "BEN", "1234567893", "1234567893", "45.00"],
        # a second 2000A billing provider in the same ST
        ["C5", "ACME", "ACME777", "LIZ", "1679576722", "1679576722", "200.00"],
    ]
    # no phantom patient from the 2330A other subscriber: JANE, AMY, BEN, LIZ
    assert scalar(db_path, "select list(first_name order by first_name) from patients") == ["AMY", "BEN", "JANE", "LIZ"]
    # lines: 100 + 50 + 80 + 60 + 45 + 120 + 80 = 535 = the five CLM02
    assert scalar(db_path, "select [count(*)::varchar, sum(charge)::varchar] from claim_lines") == ["7", "535.00"]
    # a line without its own DTP*472 is served on its claim's date: C1 line 2 on 10-15, C5 line 2 on 10-19
    dates = scalar(db_path, "select list(claim_id || '/' || line_number || ' ' || service_date::varchar order by claim_id, line_number) from claim_lines")
    assert dates == ["C1/1 2026-10-15", "C1/2 2026-10-15", "C2/1 2026-10-16", "C3/1 2026-10-17", "C4/1 2026-10-18",
                     "C5/1 2026-10-19", "C5/2 2026-10-19"]
    assert scalar(db_path, "select list(line_control_number order by line_number) from claim_lines where claim_id = 'C1'") == ["C1L1", "C1L2"]
    other = scalar(db_path, "select list([claim_id, payer_sequence, payer_id, relationship_code, paid::varchar]) from claim_other_payers")
    assert other == [["C1", "S", "SUNRISE", "01", "40.00"]]
    # the other subscriber is kept only as a hashed key, never as a name or member id
    assert scalar(db_path, "select subscriber_key not in (select patient_key from patients) from claim_other_payers")
    line_payments = scalar(db_path, "select list([line_number::varchar, payer_id, paid::varchar] order by line_number) from claim_line_other_payments")
    assert line_payments == [["1", "SUNRISE", "30.00"], ["2", "SUNRISE", "10.00"]]


def test_a_claim_after_a_cob_claim_meets_its_own_payers_remittance(db_path):
    load_files([HAND_MADE_X12 / "cob_two_billing_providers.837p", HAND_MADE_X12 / "cob_sunrise.835"], db_path)

    # SUNRISE paid C3 48.00; before loop scoping C3 was filed under ACME and the payment found "no claim on file"
    assert scalar(db_path, "select list(match_status) from int_claim_payments__matched_to_claims") == ["matched"]
    assert scalar(db_path, "select count(*) from unmatched_remits") == 0
    # the SVC has no DTM*472 of its own: it was served on the claim's DTM*232 date
    assert scalar(db_path, "select service_date::varchar from remit_service_lines") == "2026-10-17"
    # C3: 60.00 charged, 48.00 paid, 12.00 coinsurance to the patient: nothing left with the payer
    assert scalar(db_path, "select balance_amount::varchar from claim_balances(date '2026-11-30') where claim_id = 'C3'") == "0.00"


def test_inpatient_revenue_code_lines_load_and_meet_their_medicare_payment(db_path):
    [claim_file, remit_file] = load_files([HAND_MADE_X12 / "inpatient_revenue_lines.837i", HAND_MADE_X12 / "inpatient_medicare.835"], db_path)

    assert (claim_file.kind, claim_file.status, claim_file.records_loaded) == ("837I", "loaded", 1)
    assert remit_file.status == "loaded"
    # room and board 0120 (4 days, 10,000.00) and pharmacy 0250 (1,500.00) bill no HCPCS; lab 0300 bills 85025
    lines = scalar(db_path, "select list([revenue_code, procedure_code, units::varchar, charge::varchar, service_date::varchar] order by line_number) from claim_lines")
    assert lines == [
        ["0120", None, "4.000", "10000.00", "2026-10-01"],
        ["0250", None, "1.000", "1500.00", "2026-10-01"],
        ["0300", "85025", "1.000", "1000.00", "2026-10-02"],
    ]
    assert scalar(db_path, "select [total_charge::varchar, service_date_from::varchar, service_date_to::varchar] from claims") == [
        "12500.00", "2026-10-01", "2026-10-05",
    ]
    assert scalar(db_path, "select count(*) from quarantine") == 0
    # 2010BB NM1*PR MEDA, 2010BA member 1EG4TE5MK73, 2010AA billing NPI 1987654328; the 2310A attending (NM1*71,
    # 1555555550) is no rendering provider, so the claim is rendered by its billing provider, as with no 2310 at all
    identity = scalar(db_path, "select [payer_id, member_id, billing_npi, rendering_npi, claim_type]"
                               " from claims join patients using (patient_key)")
    assert identity == ["MEDA", "1EG4TE5MK73", "1987654328", "1987654328", "institutional"]
    # 12,500.00 - 4,035.50 paid - 7,176.50 CO-45 - 1,288.00 deductible = 0.00
    assert scalar(db_path, "select list(match_status) from int_claim_payments__matched_to_claims") == ["matched"]
    balance = scalar(db_path, "select [paid_amount::varchar, balance_amount::varchar] from claim_balances(date '2026-11-30')")
    assert balance == ["4035.50", "0.00"]


def test_a_payment_from_a_payer_the_cob_loops_name_is_a_secondary_payment(tmp_path, db_path):
    text = (HAND_MADE_X12 / "cob_sunrise.835").read_text()
    (tmp_path / "c1.835").write_text(text.replace("CLP*C3*", "CLP*C1*").replace("EFT48", "EFT48C1"))
    (tmp_path / "c2.835").write_text(text.replace("CLP*C3*", "CLP*C2*").replace("EFT48", "EFT48C2"))

    load_files([HAND_MADE_X12 / "cob_two_billing_providers.837p", tmp_path / "c1.835", tmp_path / "c2.835"], db_path)

    # C1's 2330B names SUNRISE, so SUNRISE's payment (CLP02 1) is the secondary's; C2 names no other payer
    statuses = scalar(db_path, "select list([claim_id, match_status] order by claim_id) from int_claim_payments__matched_to_claims")
    assert statuses == [["C1", "secondary payer"], ["C2", "payer mismatch"]]
    assert scalar(db_path, "select list(claim_id) from unmatched_remits") == ["C2"]


def test_a_bad_other_payer_amount_is_reported_at_the_amt_that_holds_it(tmp_path, db_path):
    claims = tmp_path / "bad_other_paid.837p"
    claims.write_text((HAND_MADE_X12 / "cob_two_billing_providers.837p").read_text().replace("AMT*D*40.00", "AMT*D*4O.00"))

    [result] = load_files([claims], db_path)

    # ISA GS ST BHT NM1 NM1 HL NM1 HL SBR NM1 DMG NM1 CLM HI NM1 SBR AMT: the AMT*D is segment 18, not the 2320 SBR at 17
    assert result.status == "rejected"
    locator, reason = scalar(db_path, "select [locator, reason] from quarantine")
    assert locator == "segment 18"
    assert "non-numeric amount in paid: '4O.00'" in reason and "AMT*D*4O.00" in reason
