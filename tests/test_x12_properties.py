"""Property tests: generated balanced 835s round-trip; mangled input fails only with LoadError."""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from etl.intake.patients import PatientHasher
from etl.intake.records import LoadError
from etl.intake.x12.parse import parse_x12
from tests.conftest import FIXTURES

HASHER = PatientHasher(b"property-key")
CENTS = st.integers(min_value=1, max_value=5_000_000)
REASONS = st.sampled_from(["CO*45", "PR*1", "PR*2", "CO*97", "OA*23"])


def money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


@st.composite
def adjustments(draw, total_cents):
    """Split part of an amount into 1-6 CAS triplets."""
    adjusted = draw(st.integers(min_value=0, max_value=total_cents))
    count = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=adjusted), min_size=count - 1, max_size=count - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, adjusted])]
    group, _ = draw(REASONS).split("*")
    triplets = "".join(f"*{reason}*{money(part)}*" for reason, part in zip(["45", "253", "59", "16", "97", "1"], parts))
    return adjusted, f"CAS*{group}{triplets.rstrip('*')}", adjusted if group == "PR" else 0


@st.composite
def balanced_835(draw):
    segments = ["ST*835*0001", None, "TRN*1*TRACE1*1999999999", "N1*PR*PAYER", "N1*PE*CLINIC*XX*1234567893"]
    total_paid, claims, lines = 0, 0, 0
    for claim_number in range(draw(st.integers(min_value=1, max_value=4))):
        line_charges = draw(st.lists(CENTS, min_size=0, max_size=3))
        claim_extra = draw(CENTS)
        claim_adjusted, claim_cas, patient_share = draw(adjustments(claim_extra))
        line_segments, line_paid_total = [], 0
        for charge in line_charges:
            adjusted, cas, line_patient_share = draw(adjustments(charge))
            patient_share += line_patient_share
            line_segments += [f"SVC*HC:99213*{money(charge)}*{money(charge - adjusted)}**1", cas]
            line_paid_total += charge - adjusted
        # CLP03 - (claim CAS + line CAS) = CLP04, with the claim charging claim_extra beyond its lines;
        # CLP05 = the group PR amounts, claim and line
        charge = sum(line_charges) + claim_extra
        paid = line_paid_total + claim_extra - claim_adjusted
        segments += [f"CLP*C{claim_number}*1*{money(charge)}*{money(paid)}*{money(patient_share)}*CI*P{claim_number}", claim_cas,
                     *line_segments]
        total_paid += paid
        claims += 1
        lines += len(line_charges)
    plb = draw(st.lists(st.integers(min_value=-10000, max_value=10000), max_size=2))
    if plb:
        pairs = "".join(f"*L6:REF{index}*{money(amount)}" for index, amount in enumerate(plb))
        segments.append(f"PLB*1234567893*20261231{pairs}")
    segments[1] = f"BPR*I*{money(total_paid - sum(plb))}*C*ACH************20261001"
    segments.append(f"SE*{len(segments) + 1}*0001")
    return "~".join(segments) + "~", claims, lines, total_paid


@settings(max_examples=60, deadline=None)
@given(balanced_835())
def test_generated_balanced_835_round_trips_with_every_identity_holding(generated):
    text, claims, lines, total_paid = generated

    parsed = parse_x12(text, "generated.835", "835", HASHER)

    assert parsed.quarantine == []
    assert parsed.tables["remit_claims"].height == claims
    assert parsed.tables["remit_service_lines"].height == lines
    assert parsed.tables["remit_claims"]["paid"].sum() == Decimal(total_paid) / 100
    assert parsed.tables["balancing_issues"].is_empty()


SEED_FILE = (FIXTURES / "x12" / "two_sets_one_bad.835").read_text()


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=len(SEED_FILE)), st.text(max_size=5), st.integers(min_value=0, max_value=40))
def test_mutated_and_truncated_input_raises_nothing_but_load_error(position, inserted, removed):
    mangled = SEED_FILE[:position] + inserted + SEED_FILE[position + removed :]

    try:
        parsed = parse_x12(mangled, "mangled.835", "835", HASHER)
    except LoadError:
        return
    total_sets = len(parsed.quarantine) + parsed.tables["remit_payments"].height
    assert total_sets >= 1


NPIS = ["1234567893", "1245319599", "1679576722", "1987654328", "1555555550"]
PAYERS = ["ACME", "SUNRISE", "MEDA", "BLUE"]


