"""Which denials count as preventable: a documented rule by denial category (etl/reference/SOURCES.md), applied to
every CARC, and the Denials page's share worked out by hand from it."""

import csv
import shutil
from pathlib import Path

from etl.load import load_files
from tests.conftest import HAND_MADE, REPO, open_app

# The rule: a denial is preventable when its cause lies in the practice's own claim preparation, where a check before
# the claim goes out would catch it; not when the payer denies on the patient's benefits or its own terms.
PREVENTABLE = {"authorization_referral", "coding_bundling", "coordination_of_benefits", "duplicate",
               "eligibility_registration", "medical_necessity", "missing_information", "provider_credentialing",
               "timely_filing", "appeal_procedural"}


def test_every_carc_follows_the_rule_of_its_category():
    with (REPO / "etl" / "reference" / "carc_categories.csv").open() as file:
        rows = list(csv.DictReader(file))
    off = [(row["code"], row["category"], row["preventable"]) for row in rows
           if row["preventable"] != ("yes" if row["category"] in PREVENTABLE else "no")]
    assert off == []
    preventable = {row["code"]: row["preventable"] for row in rows}
    # Non-covered services and benefit limits are the patient's plan, not the practice's paperwork.
    assert [preventable[code] for code in ("96", "204", "119", "35")] == ["no"] * 4
    assert [preventable[code] for code in ("197", "16", "29", "31", "18")] == ["yes"] * 5


def test_the_denials_page_counts_a_non_covered_denial_outside_the_preventable_share(tmp_path: Path, monkeypatch):
    # The hand-made practice denies C1003 ($275.00, CO-197: no authorization); here Aetna also denies C1005 ($75.00,
    # CO-96: not covered). Preventable share = 275.00 / (275.00 + 75.00) = 78.57%, shown as 78.6%.
    remits = tmp_path / "remits_c1005.csv"
    header = (HAND_MADE / "remits.csv").read_text().splitlines()[0]
    remits.write_text(header + "\nEFT3002,AET01,Aetna,1234567893,ACH,0.00,2026-11-02,C1005,4,75.00,0.00,0.00,AET-0005,CI,"
                               "2026-10-22,2026-10-20,2026-10-20,,,,,,,,,CO,96,75.00,,N130\n")
    db = tmp_path / "practice.duckdb"
    shutil.copytree(HAND_MADE, tmp_path / "hand_made", ignore=shutil.ignore_patterns("audits.csv"))
    load_files([tmp_path / "hand_made", remits], db)
    page = open_app(db, monkeypatch, "manager", "views/denials.py", {"as_of": "2026-11-30", "preset": "year_to_date"})
    tiles = {metric.label: metric for metric in page.metric}
    assert tiles["Denied charges"].value == "$350"
    assert tiles["Preventable share"].value == "78.6%"
    assert tiles["Preventable share"].delta == "$275 of $350 denied"
