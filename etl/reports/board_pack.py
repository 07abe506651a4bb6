"""The board pack: the practice's figures for an as-of date and a scope as one self-contained HTML file (charts as
inline SVG, no network) and the same file printed to PDF. Every page says the as-of date, the scope, when it was made
and a hash of the data it was computed from, so two packs can be told apart or matched."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import jinja2
import polars as pl

from etl.reports import aging, denials, formats, scorecard, trends
from etl.reports.formats import half_up
from etl.reports.coder_accuracy import with_accuracy_intervals
from etl.reports.judgement import HEADLINES, headline, previous_period
from etl.reports.kpis import kpis
from etl.reports.scope import IN_SCOPE, Scope

TEMPLATE = Path(__file__).parent / "templates" / "board_pack.html.j2"
REASONS_SHOWN = 10
LARGEST_AGED_SHOWN = 10
# A file name's ids past this many are counted, not listed: a name stays short enough for any file system.
IDS_IN_FILE_NAME = 5


@dataclass(frozen=True)
class Pack:
    html: str
    data_hash: str
    as_of: date
    scope: Scope
    generated_at: datetime
    figures: dict  # the KPI figures the pack shows, for a caller that checks or logs them
    scope_line: str  # the scope in words, payers by name, as every page states it

    @property
    def file_stem(self) -> str:
        """The pack's file name without its suffix, naming its scope (file_stem)."""
        return file_stem(self.as_of, self.scope)


