"""Parse X12 835 remittances (005010X221A1, tolerating 4010) into payment, claim, line and adjustment rows."""

from __future__ import annotations

from etl.patients import PatientHasher
from etl.x12_rows import RowCollector, SetRejected, components, element, require
from etl.x12_segments import Delimiters, TransactionSet

COLUMNS = {
    "remit_payments": ("_set", "_segment", "payment_id", "trace_number", "payer_id", "payer_name",
                       "payee_npi", "payee_name", "method", "amount", "payment_date"),
    "remit_claims": ("_set", "_segment", "remit_claim_id", "payment_id", "claim_id", "status_code", "charge",
                     "paid", "patient_responsibility", "filing_indicator", "payer_claim_id", "facility_type_code",
                     "frequency_code", "patient_key", "rendering_npi", "received_date", "service_date_from",
                     "service_date_to"),
    "remit_service_lines": ("_set", "_segment", "remit_line_id", "remit_claim_id", "line_number",
                            "procedure_qualifier", "procedure_code", "modifiers", "charge", "paid", "revenue_code",
                            "units", "original_procedure_code", "allowed", "service_date"),
    "remit_adjustments": ("_set", "_segment", "remit_claim_id", "remit_line_id", "group_code", "reason_code",
                          "amount", "quantity"),
    "remit_remarks": ("_set", "_segment", "remit_claim_id", "remit_line_id", "code", "source"),
    "provider_adjustments": ("_set", "_segment", "payment_id", "provider_id", "fiscal_date", "reason_code",
                             "reference", "amount"),
    "patients": ("_set", "_segment", "patient_key", "member_id", "last_name", "first_name", "birth_date"),
}
AMOUNTS = {
    "remit_payments": ("amount",),
    "remit_claims": ("charge", "paid", "patient_responsibility"),
    "remit_service_lines": ("charge", "paid", "allowed"),
    "remit_adjustments": ("amount",),
    "provider_adjustments": ("amount",),
}
QUANTITIES = {"remit_service_lines": ("units",), "remit_adjustments": ("quantity",)}
DATES = {
    "remit_payments": ("payment_date",),
    "remit_claims": ("received_date", "service_date_from", "service_date_to"),
    "remit_service_lines": ("service_date",),
    "provider_adjustments": ("fiscal_date",),
    "patients": ("birth_date",),
}
# Column positions in the mutable rows, for segments that fill in a row after it was started.
_PAY = {name: index for index, name in enumerate(COLUMNS["remit_payments"])}
_CLAIM = {name: index for index, name in enumerate(COLUMNS["remit_claims"])}
_LINE = {name: index for index, name in enumerate(COLUMNS["remit_service_lines"])}
# DTM qualifiers: 050 received; 232/233 claim statement period; 472 service date; 150/151 the 4010 service period.
_CLAIM_DATES = {"050": "received_date", "232": "service_date_from", "233": "service_date_to"}
_LINE_DATES = {"472", "150"}
_REQUIRED = {"BPR": (1, 2, 3, 4), "TRN": (1, 2), "CLP": (1, 2, 3, 4), "CAS": (1, 2, 3), "SVC": (1, 2, 3), "PLB": (1, 2, 3, 4)}


