"""The report commands: the worklist, the headline figures, the board pack and coding-audit samples."""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from etl import db as database
from etl.cli.options import (
    AsOfOption, ByOption, DbOption, FromOption, PayerOption, ProviderOption, ToOption, WorklistFormat, console, fail, report_scope,
    table,
)

app = typer.Typer()


@app.command()
def worklist(
    db: DbOption,
    as_of: AsOfOption = None,
    format: Annotated[WorklistFormat, typer.Option(help="csv, xlsx or a table on screen.")] = WorklistFormat.table,
    out: Annotated[Path | None, typer.Option(help="File to write (csv or xlsx); standard output when omitted for csv.")] = None,
    from_date: FromOption = None,
    to_date: ToOption = None,
    payer: PayerOption = None,
    provider: ProviderOption = None,
) -> None:
    """List the insurance claims to work, highest priority first.

    Open claims with no answer, unresolved denials and partial payments, each with its balance, aging bucket
    (by date of service), days left before the timely-filing or appeal deadline, next action and priority score.
    Patients appear only as patient_key. --from/--to, --payer and --provider narrow it as the dashboard's sidebar does.

    Example: claimscope worklist --db demo.duckdb --as-of 2026-11-26 --format csv --out worklist.csv
    """
    from etl.reports import spreadsheets
    from etl.reports.worklist import worklist_rows
    from etl.work import exports

    day = as_of.date() if as_of else date.today()
    with database.read_connection(db) as con:
        rows = worklist_rows(con, day, report_scope(from_date, to_date, payer, provider))
    if format is WorklistFormat.table:
        shown = ["claim_id", "payer_name", "balance_amount", "aging_bucket", "deadline_days_left", "priority_score", "next_action"]
        numeric = {"balance_amount", "deadline_days_left", "priority_score"}
        console.print(table(f"Worklist as of {day}: {len(rows):,} claims", shown, rows.head(50).select(shown).iter_rows(), numeric))
    elif format is WorklistFormat.csv:
        if out:
            out.write_bytes(spreadsheets.csv_bytes(rows))
        else:
            typer.echo(spreadsheets.csv_bytes(rows).decode(), nl=False)
    else:
        if out is None:
            fail("--out is required for xlsx")
        # a workbook is read by people: codes in words, as the pages show them; the CSV keeps codes for scripts
        out.write_bytes(spreadsheets.xlsx_bytes(exports.readable(rows), "worklist"))


class KpiFormat(str, Enum):
    json = "json"
    table = "table"


@app.command()
def kpis(
    db: DbOption,
    as_of: AsOfOption = None,
    format: Annotated[KpiFormat, typer.Option(help="json or a table on screen.")] = KpiFormat.table,
    from_date: FromOption = None,
    to_date: ToOption = None,
    payer: PayerOption = None,
    provider: ProviderOption = None,
) -> None:
    """Print the headline figures: denial, first-pass and net collection rates, days in A/R, A/R over 90 and 120 days,
    and gross charges, payments and adjustments, for claims with a date of service in --from..--to.

    Example: claimscope kpis --db demo.duckdb --as-of 2026-11-26 --from 2026-01-01 --to 2026-06-30 --format json
    """
    import json

    from etl.reports.kpis import kpis as headline_figures

    day = as_of.date() if as_of else date.today()
    with database.read_connection(db) as con:
        figures = headline_figures(con, day, report_scope(from_date, to_date, payer, provider))
    if format is KpiFormat.json:
        typer.echo(json.dumps(figures, default=str, indent=2))
        return
    console.print(table(f"Key figures as of {day}", ["figure", "value"], figures.items(), numeric={"value"}))


