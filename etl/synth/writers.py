"""Write the simulation as files: 837P per submission day, 835 per payment run, and the CSV layouts."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from etl.intake.tabular.audits import LAYOUT as AUDIT_LAYOUT
from etl.intake.tabular.coders import LAYOUT as CODER_LAYOUT
from etl.intake.tabular.claims import LAYOUT as CLAIM_LAYOUT
from etl.intake.tabular.remits import LAYOUT as REMIT_LAYOUT
from etl.intake.records import SYNTHETIC_SENDER_ID as SYNTHETIC_SENDER
from etl.synth.model import AuditRow, Claim, ClaimPayment, Patient, PaymentRun, ccyymmdd, dollars
from etl.synth.profile import Profile


def _interchange(sender: str, receiver: str, day: date, control: int, functional_code: str, version: str, body: list[str]) -> str:
    segments = [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*{day:%y%m%d}*1200*^*00501*{control:09d}*0*T*:",
        f"GS*{functional_code}*{sender}*{receiver}*{day:%Y%m%d}*1200*{control}*X*{version}",
        *body,
        f"SE*{len(body) + 1}*0001",
        f"GE*1*{control}",
        f"IEA*1*{control:09d}",
    ]
    return "~\n".join(segments) + "~\n"


def _procedure(line) -> str:
    return ":".join(["HC", line.code, *line.modifiers])


def _patient_name(patient: Patient, entity: str) -> str:
    """NM1 for the subscriber (IL, 837) or the patient (QC, 835)."""
    return f"NM1*{entity}*1*{patient.last_name}*{patient.first_name}****MI*{patient.member_id}"


@lru_cache(maxsize=64)
def _rendering_provider(npi: str) -> str:
    return f"NM1*82*1*PROVIDER*{npi[-4:]}****XX*{npi}"


class X12Writer:
    """837P batches and 835 runs, one file each, named so that a folder sorts by date."""

    def __init__(self, folder: Path, profile: Profile) -> None:
        self.folder = folder
        self.profile = profile
        self.payers = {payer.payer_id: payer for payer in profile.payers}
        self.controls = iter(range(1, 10**9))
        # Self-pay encounters never become X12; they and the audits travel as CSV beside the X12 files.
        self.side_files = CsvWriter(folder, profile, claims_name="self_pay_claims.csv", with_remits=False)
        # An 837 names no coder; the practice-management system's export says who coded each claim.
        self.coder_rows = self.side_files.open_csv(folder / "coders.csv", [column.name for column in CODER_LAYOUT])

    def claims(self, day: date, claims: list[Claim]) -> None:
        billed = [claim for claim in claims if not self.payers[claim.payer_id].self_pay]
        self.side_files.claims(day, [claim for claim in claims if self.payers[claim.payer_id].self_pay])
        if not billed:
            return
        self.coder_rows.writerows([claim.claim_id, claim.coder_id] for claim in billed)
        practice = self.profile.practice
        body = [
            "ST*837*0001*005010X222A1",
            f"BHT*0019*00*{day:%Y%m%d}*{day:%Y%m%d}*1200*CH",
            f"NM1*41*2*{practice.name.upper()}*****46*{SYNTHETIC_SENDER}",
            "NM1*40*2*CLEARINGHOUSE*****46*CLEARINGHOUSE",
            "HL*1**20*1",
            f"NM1*85*2*{practice.name.upper()}*****XX*{practice.billing_npi}",
        ]
        for number, claim in enumerate(billed, start=2):
            payer, patient = self.payers[claim.payer_id], claim.patient
            body += [
                f"HL*{number}*1*22*0",
                f"SBR*P*18*******{payer.filing_indicator}",
                _patient_name(patient, "IL"),
                f"DMG*D8*{ccyymmdd(patient.birth_date)}*U",
                f"NM1*PR*2*{payer.name.upper()}*****PI*{payer.payer_id}",
                f"CLM*{claim.claim_id}*{dollars(claim.charge)}***11:B:{claim.frequency_code}*Y*A*Y*Y",
                "HI*" + "*".join(("ABK:" if position == 0 else "ABF:") + code for position, code in enumerate(claim.diagnoses)),
                _rendering_provider(claim.rendering_npi),
            ]
            for line in claim.lines:
                body += [f"LX*{line.number}", f"SV1*{_procedure(line)}*{dollars(line.charge)}*UN*1***1", f"DTP*472*D8*{ccyymmdd(line.service_date)}"]
        text = _interchange(SYNTHETIC_SENDER, "CLEARINGHOUSE", day, next(self.controls), "HC", "005010X222A1", body)
        (self.folder / f"837P_{day:%Y%m%d}.837").write_text(text)

    def payment_run(self, run: PaymentRun) -> None:
        payer, practice = self.payers[run.payer_id], self.profile.practice
        method = "BPR*I*{}*C*ACH" if run.amount else "BPR*H*{}*C*NON"
        body = [
            "ST*835*0001",
            method.format(dollars(run.amount)) + f"************{run.payment_date:%Y%m%d}",
            f"TRN*1*{run.trace_number}*1999999999",
            f"DTM*405*{run.payment_date:%Y%m%d}",
            f"N1*PR*{payer.name.upper()}",
            f"REF*2U*{payer.payer_id}",
            f"N1*PE*{practice.name.upper()}*XX*{practice.billing_npi}",
            "LX*1",
        ]
        for payment in run.claims:
            body += self._claim_payment(payment, payer.filing_indicator)
        pairs = [f"{plb.reason}:{plb.reference}*{dollars(plb.amount)}" for plb in run.provider_adjustments]
        for start in range(0, len(pairs), 6):
            # PLB carries at most six adjustment pairs; more go in another PLB.
            body.append(f"PLB*{practice.billing_npi}*{run.payment_date.year}1231*" + "*".join(pairs[start : start + 6]))
        text = _interchange(payer.payer_id, SYNTHETIC_SENDER, run.payment_date, next(self.controls), "HP", "005010X221A1", body)
        (self.folder / f"835_{run.payment_date:%Y%m%d}_{run.payer_id}_{run.trace_number}.835").write_text(text)

    @staticmethod
    def _claim_payment(payment: ClaimPayment, filing_indicator: str) -> list[str]:
        claim = payment.claim
        charge = paid = patient_share = 0
        line_segments = []
        for line in payment.lines:
            charge += line.line.charge
            paid += line.paid
            line_segments += [f"SVC*{_procedure(line.line)}*{dollars(line.line.charge)}*{dollars(line.paid)}**1", f"DTM*472*{ccyymmdd(line.line.service_date)}"]
            by_group: dict[str, list[str]] = {}
            for adjustment in line.adjustments:
                by_group.setdefault(adjustment.group, []).append(f"{adjustment.reason}*{dollars(adjustment.amount)}")
                if adjustment.group == "PR":
                    patient_share += adjustment.amount
            # One CAS per group, its triplets as reason*amount with the quantity left empty.
            line_segments += [f"CAS*{group}*" + "**".join(triplets) for group, triplets in by_group.items()]
            if line.allowed is not None and payment.status_code != "4":
                line_segments.append(f"AMT*B6*{dollars(line.allowed)}")
            if line.remark:
                line_segments.append(f"LQ*HE*{line.remark}")
        return [
            f"CLP*{claim.claim_id}*{payment.status_code}*{dollars(charge)}*{dollars(paid)}"
            f"*{dollars(patient_share)}*{filing_indicator}*{payment.payer_claim_id}*11*{claim.frequency_code}",
            _patient_name(claim.patient, "QC"),
            _rendering_provider(claim.rendering_npi),
            f"DTM*050*{ccyymmdd(claim.submitted_date + timedelta(days=1))}",
            *line_segments,
        ]

    def audits(self, rows: list[AuditRow]) -> None:
        self.side_files.audits(rows)

    def close(self) -> None:
        self.side_files.close()


class CsvWriter:
    """The claimscope CSV layouts (see README), streamed row by row."""

    def __init__(self, folder: Path, profile: Profile, claims_name: str = "claims.csv", with_remits: bool = True, with_audits: bool = True) -> None:
        self.payers = {payer.payer_id: payer for payer in profile.payers}
        self.practice = profile.practice
        self.files = []
        self.claim_rows = self.open_csv(folder / claims_name, [column.name for column in CLAIM_LAYOUT])
        self.remit_rows = self.open_csv(folder / "remits.csv", [column.name for column in REMIT_LAYOUT]) if with_remits else None
        self.audit_rows = self.open_csv(folder / "audits.csv", [column.name for column in AUDIT_LAYOUT]) if with_audits else None

    def open_csv(self, path: Path, header: list[str]):
        """A CSV writer on a new file with its header row; the file is closed with the others."""
        handle = path.open("w", newline="")
        self.files.append(handle)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        return writer

    def claims(self, day: date, claims: list[Claim]) -> None:
        for claim in claims:
            payer, patient = self.payers[claim.payer_id], claim.patient
            head = [
                claim.claim_id, payer.payer_id, payer.name, patient.member_id, patient.last_name, patient.first_name,
                patient.birth_date.isoformat(), self.practice.billing_npi, claim.rendering_npi, claim.coder_id,
                "professional", claim.frequency_code, "11", claim.service_date.isoformat(), claim.service_date.isoformat(),
                claim.submitted_date.isoformat(), dollars(claim.charge),
            ]
            for line in claim.lines:
                self.claim_rows.writerow(
                    head + [line.number, line.code, ":".join(line.modifiers), "1", dollars(line.charge),
                            line.service_date.isoformat(), ";".join(claim.diagnoses)]
                )

    def payment_run(self, run: PaymentRun) -> None:
        payer = self.payers[run.payer_id]
        for payment in run.claims:
            claim = payment.claim
            head = [
                run.trace_number, payer.payer_id, payer.name, self.practice.billing_npi, "ACH" if run.amount else "NON",
                dollars(run.amount), run.payment_date.isoformat(), claim.claim_id, payment.status_code,
                dollars(payment.charge), dollars(payment.paid), dollars(payment.patient_responsibility),
                payment.payer_claim_id, payer.filing_indicator, (claim.submitted_date + timedelta(days=1)).isoformat(),
                claim.service_date.isoformat(), claim.service_date.isoformat(),
            ]
            for line in payment.lines:
                allowed = dollars(line.allowed) if line.allowed is not None and payment.status_code != "4" else ""
                line_fields = [line.line.number, line.line.code, ":".join(line.line.modifiers), dollars(line.line.charge),
                               dollars(line.paid), allowed, "1", line.line.service_date.isoformat()]
                for adjustment in line.adjustments or [None]:
                    adjustment_fields = [adjustment.group, adjustment.reason, dollars(adjustment.amount), ""] if adjustment else ["", "", "", ""]
                    self.remit_rows.writerow(head + line_fields + adjustment_fields + [line.remark or ""])

    def audits(self, rows: list[AuditRow]) -> None:
        for row in rows:
            self.audit_rows.writerow(
                [row.claim_id, row.coder_id, row.auditor_id, row.audit_date.isoformat(), row.code_type,
                 row.original_code, row.audited_code, row.finding, dollars(row.dollar_impact)]
            )

    def close(self) -> None:
        for handle in self.files:
            handle.close()
