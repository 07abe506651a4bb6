"""Write a balanced synthetic 835 of N claims (two service lines each) for benchmarks."""

from __future__ import annotations

import random
import sys
from pathlib import Path

PROCEDURES = ["99213", "99214", "36415", "81002", "93000", "20610", "99203"]


def write_835(path: Path, claims: int, seed: int = 7) -> Path:
    """Balanced by construction: CLP03 - ΣCAS = CLP04, SVC02 - ΣCAS = SVC03, BPR02 = ΣCLP04."""
    rng = random.Random(seed)
    body, total_paid = [], 0
    for number in range(claims):
        lines, claim_charge, claim_paid = [], 0, 0
        for _ in range(2):
            charge = rng.randint(2_000, 60_000)
            contractual, coinsurance = charge * 2 // 10, charge // 10
            paid = charge - contractual - coinsurance
            lines += [
                f"SVC*HC:{rng.choice(PROCEDURES)}:25*{charge / 100:.2f}*{paid / 100:.2f}**1",
                "DTM*472*20260910",
                f"CAS*CO*45*{contractual / 100:.2f}**253*0.00~CAS*PR*2*{coinsurance / 100:.2f}",
                f"AMT*B6*{(charge - contractual) / 100:.2f}",
            ]
            claim_charge, claim_paid = claim_charge + charge, claim_paid + paid
        body += [
            f"CLP*BENCH{number:07}*1*{claim_charge / 100:.2f}*{claim_paid / 100:.2f}*0*CI*PCN{number:09}",
            # a practice sees the same patients again: 5,000 of them across the file
            f"NM1*QC*1*SYNTH{number % 5000}*PAT****MI*M{number % 5000:08}",
            "DTM*050*20260912",
            *lines,
        ]
        total_paid += claim_paid
    header = [
        "ISA*00*          *00*          *ZZ*BENCHPAYER     *ZZ*BENCHCLINIC    *261001*1200*^*00501*000000001*0*T*:",
        "GS*HP*BENCHPAYER*BENCHCLINIC*20261001*1200*1*X*005010X221A1",
        "ST*835*0001",
        f"BPR*I*{total_paid / 100:.2f}*C*ACH************20261001",
        "TRN*1*BENCHTRACE*1999999999",
        "N1*PR*BENCH HEALTH PLAN*XV*123456",
        "REF*2U*BENCH1",
        "N1*PE*BENCH CLINIC*XX*1234567893",
        "LX*1",
    ]
    segment_count = len(header) - 2 + sum(item.count("~") + 1 for item in body) + 1
    text = "~\n".join([*header, *body, f"SE*{segment_count}*0001", "GE*1*1", "IEA*1*000000001"]) + "~\n"
    path.write_text(text)
    return path


if __name__ == "__main__":
    write_835(Path(sys.argv[1]), int(sys.argv[2]))
