"""Parse X12 837P (005010X222) and 837I (005010X223) claims into claim, line, diagnosis, patient and COB rows.

The parse follows the loops of the implementation guides, so a segment only sets what its own loop owns: an NM1*PR
in 2330B names the other payer, never the claim's 2010BB payer, and 2330D/2330G never touch the claim's NPIs.
"""

from __future__ import annotations

import polars as pl

from etl.intake.patients import PatientHasher
from etl.intake.values import INT32_MAX
from etl.intake.x12.rows import RowCollector, SetRejected, components, element, require
from etl.intake.x12.segments import Delimiters, Interchange, TransactionSet

COLUMNS = {
    "claims": ("_set", "_segment", "claim_record_id", "claim_id", "payer_id", "payer_name", "patient_key",
               "billing_npi", "rendering_npi", "claim_type", "frequency_code", "original_payer_claim_id",
               "place_of_service", "service_date_from", "service_date_to", "submitted_date", "total_charge"),
    "claim_lines": ("_set", "_segment", "claim_record_id", "claim_id", "line_number", "procedure_code",
                    "modifiers", "revenue_code", "units", "charge", "service_date", "line_control_number"),
    "claim_diagnoses": ("_set", "_segment", "claim_record_id", "claim_id", "position", "code", "qualifier"),
    "claim_other_payers": ("_set", "_segment", "claim_record_id", "claim_id", "payer_sequence", "payer_id",
                           "payer_name", "subscriber_key", "relationship_code", "paid"),
    "claim_line_other_payments": ("_set", "_segment", "claim_record_id", "claim_id", "line_number", "payer_id", "paid"),
    "patients": ("_set", "_segment", "patient_key", "member_id", "last_name", "first_name", "birth_date"),
}
AMOUNTS = {"claims": ("total_charge",), "claim_lines": ("charge",), "claim_other_payers": ("paid",), "claim_line_other_payments": ("paid",)}
QUANTITIES = {"claim_lines": ("units",)}
DATES = {
    "claims": ("service_date_from", "service_date_to", "submitted_date"),
    "claim_lines": ("service_date",),
    "patients": ("birth_date",),
}
_CLAIM = {name: index for index, name in enumerate(COLUMNS["claims"])}
_LINE = {name: index for index, name in enumerate(COLUMNS["claim_lines"])}
_OTHER = {name: index for index, name in enumerate(COLUMNS["claim_other_payers"])}
# HI qualifiers that carry diagnoses (ICD-10: ABK principal, ABF other, ABJ admitting, ABN external cause,
# APR reason for visit; ICD-9: BK, BF, BJ, BN, PR). Others (BH occurrence, BE value, BBR procedure) are not diagnoses.
_DIAGNOSIS_QUALIFIERS = {"ABK", "ABF", "ABJ", "ABN", "APR", "BK", "BF", "BJ", "BN", "PR"}
_REQUIRED = {"BHT": (4,), "HL": (1, 3), "CLM": (1, 2), "SV1": (1, 2), "SV2": (1, 3), "NM1": (1,)}
# HL03 hierarchical level codes: 20 billing provider (2000A), 22 subscriber (2000B), 23 patient (2000C).
_HL_LOOPS = {"20": "2000A", "22": "2000B", "23": "2000C"}


def parse_claims(interchange: Interchange, hasher: PatientHasher, kind: str) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, set[str]]:
    """String frames per contract table, the structural problems found (set, segment, reason), and warnings."""
    parser = Claim837Parser(interchange.delimiters, hasher, kind)
    problems = []
    for transaction_set in interchange.transaction_sets:
        if transaction_set.problem is None:
            try:
                parser.parse_set(transaction_set, interchange.segment_lists(transaction_set))
            except SetRejected as rejection:
                problems.append((transaction_set.index, rejection.segment_number, rejection.reason))
    problem_frame = pl.DataFrame(problems, schema={"set_index": pl.Int64, "segment": pl.Int64, "reason": pl.Utf8}, orient="row")
    return parser.rows.frames(), problem_frame, parser.rows.warnings