@app.command()
def report(
    db: DbOption,
    by: ByOption,
    out: Annotated[Path, typer.Option(help="Folder to write the pack's .html and .pdf into, named for its scope.")] = Path("."),
    as_of: AsOfOption = None,
    from_date: FromOption = None,
    to_date: ToOption = None,
    payer: PayerOption = None,
    provider: ProviderOption = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print the pack to PDF (needs Chromium).")] = True,
    email: Annotated[list[str] | None, typer.Option(help="Send the pack to this address; repeat for several.")] = None,
    smtp: Annotated[str | None, typer.Option(help="SMTP server HOST:PORT; the account and STARTTLS come from "
                                                  "CLAIMSCOPE_SMTP_USER, CLAIMSCOPE_SMTP_PASSWORD and CLAIMSCOPE_SMTP_STARTTLS.")] = None,
    include_phi: Annotated[bool, typer.Option("--include-phi", help="Name the patients in the appendix (logged in the audit trail).")] = False,
) -> None:
    """Write the board pack for an as-of date and a scope (the options of `kpis`) as HTML and PDF, and e-mail it.

    Example: claimscope report --db demo.duckdb --as-of 2026-11-30 --out packs
    """
    from etl.access import audit_trail
    from etl.reports import board_pack, mail

    if email and not smtp:
        fail("give --smtp HOST:PORT with --email")
    day = as_of.date() if as_of else date.today()
    scope = report_scope(from_date, to_date, payer, provider)
    with database.read_connection(db) as con:
        pack = board_pack.build(con, day, scope, include_phi)
    try:
        written = board_pack.write(pack, out, pdf)
    except RuntimeError as error:
        fail(str(error))
    with database.write_connection(db) as con:  # who made which pack, for whom, and whether it names patients
        audit_trail.record(con, by, None, "board_pack", [path.name for path in written],
                           {"as_of": day, **scope.as_struct(), "data_hash": pack.data_hash, "include_phi": include_phi,
                            "emailed_to": email or []})
    for path in written:
        console.print(f"Wrote {path}")
    if email:
        try:
            mail.send_pack(written, email, smtp, f"Board pack as of {day}",
                           f"The board pack as of {day} ({pack.scope_line}), data hash {pack.data_hash}.")
        except (OSError, ValueError) as error:  # smtplib's errors are OSErrors: one line, not a traceback
            fail(f"could not send the pack through {smtp}: {error}")
        console.print(f"Sent to {', '.join(email)}")


class Allocation(str, Enum):
    proportional = "proportional"
    equal = "equal"


class Strata(str, Enum):
    coder = "coder"


@app.command("audit-sample")
def audit_sample(
    db: DbOption,
    size: Annotated[int | None, typer.Option(help="Claims to draw. Or leave it out and give the three below.")] = None,
    confidence: Annotated[float, typer.Option(help="Confidence level for the sample-size calculation.")] = 0.95,
    precision: Annotated[float | None, typer.Option(help="Half-width of the error-rate estimate, e.g. 0.05.")] = None,
    expected_error_rate: Annotated[float | None, typer.Option(help="Error rate you expect, e.g. 0.10.")] = None,
    strata: Annotated[Strata | None, typer.Option(help="Stratify by coder; a simple random sample when omitted.")] = None,
    allocation: Annotated[Allocation, typer.Option(help="How a stratified sample is shared among coders.")] = Allocation.proportional,
    seed: Annotated[int | None, typer.Option(help="Random seed; one is chosen and printed when omitted.")] = None,
    from_date: FromOption = None,
    to_date: ToOption = None,
    coder: Annotated[list[str] | None, typer.Option(help="Coder id in the universe; repeat for several.")] = None,
    payer: Annotated[list[str] | None, typer.Option(help="Payer id in the universe; repeat for several.")] = None,
    provider: Annotated[list[str] | None, typer.Option(help="Rendering NPI in the universe; repeat for several.")] = None,
    procedure_family: Annotated[list[str] | None, typer.Option(help="Leading CPT characters, e.g. 992 for office visits.")] = None,
    out: Annotated[Path | None, typer.Option(help="Worksheet to write, .csv or .xlsx; it loads back with `claimscope load`.")] = None,
) -> None:
    """Draw a coding-audit sample of claims, record it with its seed, and write the auditors' worksheet.

    Example: claimscope audit-sample --db demo.duckdb --confidence 0.95 --precision 0.05 --expected-error-rate 0.10 --strata coder --seed 2026 --out audit.xlsx
    """
    import secrets

    import polars as pl

    from etl.reports import audit_worksheet
    from etl.reports.audit_sampling import Universe, draw_sample, sample_size, universe_claims, worksheet

    if size is None and (precision is None or expected_error_rate is None):
        fail("give --size, or --precision and --expected-error-rate")
    universe = Universe(report_scope(from_date, to_date, payer, provider), tuple(coder or ()), tuple(procedure_family or ()))
    seed = seed if seed is not None else secrets.randbelow(10**9)
    with database.write_connection(db) as con:
        population = len(universe_claims(con, universe))
        if population == 0:
            fail("no claims in the universe; widen --from/--to or the filters")
        wanted = size if size is not None else sample_size(confidence, precision, expected_error_rate, population)
        drawn = draw_sample(con, universe, wanted, seed, strata is Strata.coder, allocation.value)
        sheet = worksheet(con, drawn.sample_id)
    if out:
        audit_worksheet.write(sheet, out)  # headed by column names, so it loads back
    strata_sizes = drawn.claims.group_by("stratum").agg(population=pl.first("stratum_size"), drawn=pl.len()).sort("stratum")
    console.print(table(
        f"Audit sample {drawn.sample_id}: {len(drawn.claims):,} of {drawn.universe_size:,} claims, seed {seed}",
        ["stratum", "population", "drawn"], strata_sizes.iter_rows(), numeric={"population", "drawn"},
    ))
    if out:
        console.print(f"Worksheet: {out} ({len(sheet):,} codes)")