def data_hash(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of the data the figures come from: every loaded file's content hash, in load order, and the ledger's
    version. The same database gives the same hash; a file loaded since changes it."""
    digest = hashlib.sha256()
    for (sha,) in con.execute("select sha256 from source_files order by file_id").fetchall():
        digest.update(sha.encode() + b"\n")
    digest.update(str(con.execute("select max(version) from ledger_versions").fetchall()[0][0]).encode())
    return digest.hexdigest()[:16]


def build(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope = Scope(), include_phi: bool = False,
          generated_at: datetime | None = None, preset: str | None = None) -> Pack:
    """Gather every section's figures for the as-of date and scope, and render the pack's HTML; `preset` (the
    dashboard's date preset) sets the period the changes are taken against, as on the Overview."""
    generated_at = generated_at or datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    compared = previous_period(as_of, scope, preset)
    now, before = kpis(con, as_of, scope), kpis(con, compared.as_of, compared.scope)
    benchmarks = {row[0]: {"benchmark": row[1], "direction": row[2], "label": row[3]} for row in
                  con.execute("select kpi, benchmark, direction, label from kpi_benchmarks").fetchall()}
    card = scorecard.payer_scorecard(con, as_of, scope)
    reasons = denials.reasons(con, as_of, scope)
    grid = aging.grid(con, as_of, "service", scope)
    trend = trends.trend(con, as_of, scope)
    payer_names = dict(con.execute("select payer_id, payer_name from payers").fetchall())
    context = {
        "as_of": as_of, "scope_line": describe(scope, payer_names), "generated_at": f"{generated_at:%Y-%m-%d %H:%M} UTC",
        "data_hash": data_hash(con), "include_phi": include_phi, "compared": compared,
        "headlines": [_headline(name, label, kind, counted, now, before, benchmarks.get(name), compared.name)
                      for name, label, kind, counted in HEADLINES],
        "money": [(label, formats.money(now[name])) for name, label in (
            ("gross_charges", "Gross charges"), ("payments", "Payments"), ("contractual_adjustments", "Contractual adjustments"),
            ("patient_responsibility", "Patient responsibility"), ("open_ar", "Open insurance A/R"))],
        "trend": _trend_rows(trend), "trend_chart": _trend_chart(trend),
        "aging_columns": [name for name in grid.columns if name not in ("payer_name", "is_all_payers")],
        "aging": [{"payer": row["payer_name"], "cells": [formats.money(row[name]) for name in grid.columns
                                                          if name not in ("payer_name", "is_all_payers")]}
                  for row in grid.iter_rows(named=True)],
        "aging_chart": _aging_chart(grid),
        "reasons": [{"code": row["carc_code"], "description": row["description"] or "no description on file",
                     "category": _words(row["carc_category"]), "claims": formats.count(row["claim_count"]),
                     "amount": formats.money(row["denied_amount"]), "cumulative": formats.percent(row["cumulative_share"])}
                    for row in reasons.head(REASONS_SHOWN).iter_rows(named=True)],
        "reasons_chart": _pareto_chart(reasons.head(REASONS_SHOWN)),
        "by_category": _by_category(denials.by_payer_and_category(con, as_of, scope)),
        "scorecard": [_scorecard_row(row) for row in card.with_columns(
            pl.Series("denial_rate_limits", scorecard.limits_in_words(card), pl.String)).iter_rows(named=True)],
        "accuracy": _accuracy(con, as_of, scope),
        "quality": _quality(con),
        "largest_aged": _largest_aged(con, as_of, scope, include_phi),
    }
    context["stamp"] = f"As of {as_of} · {context['scope_line']} · generated {context['generated_at']} · data hash {context['data_hash']}"
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)  # every text from a file escaped
    environment.filters["css_string"] = css_string
    html = environment.from_string(TEMPLATE.read_text()).render(**context)
    return Pack(html, context["data_hash"], as_of, scope, generated_at, now, context["scope_line"])


def css_string(text: str) -> str:
    """Text for a CSS string in the page footer: every character but letters, digits and spaces as a CSS escape, so a
    payer id given on the command line can neither end the string nor the style sheet."""
    return "".join(character if character.isalnum() and character.isascii() or character == " " else f"\\{ord(character):06x}"
                   for character in text)


def describe(scope: Scope, payer_names: dict[str, str | None] | None = None) -> str:
    """The scope in words, as every page of the pack states it: payers by the name on their claims (sql/marts/payers.sql),
    by id where no name is on file or two chosen payers share one."""
    parts = [f"payers {', '.join(payer_labels(scope.payers, payer_names or {}))}" if scope.payers else "every payer",
             f"providers {', '.join(scope.providers)}" if scope.providers else "every provider"]
    basis = "served" if scope.basis == "service" else "submitted"
    if scope.start or scope.end:
        parts.append(f"claims {basis} {scope.start or 'from the first'} to {scope.end or 'the as-of date'}")
    else:
        parts.append("claims of every date")
    return " · ".join(parts) + " · insurance claims; self-pay left out"


def payer_labels(payer_ids: tuple[str, ...], payer_names: dict[str, str | None]) -> list[str]:
    """Each payer as a reader knows it: its name, or its id when it has none on file; a name two of them share keeps
    each one's id beside it, so Blue Cross (00590) and Blue Cross (00901) stay two."""
    named = [(payer_id, (payer_names.get(payer_id) or "").strip()) for payer_id in payer_ids]
    shared = {name for _, name in named if name and sum(other == name for _, other in named) > 1}
    return [payer_id if not name else f"{name} ({payer_id})" if name in shared else name for payer_id, name in named]


def file_stem(as_of: date, scope: Scope) -> str:
    """The pack's file name without its suffix, naming what it covers: claimscope-board-pack-2026-10-01_2026-10-31-
    payers-60054 (the date range, else the as-of date; payer and provider ids). Anything but letters, digits, dots and
    dashes becomes a dash, so an id typed on the command line can neither leave the folder nor break the name."""
    if scope.start or scope.end:
        dates = f"{scope.start or 'first'}_{scope.end or as_of}"
        if scope.basis == "submission":
            dates = f"submitted-{dates}"
    else:
        dates = f"as-of-{as_of}"
    parts = ["claimscope-board-pack", dates]
    for kind, ids in (("payers", scope.payers), ("providers", scope.providers)):
        if ids:
            listed = "-".join(ids[:IDS_IN_FILE_NAME])
            more = f"-and-{len(ids) - IDS_IN_FILE_NAME}-more" if len(ids) > IDS_IN_FILE_NAME else ""
            parts.append(f"{kind}-{listed}{more}")
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]", "-", "-".join(parts))).strip("-.")


def write(pack: Pack, out: Path, pdf: bool = True) -> list[Path]:
    """Write the pack into the folder, named for its scope (file_stem), and print it to PDF beside it."""
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / f"{pack.file_stem}.html"
    html_path.write_text(pack.html, encoding="utf-8")
    written = [html_path]
    if pdf:
        written.append(print_to_pdf(html_path, html_path.with_suffix(".pdf")))
    return written


