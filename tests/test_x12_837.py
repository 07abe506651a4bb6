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


def test_837_with_repetition_separator_and_bom_is_read_and_its_placeholder_codes_quarantined(db_path):
    [result] = load_files([SHARED_X12 / "Inteligenz__X12Parser" / "MedicaidExample.txt"], db_path)

    # All five claims are read (BOM, CRLF, repetition '|'); each bills the placeholder X9999 and is quarantined.
    assert (result.status, result.records_loaded, result.records_quarantined) == ("rejected", 0, 5)
    reasons = scalar(db_path, "select list(distinct reason) from quarantine")
    assert reasons == ["expect_column_values_to_match_regex(procedure_code) failed on 'X9999'"]
    assert scalar(db_path, "select count(*) from claim_lines") == 0