class Claim837Parser:
    """Walks one 837 transaction set at a time, loop by loop, appending rows to a shared collector."""

    def __init__(self, delimiters: Delimiters, hasher: PatientHasher, kind: str) -> None:
        self.delimiters = delimiters
        self.hasher = hasher
        self.claim_type = "institutional" if kind == "837I" else "professional"
        self.rows = RowCollector(COLUMNS)

    def parse_set(self, transaction_set: TransactionSet, segments: list[tuple[int, list[str]]]) -> None:
        """Parse one ST..SE; raises SetRejected on a structural error."""
        self.set_index = transaction_set.index
        self.submitted_date = None
        self.loop = "header"
        self._enter_billing_provider()
        seen = set()
        for number, elements in segments:
            tag = elements[0]
            if tag in _REQUIRED:
                require(elements, number, *_REQUIRED[tag])
            handler = getattr(self, f"_{tag}", None)
            if handler:
                handler(number, elements)
            seen.add(tag)
        for needed in ("BHT", "HL", "CLM"):
            if needed not in seen:
                raise SetRejected(transaction_set.start, f"required segment {needed} is missing")

    def _enter_billing_provider(self) -> None:
        self.billing_npi = None
        self._enter_subscriber()

    def _enter_subscriber(self) -> None:
        self.subscriber: dict[str, str | None] = {}
        self.payer: tuple[str | None, str | None] = (None, None)
        self._enter_patient()

    def _enter_patient(self) -> None:
        self.patient: dict[str, str | None] = {}
        self.claim: list | None = None
        self.line: list | None = None
        self.other_payer: list | None = None

    def _BHT(self, number: int, elements: list[str]) -> None:
        self.submitted_date = element(elements, 4)

    def _HL(self, number: int, elements: list[str]) -> None:
        self.loop = _HL_LOOPS.get(element(elements, 3), "other")
        if self.loop == "2000A":
            self._enter_billing_provider()
        elif self.loop == "2000B":
            self._enter_subscriber()
        else:
            self._enter_patient()

    def _SBR(self, number: int, elements: list[str]) -> None:
        # An SBR after the CLM opens loop 2320: another payer of this claim (coordination of benefits).
        if self.claim is None or self.loop == "2400":
            return
        self.loop = "2320"
        other = [self.set_index, number, self.claim[_CLAIM["claim_record_id"]], self.claim[_CLAIM["claim_id"]],
                 element(elements, 1), None, None, None, element(elements, 2), None]
        self.rows.add("claim_other_payers", other)
        self.other_payer = other

    def _NM1(self, number: int, elements: list[str]) -> None:
        entity = element(elements, 1)
        npi = element(elements, 9) if element(elements, 8) == "XX" else None
        if self.loop == "2000A" and entity == "85":
            self.billing_npi = npi
        elif self.loop == "2000B" and entity == "IL":
            self.subscriber = self._person(elements, number)
        elif self.loop == "2000B" and entity == "PR":
            self.payer = (element(elements, 9), element(elements, 3))
        elif self.loop == "2000C" and entity == "QC":
            self.patient = self._person(elements, number)
        elif self.loop == "2300" and entity == "82":
            self.claim[_CLAIM["rendering_npi"]] = npi  # 2310B (837P) / 2310D (837I) rendering provider
        elif self.loop == "2320" and entity == "IL":
            member_id, last_name, first_name = element(elements, 9), element(elements, 3), element(elements, 4)
            self.other_payer[_OTHER["subscriber_key"]] = self.hasher.patient_key(member_id, last_name, first_name)
        elif self.loop == "2320" and entity == "PR":
            self.other_payer[_OTHER["payer_id"]] = element(elements, 9)
            self.other_payer[_OTHER["payer_name"]] = element(elements, 3)

    @staticmethod
    def _person(elements: list[str], number: int) -> dict[str, str | None]:
        return {"member_id": element(elements, 9), "last_name": element(elements, 3),
                "first_name": element(elements, 4), "birth_date": None, "segment": number}

    def _DMG(self, number: int, elements: list[str]) -> None:
        person = {"2000B": self.subscriber, "2000C": self.patient}.get(self.loop)
        if person and element(elements, 1) == "D8":
            person["birth_date"] = element(elements, 2)

    def _CLM(self, number: int, elements: list[str]) -> None:
        if self.loop not in ("2000B", "2000C", "2300", "2320", "2400"):
            raise SetRejected(number, "CLM appears outside a subscriber or patient loop (no HL*22 or HL*23 before it)")
        self.loop = "2300"
        self.line, self.other_payer = None, None
        # The patient is the 2000C patient when there is one, else the subscriber; the member id is the subscriber's.
        person = self.patient or self.subscriber
        member_id = self.subscriber.get("member_id")
        key = self.hasher.patient_key(member_id, person.get("last_name"), person.get("first_name"))
        if key:
            self.rows.add("patients", (self.set_index, person.get("segment", number), key, member_id,
                                       person.get("last_name"), person.get("first_name"), person.get("birth_date")))
        facility = components(element(elements, 5), self.delimiters, self.rows)
        claim = [
            self.set_index, number, None, element(elements, 1), self.payer[0], self.payer[1], key,
            self.billing_npi, self.billing_npi, self.claim_type,
            facility[2] if len(facility) > 2 else None, None, facility[0] if facility else None,
            None, None, self.submitted_date, element(elements, 2),
        ]
        claim[_CLAIM["claim_record_id"]] = self.rows.add("claims", claim)
        self.claim = claim
        self.diagnosis_position = 0

    def _REF(self, number: int, elements: list[str]) -> None:
        qualifier = element(elements, 1)
        if self.loop == "2300" and qualifier == "F8":
            # 2300 REF*F8: the payer's claim control number of the claim a replacement or void replaces.
            self.claim[_CLAIM["original_payer_claim_id"]] = element(elements, 2)
        elif self.loop == "2400" and qualifier == "6R" and self.line is not None:
            self.line[_LINE["line_control_number"]] = element(elements, 2)

    def _AMT(self, number: int, elements: list[str]) -> None:
        if self.loop == "2320" and element(elements, 1) == "D":
            self.other_payer[_OTHER["paid"]] = element(elements, 2)  # AMT*D: what the other payer paid

    def _SVD(self, number: int, elements: list[str]) -> None:
        # 2430 SVD01 names the other payer (its 2330B NM109), SVD02 what it paid on this line.
        if self.loop == "2400" and self.line is not None:
            self.rows.add("claim_line_other_payments", (self.set_index, number, self.line[_LINE["claim_record_id"]],
                                                        self.line[_LINE["claim_id"]], self.line[_LINE["line_number"]],
                                                        element(elements, 1), element(elements, 2)))

    def _DTP(self, number: int, elements: list[str]) -> None:
        qualifier, value = element(elements, 1), element(elements, 3) or ""
        start, _, end = value.partition("-")
        if self.loop == "2400" and qualifier == "472" and self.line is not None:
            self.line[_LINE["service_date"]] = start
        elif self.loop == "2300" and qualifier in ("472", "434"):
            self.claim[_CLAIM["service_date_from"]] = start
            self.claim[_CLAIM["service_date_to"]] = end or start

    def _HI(self, number: int, elements: list[str]) -> None:
        claim = self._inside_claim(number, elements)
        for value in elements[1:]:
            parts = components(value or None, self.delimiters, self.rows)
            if len(parts) > 1 and parts[0] in _DIAGNOSIS_QUALIFIERS and parts[1]:
                self.diagnosis_position += 1
                self.rows.add("claim_diagnoses", (self.set_index, number, claim[_CLAIM["claim_record_id"]],
                                                  claim[_CLAIM["claim_id"]], self.diagnosis_position, parts[1], parts[0]))

    def _LX(self, number: int, elements: list[str]) -> None:
        self._inside_claim(number, elements)
        self.loop = "2400"
        self.line = None
        self.line_number = element(elements, 1)

    def _SV1(self, number: int, elements: list[str]) -> None:
        procedure = components(element(elements, 1), self.delimiters, self.rows)
        self._add_line(number, elements, procedure, None, element(elements, 2), element(elements, 4))

    def _SV2(self, number: int, elements: list[str]) -> None:
        # SV202 (the HCPCS code) is situational in 005010X223: room and board or pharmacy bill a revenue code alone.
        procedure = components(element(elements, 2), self.delimiters, self.rows)
        self._add_line(number, elements, procedure, element(elements, 1), element(elements, 3), element(elements, 5))

    def _add_line(self, number: int, elements: list[str], procedure: list[str], revenue_code, charge, units) -> None:
        claim = self._inside_claim(number, elements)
        line_number = self.line_number if self.loop == "2400" else None
        if line_number is None:
            raise SetRejected(number, f"{elements[0]} has no LX line number before it")
        # str.isdigit() also takes Arabic-Indic and full-width digits, which int() reads: ask for ASCII, as X12.6 does.
        if not (line_number.isascii() and line_number.isdigit()) or int(line_number) > INT32_MAX:
            raise SetRejected(number, f"LX01 before this {elements[0]} is not a line number (a whole number up to {INT32_MAX})")
        self.line = [
            self.set_index, number, claim[_CLAIM["claim_record_id"]], claim[_CLAIM["claim_id"]], int(line_number),
            procedure[1] if len(procedure) > 1 else None,
            ":".join(code for code in procedure[2:6] if code) or None,
            revenue_code, units or "1", charge, None, None,
        ]
        self.rows.add("claim_lines", self.line)

    def _inside_claim(self, number: int, elements: list[str]) -> list:
        if self.claim is None:
            raise SetRejected(number, f"{elements[0]} appears outside a claim (no CLM before it)")
        return self.claim