def print_to_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print the HTML to PDF with headless Chromium (the browser the tests drive), offline: the pack has no links to
    fetch, so the PDF is the HTML as a browser prints it."""
    browser = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
    if browser is None:
        raise RuntimeError("printing the board pack to PDF needs Chromium (apt-get install chromium); "
                           "or write the HTML alone with --no-pdf")
    with tempfile.TemporaryDirectory() as profile:  # a throwaway profile: nothing of the user's browser is read
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", f"--user-data-dir={profile}",
             f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return pdf_path


def _headline(name: str, label: str, kind: str, counted: tuple[str, str] | None, now: dict, before: dict,
              benchmark: dict | None, compared_with: str) -> dict:
    shown = headline(name, kind, counted, now, before, benchmark)
    judged = shown.judged
    status = "no benchmark" if benchmark is None else "no figure" if judged.meets_benchmark is None else \
        ("meets" if judged.meets_benchmark else "misses") + f" the benchmark ({benchmark['label']})"
    return {"label": label, "value": shown.value, "change": change_in_words(kind, judged.change, compared_with),
            "status": status,
            "meets": judged.meets_benchmark, "real_change": judged.is_real_change, "better": judged.is_better,
            "note": formats.interval_note(shown.measured) if shown.measured else ""}


def change_in_words(kind: str, change: float | None, compared_with: str) -> str:
    """A headline's change as a sentence, never a sign a reader could take for a dash: "up 3.1 points against the 12
    months before", "down 29 days against …", "unchanged against …", or why there is none."""
    if change is None:
        return f"No change to show: no figure for {compared_with} to compare with"
    shown, unit = (half_up(change * 100, 1), "points") if kind == "percent" else (half_up(change), "days")
    if not shown:
        return f"unchanged against {compared_with}"
    if abs(shown) == 1:
        unit = unit.removesuffix("s")
    return f"{'up' if shown > 0 else 'down'} {abs(shown):,} {unit} against {compared_with}"


def _trend_rows(trend: pl.DataFrame) -> list[dict]:
    """Each period's figures; a net collection rate still maturing (within 90 days of the as-of date) says so."""
    rows = []
    for row in trend.iter_rows(named=True):
        shown = {name: (formats.percent if kind == "percent" else formats.days)(row[name]) for name, _, kind, _ in HEADLINES}
        if row.get("is_maturing") and row["net_collection_rate"] is not None:
            shown["net_collection_rate"] += " (maturing)"
        rows.append({"period": row["period_end"].strftime("%b %Y" if row["grain"] == "month" else "%d %b %Y"), **shown})
    return rows


def _words(category: str | None) -> str:
    return "Unknown" if not category else category[:1].upper() + category[1:].replace("_", " ")


def _by_category(frame: pl.DataFrame) -> dict:
    categories = sorted(frame["carc_category"].unique().to_list()) if not frame.is_empty() else []
    rows = []
    for payer in sorted(frame["payer_name"].unique().to_list()) if not frame.is_empty() else []:
        cells = {row["carc_category"]: row["denied_amount"] for row in frame.filter(pl.col("payer_name") == payer).iter_rows(named=True)}
        rows.append({"payer": payer, "cells": [formats.money(cells.get(category, 0)) for category in categories]})
    return {"categories": [_words(category) for category in categories], "rows": rows}


def _scorecard_row(row: dict) -> dict:
    return {"payer": row["payer_name"], "claims": formats.count(row["claim_count"]), "charges": formats.money(row["gross_charges"]),
            "payments": formats.money(row["payments"]), "denial_rate": formats.percent(row["initial_denial_rate"]),
            "interval": "—" if row["denial_rate_low"] is None else
            f"{formats.percent(row['denial_rate_low'])}–{formats.percent(row['denial_rate_high'])}",
            "outlier": row["denial_rate_limits"],
            "net_collection": formats.percent(row["net_collection_rate"]), "median_days": formats.days(row["median_days_to_payment"]),
            "open_ar": formats.money(row["open_ar"]), "ar_over_90": formats.money(row["ar_over_90"]),
            "underpaid": formats.money(row["underpaid_amount"])}


def _accuracy(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope) -> list[dict]:
    frame = con.sql("select * from coder_accuracy($scope, as_of := $as_of) order by coder_id",
                    params={"as_of": as_of, **scope.params()}).pl()
    if frame.is_empty():
        return []
    return [{"coder": row["coder_id"], "audited": formats.count(row["claims_audited"]), "accuracy": formats.percent(row["claim_accuracy"]),
             "interval": f"{formats.percent(row['claim_low'])}–{formats.percent(row['claim_high'])}", "verdict": row["against_target"],
             "overpayment": formats.money(row["overpayment"], cents=True)}
            for row in with_accuracy_intervals(frame).iter_rows(named=True)]