class Remit835Parser:
    """Walks one 835 transaction set at a time, appending rows to a shared collector."""

    def __init__(self, delimiters: Delimiters, hasher: PatientHasher) -> None:
        self.delimiters = delimiters
        self.hasher = hasher
        self.rows = RowCollector(COLUMNS)

    def parse_set(self, transaction_set: TransactionSet, segments: list[tuple[int, list[str]]]) -> None:
        """Parse one ST..SE; raises SetRejected on a structural error."""
        self.set_index = transaction_set.index
        self.payment = [None] * len(COLUMNS["remit_payments"])
        self.payment[_PAY["_set"]], self.payment[_PAY["payment_id"]] = self.set_index, self.set_index
        self.claim: list | None = None
        self.line: list | None = None
        self.party = ""
        self.originator_id: str | None = None
        self.seen: set[str] = set()
        for number, elements in segments:
            tag = elements[0]
            if tag in _REQUIRED:
                require(elements, number, *_REQUIRED[tag])
            handler = getattr(self, f"_{tag}", None)
            if handler:
                handler(number, elements)
            self.seen.add(tag)
        for needed in ("BPR", "TRN"):
            if needed not in self.seen:
                raise SetRejected(transaction_set.start, f"required segment {needed} is missing")
        for party in ("PR", "PE"):
            if f"N1{party}" not in self.seen:
                raise SetRejected(transaction_set.start, f"required segment N1*{party} is missing")
        self.rows.add("remit_payments", self.payment)

    def _ST(self, number: int, elements: list[str]) -> None:
        self.payment[_PAY["_segment"]] = number

    def _BPR(self, number: int, elements: list[str]) -> None:
        self.payment[_PAY["amount"]] = element(elements, 2)
        self.payment[_PAY["method"]] = element(elements, 4)
        self.payment[_PAY["payment_date"]] = element(elements, 16) or self.payment[_PAY["payment_date"]]

    def _TRN(self, number: int, elements: list[str]) -> None:
        self.payment[_PAY["trace_number"]] = element(elements, 2)
        self.originator_id = element(elements, 3)

    def _DTM(self, number: int, elements: list[str]) -> None:
        qualifier, value = element(elements, 1), element(elements, 2)
        if self.line is not None and qualifier in _LINE_DATES:
            self.line[_LINE["service_date"]] = value
        elif self.claim is not None and qualifier in _CLAIM_DATES:
            self.claim[_CLAIM[_CLAIM_DATES[qualifier]]] = value
        elif self.claim is not None and qualifier in ("150", "151"):
            self.claim[_CLAIM["service_date_from" if qualifier == "150" else "service_date_to"]] = value
        elif self.claim is None and qualifier == "405" and self.payment[_PAY["payment_date"]] is None:
            self.payment[_PAY["payment_date"]] = value

    def _N1(self, number: int, elements: list[str]) -> None:
        self.party = element(elements, 1) or ""
        self.seen.add(f"N1{self.party}")
        if self.party == "PR":
            self.payment[_PAY["payer_name"]] = element(elements, 2)
            self.payment[_PAY["payer_id"]] = element(elements, 4) or self.payment[_PAY["payer_id"]] or self.originator_id
        elif self.party == "PE":
            self.payment[_PAY["payee_name"]] = element(elements, 2)
            if element(elements, 3) == "XX":
                self.payment[_PAY["payee_npi"]] = element(elements, 4)

    def _REF(self, number: int, elements: list[str]) -> None:
        # REF*2U in loop 1000A is the payer's own identification number; it outranks N104.
        if self.claim is None and self.party == "PR" and element(elements, 1) == "2U":
            self.payment[_PAY["payer_id"]] = element(elements, 2)

    def _CLP(self, number: int, elements: list[str]) -> None:
        self.line = None
        self.line_count = 0
        claim = [None] * len(COLUMNS["remit_claims"])
        claim[0], claim[1] = self.set_index, number
        claim[_CLAIM["payment_id"]] = self.set_index
        for name, position in (("claim_id", 1), ("status_code", 2), ("charge", 3), ("paid", 4),
                               ("patient_responsibility", 5), ("filing_indicator", 6), ("payer_claim_id", 7),
                               ("facility_type_code", 8), ("frequency_code", 9)):
            claim[_CLAIM[name]] = element(elements, position)
        claim[_CLAIM["remit_claim_id"]] = self.rows.add("remit_claims", claim)
        self.claim = claim

    def _CAS(self, number: int, elements: list[str]) -> None:
        claim = self._inside_claim(number, elements)
        line_id = self.line[_LINE["remit_line_id"]] if self.line is not None else None
        group = element(elements, 1)
        # CAS repeats up to six reason/amount/quantity triplets; keep all of them.
        for start in range(2, 20, 3):
            reason, amount = element(elements, start), element(elements, start + 1)
            if reason is None and amount is None:
                continue
            if reason is None or amount is None:
                raise SetRejected(number, f"CAS triplet at CAS{start:02} needs both a reason and an amount")
            row = (self.set_index, number, claim[_CLAIM["remit_claim_id"]], line_id, group, reason, amount, element(elements, start + 2))
            self.rows.add("remit_adjustments", row)

    def _NM1(self, number: int, elements: list[str]) -> None:
        if self.claim is None:
            return
        entity = element(elements, 1)
        if entity == "QC":
            member_id, last, first = element(elements, 9), element(elements, 3), element(elements, 4)
            key = self.hasher.patient_key(member_id, last, first)
            self.claim[_CLAIM["patient_key"]] = key
            if key:
                self.rows.add("patients", (self.set_index, number, key, member_id, last, first, None))
        elif entity == "82" and element(elements, 8) == "XX":
            self.claim[_CLAIM["rendering_npi"]] = element(elements, 9)

    def _MIA(self, number: int, elements: list[str]) -> None:
        self._remarks(number, elements, (5, 20, 21, 22, 23))

    def _MOA(self, number: int, elements: list[str]) -> None:
        self._remarks(number, elements, (3, 4, 5, 6, 7))

    def _LQ(self, number: int, elements: list[str]) -> None:
        # LQ*HE is a RARC; LQ*RX is an NCPDP reject code, not a remark.
        if element(elements, 1) == "HE":
            self._remarks(number, elements, (2,))

    def _remarks(self, number: int, elements: list[str], positions: tuple[int, ...]) -> None:
        claim = self._inside_claim(number, elements)
        line_id = self.line[_LINE["remit_line_id"]] if self.line is not None and elements[0] == "LQ" else None
        for position in positions:
            code = element(elements, position)
            if code:
                self.rows.add("remit_remarks", (self.set_index, number, claim[_CLAIM["remit_claim_id"]], line_id, code, elements[0]))

    def _SVC(self, number: int, elements: list[str]) -> None:
        claim = self._inside_claim(number, elements)
        procedure = components(element(elements, 1), self.delimiters, self.rows)
        original = components(element(elements, 6), self.delimiters, self.rows)
        self.line_count += 1
        line = [
            self.set_index, number, None, claim[_CLAIM["remit_claim_id"]], self.line_count,
            procedure[0] if procedure else None,
            procedure[1] if len(procedure) > 1 else None,
            ":".join(code for code in procedure[2:6] if code) or None,
            element(elements, 2), element(elements, 3), element(elements, 4),
            element(elements, 5) or "1",
            original[1] if len(original) > 1 else None,
            None, None,
        ]
        line[_LINE["remit_line_id"]] = self.rows.add("remit_service_lines", line)
        self.line = line

    def _AMT(self, number: int, elements: list[str]) -> None:
        if self.line is not None and element(elements, 1) == "B6":
            self.line[_LINE["allowed"]] = element(elements, 2)

    def _PLB(self, number: int, elements: list[str]) -> None:
        self.claim, self.line = None, None
        # PLB carries up to six adjustment pairs (reason:reference, amount) after provider and fiscal date.
        for start in range(3, 15, 2):
            identifier, amount = element(elements, start), element(elements, start + 1)
            if identifier is None and amount is None:
                continue
            if identifier is None or amount is None:
                raise SetRejected(number, f"PLB pair at PLB{start:02} needs both a reason and an amount")
            reason = components(identifier, self.delimiters, self.rows)
            row = (self.set_index, number, self.set_index, element(elements, 1), element(elements, 2),
                   reason[0], reason[1] if len(reason) > 1 else None, amount)
            self.rows.add("provider_adjustments", row)

    def _inside_claim(self, number: int, elements: list[str]) -> list:
        if self.claim is None:
            raise SetRejected(number, f"{elements[0]} appears outside a claim (no CLP before it)")
        return self.claim