@st.composite
def looped_837(draw):
    """An 837P with 1-3 billing providers, 1-3 subscribers each, 0-2 patients under a subscriber, claims with random
    COB loops (2320/2330A-G) and rendering providers; returns the text and each claim's own facts."""
    segments, expected, hl = ["ST*837*0001*005010X222A1", "BHT*0019*00*B1*20261101*1200*CH"], {}, 0
    claims = iter(range(1000))

    def add_claims(payer, member, first, billing):
        for _ in range(draw(st.integers(min_value=1, max_value=2))):
            claim_id = f"K{next(claims)}"
            rendering = draw(st.sampled_from([None, *NPIS]))
            segments.extend([f"CLM*{claim_id}*10***11:B:1*Y*A*Y*Y", "HI*ABK:J209"])
            if rendering:
                segments.append(f"NM1*82*1*DOC*A****XX*{rendering}")
            for other in range(draw(st.integers(min_value=0, max_value=2))):
                other_payer = draw(st.sampled_from(PAYERS))
                segments.extend([f"SBR*{'ST'[other]}*01*G******CI", "AMT*D*1.00", f"NM1*IL*1*OTHER*SUB{other}****MI*X{other}{claim_id}",
                                 f"NM1*PR*2*{other_payer}*****PI*{other_payer}"])
                segments.extend(draw(st.sampled_from([[], ["NM1*82*1"], ["NM1*85*2"], ["NM1*82*1", "NM1*85*2"], ["NM1*DN*1"]])))
            segments.extend(["LX*1", "SV1*HC:99213*10*UN*1***1", "DTP*472*D8*20261015"])
            expected[claim_id] = (payer, member, first, billing, rendering or billing)

    for provider in range(draw(st.integers(min_value=1, max_value=3))):
        hl += 1
        provider_hl, billing = hl, draw(st.sampled_from(NPIS))
        segments.extend([f"HL*{hl}**20*1", f"NM1*85*2*CLINIC{provider}*****XX*{billing}"])
        for subscriber in range(draw(st.integers(min_value=1, max_value=3))):
            hl += 1
            subscriber_hl, payer, member = hl, draw(st.sampled_from(PAYERS)), f"M{provider}{subscriber}"
            patients = draw(st.integers(min_value=0, max_value=2))
            segments.extend([f"HL*{hl}*{provider_hl}*22*{int(patients > 0)}", "SBR*P*18*G******CI",
                             f"NM1*IL*1*LAST*SUB{provider}{subscriber}****MI*{member}", f"NM1*PR*2*{payer}*****PI*{payer}"])
            if not patients:
                add_claims(payer, member, f"SUB{provider}{subscriber}", billing)
            for patient in range(patients):
                hl += 1
                segments.extend([f"HL*{hl}*{subscriber_hl}*23*0", "PAT*19", f"NM1*QC*1*LAST*PAT{hl}"])
                add_claims(payer, member, f"PAT{hl}", billing)
    segments.append(f"SE*{len(segments) + 1}*0001")
    envelope = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *261101*1200*^*00501*000000001*0*P*:~"
                "GS*HC*SUBMITTER*RECEIVER*20261101*1200*1*X*005010X222A1~")
    return envelope + "~".join(segments) + "~GE*1*1~IEA*1*000000001~", expected


@settings(max_examples=80, deadline=None)
@given(looped_837())
def test_every_837_claim_carries_the_payer_subscriber_patient_and_npis_of_its_own_loops(generated):
    text, expected = generated

    parsed = parse_x12(text, "generated.837", "837P", HASHER)

    assert parsed.quarantine == []
    patients = dict(parsed.tables["patients"].select("patient_key", "first_name").rows())
    members = dict(parsed.tables["patients"].select("patient_key", "member_id").rows())
    found = {
        claim_id: (payer, members[key], patients[key], billing, rendering)
        for claim_id, payer, key, billing, rendering in parsed.tables["claims"].select(
            "claim_id", "payer_id", "patient_key", "billing_npi", "rendering_npi").rows()
    }
    assert found == expected
    # the other subscribers (2330A, last name OTHER) never become patients
    assert "OTHER" not in parsed.tables["patients"]["last_name"].to_list()
    assert set(patients.values()) == {facts[2] for facts in expected.values()}