def _quality(con: duckdb.DuckDBPyConnection) -> dict:
    def rows(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    return {
        "files": [(status, formats.count(files), formats.count(loaded), formats.count(quarantined)) for status, files, loaded, quarantined in rows(
            "select status, count(*), sum(records_loaded), sum(records_quarantined) from load_history group by status order by status")],
        "quarantine": [(problem, formats.count(records)) for problem, records in rows(
            "select problem, count(*) from quarantine_records group by problem order by count(*) desc, problem")],
        "balancing": rows("select count(*), coalesce(sum(abs(difference_amount)), 0) from balancing_failures")[0],
        "unmatched": rows("select count(*), coalesce(sum(paid_amount), 0) from unmatched_remits")[0],
        "money": formats.money,
    }


def _largest_aged(con: duckdb.DuckDBPyConnection, as_of: date, scope: Scope, include_phi: bool) -> list[dict]:
    """The largest open balances in the oldest aging bucket (over 120 days from service); the patient as a masked tag, and by name only when PHI
    was asked for (the names are not even read otherwise)."""
    frame = con.sql(
        "with aged as (select * from ar_aging($as_of, 'service') where aging_bucket = $oldest and " + IN_SCOPE + ")"
        " select aged.claim_id, aged.payer_name, aged.service_date_from, aged.balance_amount, claims.patient_key"
        " from aged inner join claims using (claim_record_id)"
        f" order by aged.balance_amount desc, aged.claim_id limit {LARGEST_AGED_SHOWN}",
        params={"as_of": as_of, "oldest": aging.bucket_order(con)[-1], **scope.params()},
    ).pl()
    names = {}
    if include_phi and not frame.is_empty():
        names = dict(con.execute("select patient_key, patient_name from patient_identities where list_contains(?, patient_key)",
                                 [frame["patient_key"].drop_nulls().to_list()]).fetchall())
    return [{"claim": row["claim_id"], "payer": row["payer_name"], "service": row["service_date_from"].isoformat(),
             "balance": formats.money(row["balance_amount"], cents=True),
             "patient": names.get(row["patient_key"], "—") if include_phi else
             ("patient ••" + row["patient_key"][-4:] if row["patient_key"] else "—")}
            for row in frame.iter_rows(named=True)]


# Charts: inline SVG drawn by matplotlib, text as text (never math: a payer name with $ signs stays as typed).
def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})  # no timestamp: the same data, the same pack
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # the markup alone, inline in the page


def _pyplot():
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams.update({"text.parse_math": False, "svg.fonttype": "none", "font.size": 8,
                                "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "claimscope"})
    import matplotlib.pyplot as plt

    return plt


def _trend_chart(trend: pl.DataFrame) -> str | None:
    if trend.is_empty():
        return None
    plt = _pyplot()
    from matplotlib.ticker import PercentFormatter

    figure, axes = plt.subplots(2, 3, figsize=(9, 4.2))
    labels = [row.strftime("%b %y") for row in trend["period_end"]]
    for axis, (name, label, kind, _) in zip(axes.flat, HEADLINES):
        values = [None if value is None else float(value) for value in trend[name]]
        axis.plot(labels, [float("nan") if value is None else value for value in values], marker="o", markersize=2.5)
        axis.set_title(label, fontsize=8)
        axis.tick_params(axis="x", labelrotation=60, labelsize=6)
        if kind == "percent":
            axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    figure.tight_layout()
    return _svg(figure)


def _aging_chart(grid: pl.DataFrame) -> str | None:
    if grid.is_empty():
        return None
    plt = _pyplot()
    from matplotlib.ticker import StrMethodFormatter

    payers = grid.filter(~pl.col("is_all_payers"))
    buckets = [name for name in grid.columns if name not in ("payer_name", "is_all_payers", aging.TOTAL)]
    figure, axis = plt.subplots(figsize=(8, 3))
    bottom = [0.0] * len(buckets)
    for row in payers.iter_rows(named=True):
        heights = [float(row[bucket]) for bucket in buckets]
        axis.bar(buckets, heights, bottom=bottom, label=row["payer_name"])
        bottom = [low + high for low, high in zip(bottom, heights)]
    axis.yaxis.set_major_formatter(StrMethodFormatter("${x:,.0f}"))
    axis.set_xlabel("Days from service")
    axis.legend(fontsize=6, frameon=False, bbox_to_anchor=(1.0, 1.0), loc="upper left")
    return _svg(figure)


def _pareto_chart(reasons: pl.DataFrame) -> str | None:
    if reasons.is_empty():
        return None
    plt = _pyplot()
    from matplotlib.ticker import StrMethodFormatter

    figure, axis = plt.subplots(figsize=(8, 3))
    axis.bar([f"CARC {code}" for code in reasons["carc_code"]], [float(value) for value in reasons["denied_amount"]])
    axis.yaxis.set_major_formatter(StrMethodFormatter("${x:,.0f}"))
    axis.tick_params(axis="x", labelrotation=45, labelsize=7)
    return _svg(figure)
