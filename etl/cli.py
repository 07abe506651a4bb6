"""The `claimscope` command line: thin wrappers over the etl library."""

from __future__ import annotations

import errno
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import click
import duckdb
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from typer.core import TyperGroup

from etl import db as database
from etl.intake.records import LoadError

if TYPE_CHECKING:
    from etl.load import FileResult

class _ClearFailures(TyperGroup):
    """Every command's way of failing for a reason outside claimscope: a full disk, a read-only or missing file, a
    database another process holds past the lock timeout. One line on stderr and exit 2 ("the run itself failed", as
    against 1 for records quarantined or refused), never a traceback. Other errors are left to propagate."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (duckdb.Error, OSError) as error:
            # a failed commit is often followed by the caller's rollback failing too: the cause is further down
            causes = [error]
            while causes[-1].__context__ is not None and len(causes) < 10:
                causes.append(causes[-1].__context__)
            message = next((found for cause in causes if (found := _environment_failure(cause))), None)
            if message is None:
                raise
            typer.echo(f"Error: {message}", err=True)
            raise typer.Exit(code=2) from None


def _environment_failure(error: Exception) -> str | None:
    """The cause in a biller's words, with DuckDB's or the OS's own first line; None for an error of another kind."""
    text = str(error).splitlines()[0].split(" See also")[0] if str(error) else error.__class__.__name__
    lowered = text.lower()
    code = error.errno if isinstance(error, OSError) else None
    if code == errno.ENOSPC or "no space left" in lowered:
        return f"the disk is full, and the write that failed was rolled back. Free some space and run it again. ({text})"
    if "database does not exist" in lowered:
        return f"there is no database there yet; `claimscope load` creates it. ({text})"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or any(words in lowered for words in ("read-only", "permission denied")):
        return f"a file cannot be written: it or its folder is read-only or belongs to another user. ({text})"
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        return f"the database is in use by another process, which did not let go in time; run it again when it has finished. ({text})"
    if isinstance(error, (duckdb.IOException, OSError)):
        return text
    return None


app = typer.Typer(help="claimscope: denial and payment analytics for medical billing.", no_args_is_help=True, cls=_ClearFailures)
console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    Path,
    typer.Option(help="DuckDB file to use; defaults to $CLAIMSCOPE_DB or ./claimscope.duckdb.", default_factory=database.default_db_path),
]
ByOption = Annotated[str, typer.Option("--by", help="Who makes the change (for the audit trail); defaults to the login name.",
                                       default_factory=lambda: __import__("getpass").getuser())]


AsOfOption = Annotated[
    datetime | None, typer.Option(help="Date aging, deadlines and figures are counted as of; defaults to today.", formats=["%Y-%m-%d"])
]
FromOption = Annotated[datetime | None, typer.Option("--from", help="First date of service counted.", formats=["%Y-%m-%d"])]
ToOption = Annotated[datetime | None, typer.Option("--to", help="Last date of service counted.", formats=["%Y-%m-%d"])]
PayerOption = Annotated[list[str] | None, typer.Option(help="Payer id to count; repeat for several. All when omitted.")]
ProviderOption = Annotated[list[str] | None, typer.Option(help="Rendering NPI to count; repeat for several.")]


def _scope(from_date: datetime | None, to_date: datetime | None, payer: list[str] | None, provider: list[str] | None):
    """The report scope the options name: the same Scope the dashboard's sidebar builds."""
    from etl.reports.scope import Scope

    return Scope(tuple(payer or ()), tuple(provider or ()), from_date.date() if from_date else None, to_date.date() if to_date else None)


def _fail(message: object, code: int = 1) -> NoReturn:
    """Say what went wrong on stderr and exit 1, every command's way of refusing; or 2, the run itself failed."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=code)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="835, 837 or CSV files, or folders to search.", exists=True)],
    db: DbOption,
    mapping: Annotated[
        Path | None, typer.Option(help="YAML file renaming a PM export's columns to claimscope's.", exists=True, dir_okay=False)
    ] = None,
    strict: Annotated[bool, typer.Option(help="Reject X12 sets whose envelope counts or control numbers are off.")] = False,
) -> None:
    """Load claim, remittance and audit files; bad records go to quarantine.

    Each file loads in its own transaction; a file already loaded (same sha256) is skipped.
    An X12 envelope count or control number that is off (SE01, GE01, IEA01, ST02/SE02, GS06/GE02, ISA13/IEA02) is a
    warning and the set loads, since a provider cannot send an ERA back; --strict rejects such sets instead.
    Exits 1 when any record was quarantined or any file rejected (the rest still load), 2 when the run itself failed.

    Example: claimscope load data_samples/ --db demo.duckdb
    """
    # imported here so that `--help` and the quick commands do not pay for the loader's imports
    import duckdb

    from etl.error_log import error_log_path, internal_error
    from etl.intake.tabular.mapping import read_mapping
    from etl.lake import LakeError
    from etl.load import expand_paths, load_files

    try:
        column_mapping = read_mapping(mapping)
    except LoadError as error:
        _fail(error)
    try:
        with Progress(console=errors, transient=True) as progress:
            task = progress.add_task("Loading", total=len(expand_paths(paths)))
            results = load_files(paths, db, column_mapping, on_file_done=lambda _: progress.advance(task), strict=strict)
    except LakeError as refusal:
        _fail(refusal)
    except (duckdb.Error, OSError):
        raise  # a full disk, a read-only file or a held lock: said in one line by the command group
    except Exception as error:  # a fault of the loader's own: one line here, the traceback in the log, never PHI
        _fail(internal_error(f"loading into {db}", "loading", error, error_log_path(db)) + "; files already committed stay", code=2)
    console.print(_summary_table(results))
    for result in results:
        if result.message and result.status != "skipped":
            typer.echo(f"{result.path}: {result.status}: {result.message}", err=True)
    if not all(result.is_clean for result in results):
        raise typer.Exit(code=1)


# Past this many files the summary counts them by kind and status, and lists only the files that were not clean.
SUMMARY_FILE_ROWS = 40


def _summary_table(results: list[FileResult]) -> Table:
    shown = results if len(results) <= SUMMARY_FILE_ROWS else [r for r in results if not r.is_clean]
    rows = [(r.path, r.kind, r.status, r.records_loaded, r.records_quarantined) for r in shown]
    if len(results) > SUMMARY_FILE_ROWS:
        counts: dict[tuple[str, str], list[int]] = {}
        for r in results:
            count = counts.setdefault((r.kind, r.status), [0, 0, 0])
            count[0], count[1], count[2] = count[0] + 1, count[1] + r.records_loaded, count[2] + r.records_quarantined
        rows += [(f"{files:,} file{'s' if files > 1 else ''}", kind, status, loaded, quarantined)
                 for (kind, status), (files, loaded, quarantined) in sorted(counts.items())]
    return _table("Load summary", ["file", "kind", "status", "loaded", "quarantined"], rows, numeric={"loaded", "quarantined"})


def _table(title: str, headings: list[str], rows, numeric: set[str] = frozenset()) -> Table:
    """A rich table; numeric columns are right-aligned, long values fold rather than vanish."""
    table = Table(title=title)
    for heading in headings:
        table.add_column(heading, justify="right" if heading in numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*[f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value) for value in row])
    return table


class OutputFormat(str, Enum):
    x12 = "x12"
    csv = "csv"
    both = "both"


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the files into (created if missing).")],
    claims: Annotated[int, typer.Option(help="How many claims to generate.", min=1)] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same bytes.")] = 7,
    months: Annotated[int, typer.Option(help="How many months of activity, ending at --end.", min=1)] = 12,
    end: Annotated[datetime | None, typer.Option(help="Last day of activity (YYYY-MM-DD); defaults to today.", formats=["%Y-%m-%d"])] = None,
    format: Annotated[OutputFormat, typer.Option(help="x12 (837P/835 plus CSV for self-pay and audits), csv, or both.")] = OutputFormat.x12,
) -> None:
    """Generate a synthetic practice: 837P batches, 835 payment runs and coding audits.

    The practice's payers, denial patterns, coders and code mix come from etl/synth/profile.yaml.

    Example: claimscope synth --out /tmp/practice --claims 2000 --seed 7 --end 2026-11-26
    """
    from etl.synth import synthesize

    last_day = end.date() if end else date.today()
    synthesize(out, claims, seed, months, last_day, format.value)
    files = sum(1 for path in out.rglob("*") if path.is_file())
    console.print(f"Wrote {files:,} files for {claims:,} claims ending {last_day} to {out}")


@app.command()
def validate(
    db: DbOption,
    docs: Annotated[Path | None, typer.Option(help="Also write Great Expectations Data Docs (static HTML) to this folder.")] = None,
) -> None:
    """Re-run every expectation suite over the whole database and record the results.

    Exits 1 when any critical expectation fails.

    Example: claimscope validate --db demo.duckdb --docs /tmp/claimscope-docs
    """
    from etl.intake.validate import validate_database

    with database.write_connection(db) as con:
        runs = validate_database(con, date.today(), docs)
    failed = [run for run in runs if not run["success"]]
    rows = [(run["suite"], run["expectation"], run["severity"], run["unexpected_count"], run["sample_values"] or "") for run in failed]
    headings = ["suite", "expectation", "severity", "failing rows", "sample"]
    console.print(_table(f"{len(runs) - len(failed)} of {len(runs)} expectations met", headings, rows, numeric={"failing rows"}))
    if docs:
        console.print(f"Data Docs: {docs / 'index.html'}")
    if any(run["severity"] == "error" for run in failed):
        raise typer.Exit(code=1)


class WorklistFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    table = "table"


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

    day = as_of.date() if as_of else date.today()
    with database.read_connection(db) as con:
        rows = worklist_rows(con, day, _scope(from_date, to_date, payer, provider))
    if format is WorklistFormat.table:
        shown = ["claim_id", "payer_name", "balance_amount", "aging_bucket", "deadline_days_left", "priority_score", "next_action"]
        numeric = {"balance_amount", "deadline_days_left", "priority_score"}
        console.print(_table(f"Worklist as of {day}: {len(rows):,} claims", shown, rows.head(50).select(shown).iter_rows(), numeric))
    elif format is WorklistFormat.csv:
        if out:
            out.write_bytes(spreadsheets.csv_bytes(rows))
        else:
            typer.echo(spreadsheets.csv_bytes(rows).decode(), nl=False)
    else:
        if out is None:
            _fail("--out is required for xlsx")
        out.write_bytes(spreadsheets.xlsx_bytes(rows, "worklist"))


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
        figures = headline_figures(con, day, _scope(from_date, to_date, payer, provider))
    if format is KpiFormat.json:
        typer.echo(json.dumps(figures, default=str, indent=2))
        return
    console.print(_table(f"Key figures as of {day}", ["figure", "value"], figures.items(), numeric={"value"}))


@app.command()
def report(
    db: DbOption,
    by: ByOption,
    out: Annotated[Path, typer.Option(help="Folder to write board_pack_<as-of>.html and .pdf into.")] = Path("."),
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
        _fail("give --smtp HOST:PORT with --email")
    day = as_of.date() if as_of else date.today()
    scope = _scope(from_date, to_date, payer, provider)
    with database.read_connection(db) as con:
        pack = board_pack.build(con, day, scope, include_phi)
    try:
        written = board_pack.write(pack, out, pdf)
    except RuntimeError as error:
        _fail(str(error))
    with database.write_connection(db) as con:  # who made which pack, for whom, and whether it names patients
        audit_trail.record(con, by, None, "board_pack", [path.name for path in written],
                           {"as_of": day, **scope.as_struct(), "data_hash": pack.data_hash, "include_phi": include_phi,
                            "emailed_to": email or []})
    for path in written:
        console.print(f"Wrote {path}")
    if email:
        try:
            mail.send_pack(written, email, smtp, f"Board pack as of {day}",
                           f"The board pack as of {day} ({board_pack.describe(scope)}), data hash {pack.data_hash}.")
        except (OSError, ValueError) as error:  # smtplib's errors are OSErrors: one line, not a traceback
            _fail(f"could not send the pack through {smtp}: {error}")
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
        _fail("give --size, or --precision and --expected-error-rate")
    universe = Universe(_scope(from_date, to_date, payer, provider), tuple(coder or ()), tuple(procedure_family or ()))
    seed = seed if seed is not None else secrets.randbelow(10**9)
    with database.write_connection(db) as con:
        population = len(universe_claims(con, universe))
        if population == 0:
            _fail("no claims in the universe; widen --from/--to or the filters")
        wanted = size if size is not None else sample_size(confidence, precision, expected_error_rate, population)
        drawn = draw_sample(con, universe, wanted, seed, strata is Strata.coder, allocation.value)
        sheet = worksheet(con, drawn.sample_id)
    if out:
        audit_worksheet.write(sheet, out)  # headed by column names, so it loads back
    strata_sizes = drawn.claims.group_by("stratum").agg(population=pl.first("stratum_size"), drawn=pl.len()).sort("stratum")
    console.print(_table(
        f"Audit sample {drawn.sample_id}: {len(drawn.claims):,} of {drawn.universe_size:,} claims, seed {seed}",
        ["stratum", "population", "drawn"], strata_sizes.iter_rows(), numeric={"population", "drawn"},
    ))
    if out:
        console.print(f"Worksheet: {out} ({len(sheet):,} codes)")


users_app = typer.Typer(help="Local dashboard accounts (bcrypt-hashed, kept in <db>.users.json or $CLAIMSCOPE_USERS).", no_args_is_help=True)
app.add_typer(users_app, name="users")


class Role(str, Enum):
    manager = "manager"
    biller = "biller"
    auditor = "auditor"
    admin = "admin"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (an e-mail address for OIDC sign-in).")],
    role: Annotated[Role, typer.Option(help="What the user may see: manager, biller, auditor or admin.")],
    db: DbOption,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 12 characters; asked for when omitted.")] = "",
) -> None:
    """Create an account, or reset its role and password.

    Example: claimscope users add dana --role biller --db demo.duckdb
    """
    from etl.access.accounts import AccessError, add_user, users_file

    try:
        add_user(users_file(db), name, role.value, password)
    except AccessError as error:
        _fail(error)
    console.print(f"{name}: {role.value}, saved in {users_file(db)}")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="User name.")], db: DbOption) -> None:
    """Stop an account from signing in (it stays on file for the audit trail).

    Example: claimscope users disable dana --db demo.duckdb
    """
    from etl.access.accounts import AccessError, disable_user, users_file

    try:
        disable_user(users_file(db), name)
    except AccessError as error:
        _fail(error)
    console.print(f"{name}: disabled")


@users_app.command("list")
def users_list(db: DbOption) -> None:
    """Show every account and its role.

    Example: claimscope users list --db demo.duckdb
    """
    from etl.access.accounts import list_users, users_file

    rows = [(user["name"], user["role"], "yes" if user["disabled"] else "", user["changed_at"]) for user in list_users(users_file(db))]
    console.print(_table(str(users_file(db)), ["user", "role", "disabled", "changed"], rows))


@app.command("audit-log")
def audit_log(
    db: DbOption,
    since: Annotated[datetime | None, typer.Option(help="First day to show.", formats=["%Y-%m-%d"])] = None,
    user: Annotated[str | None, typer.Option(help="Only this user's entries.")] = None,
    verify: Annotated[bool, typer.Option("--verify", help="Check the hash chain and its checkpoint instead; exit 1 if broken or cut.")] = False,
) -> None:
    """Show who did what in the dashboard, or check that no entry was altered.

    Example: claimscope audit-log --db demo.duckdb --since 2026-11-01 --user dana
    """
    from etl.access import audit_trail as log

    with database.read_connection(db) as con:
        has_log = "audit_log" in {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        if verify:
            # checked even without the table: a dropped table is a cut tail too when the checkpoint says entries existed
            broken = log.verify(con)
            if broken is not None:
                _fail(f"the audit log breaks at entry {broken.entry_id}: {broken.reason}")
            count = database.scalar(con, "select count(*) from audit_log") if has_log else 0
            console.print(f"Audit log intact: {count:,} entries, every hash and link checks out and the log reaches its "
                          "signed checkpoint.")
            return
        if not has_log:
            console.print(f"{db} has no audit log yet: nobody has used the dashboard on it.")
            return
        rows = log.entries(con, since.date() if since else None, user)
    import polars as pl

    # a reveal can name hundreds of claims: the screen gets the start, the table keeps them all
    shortened = rows.head(200).with_columns(
        pl.when(pl.col(name).str.len_chars() > 60).then(pl.col(name).str.slice(0, 57) + "…").otherwise(pl.col(name)).alias(name)
        for name in ("object_ids", "details")
    )
    console.print(_table(f"Audit log: {len(rows):,} entries", rows.columns, shortened.iter_rows()))


@app.command()
def rebuild(db: DbOption) -> None:
    """Derive the claim ledger and the monthly facts anew from the raw tables.

    The loader keeps them current on its own; rebuild after an upgrade or after editing etl/reference/.

    Example: claimscope rebuild --db demo.duckdb
    """
    from etl import ledger
    from etl.lake_attach import reads_lake

    with database.write_connection(db) as con:
        if reads_lake(con):
            _fail(f"{db} reads its ledger from a Parquet lake: rebuild it there with claimscope spark marts, then attach again")
        ledger.rebuild(con)
        counts = [(name, database.scalar(con, f"select count(*) from {name}")) for name in database.ledger_table_names()]
    console.print(_table(f"Ledger rebuilt: {db}", ["table", "rows"], counts, numeric={"rows"}))


work_app = typer.Typer(help="The biller's work queue: list, assign, set a status or follow-up, add notes and appeals.", no_args_is_help=True)
app.add_typer(work_app, name="work")
ClaimIds = Annotated[list[str], typer.Argument(help="Claim id (CLM01); several for a bulk change.")]


def _work(db: Path, change) -> None:
    """Run one work change on a write connection, refusing with the reason when it cannot be made."""
    from etl.work.items import WorkError

    try:
        with database.write_connection(db) as con:
            console.print(change(con))
    except WorkError as error:
        _fail(error)


@work_app.command("list")
def work_list(
    db: DbOption,
    by: ByOption,
    as_of: AsOfOption = None,
    view: Annotated[str, typer.Option(help="mine, unassigned or team.")] = "team",
    status: Annotated[list[str] | None, typer.Option(help="Status to show; repeat for several. Open statuses when omitted.")] = None,
    owner: Annotated[list[str] | None, typer.Option(help="Owner to show; repeat for several.")] = None,
    aging_bucket: Annotated[list[str] | None, typer.Option(
        help="Aging bucket by date of service, as etl/reference/aging_buckets.csv names it (31-60); repeat for several.")] = None,
    category: Annotated[list[str] | None, typer.Option(
        help="Category as the export's Category column names it: no_response, partial_payment, underpayment or a "
             "denial category such as authorization_referral; repeat for several.")] = None,
    follow_up: Annotated[str, typer.Option(help="any, due (today or overdue), later or none.")] = "any",
    pay_date: Annotated[str, typer.Option(
        help="any, due (past the payer's expected pay date) or not_yet_due.")] = "any",
    sort: Annotated[str, typer.Option(help="priority, balance, deadline, follow_up or age.")] = "priority",
    format: Annotated[WorklistFormat, typer.Option(help="csv, xlsx or a table on screen.")] = WorklistFormat.table,
    out: Annotated[Path | None, typer.Option(help="File to write (csv or xlsx).")] = None,
    payer: PayerOption = None,
) -> None:
    """List the work queue: the worklist with each claim's owner, status, follow-up date and latest appeal.

    The options narrow it as the Work queue page's filters do.

    Example: claimscope work list --db demo.duckdb --view mine --by dana --follow-up due

    Example: claimscope work list --db demo.duckdb --by dana --aging-bucket 120+ --category authorization_referral --pay-date due
    """
    from etl.reports.aging import bucket_order
    from etl.reports.scope import Scope
    from etl.work import exports
    from etl.work.items import OPEN_STATUSES
    from etl.reports.worklist import worklist_rows
    from etl.work.queue import FOLLOW_UPS, PAY_DATES, SORTS, VIEWS, QueueFilters, queue_rows

    for value, allowed, name in ((view, VIEWS, "--view"), (follow_up, FOLLOW_UPS, "--follow-up"),
                                 (pay_date, PAY_DATES, "--pay-date"), (sort, SORTS, "--sort")):
        if value not in allowed:
            _fail(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    day = as_of.date() if as_of else date.today()
    filters = QueueFilters(view=view, statuses=tuple(status or OPEN_STATUSES), owners=tuple(owner or ()),
                           aging_buckets=tuple(aging_bucket or ()), work_categories=tuple(category or ()),
                           follow_up=follow_up, pay_date=pay_date, sort=sort)
    with database.read_connection(db) as con:
        buckets = bucket_order(con)
        if unknown := [bucket for bucket in filters.aging_buckets if bucket not in buckets]:
            _fail(f"--aging-bucket must be one of {', '.join(buckets)}, not {unknown[0]!r}")
        rows = queue_rows(con, day, Scope(payers=tuple(payer or ())), filters, by)
        # a category with no claim today is no error, but a typo must not pass for an empty queue; the whole worklist
        # is read again only for a category the narrowed queue does not show
        if [name for name in filters.work_categories if name not in rows["work_category"]]:
            worklist = worklist_rows(con, day, Scope(payers=tuple(payer or ())))
            present = sorted(worklist["work_category"].drop_nulls().unique().to_list())
            if absent := [name for name in filters.work_categories if name not in present]:
                errors.print(f"No claim on the worklist has category {', '.join(map(repr, absent))}; "
                             f"the categories on it now: {', '.join(present) or 'none'}")
    if format is WorklistFormat.table:
        shown = ["claim_id", "owner_name", "status", "follow_up_date", "balance_amount", "priority_score", "next_action"]
        console.print(_table(f"Work queue as of {day} ({VIEWS[view]}): {len(rows):,} claims", shown,
                             rows.head(50).select(shown).iter_rows(), {"balance_amount", "priority_score"}))
    elif out is None:
        _fail("--out is required for csv and xlsx")
    else:
        exports.write(exports.queue_export(rows, phi=False), out, "work_queue")
        console.print(f"{len(rows):,} claims written to {out}")


@work_app.command("assign")
def work_assign(
    claim_ids: ClaimIds, db: DbOption, by: ByOption,
    to: Annotated[str | None, typer.Option("--to", help="The user to assign to; omit to unassign.")] = None,
) -> None:
    """Assign claims to a user, or unassign them.

    Example: claimscope work assign RS00000123 RS00000456 --to dana --db demo.duckdb
    """
    from etl.access.accounts import users_file
    from etl.work.items import Actor, assign, assignable_users

    _work(db, lambda con: f"{assign(con, claim_ids, to, Actor(by, None), assignable_users(users_file(db)))} claim(s) "
                          f"{'assigned to ' + to if to else 'unassigned'}")


@work_app.command("status")
def work_status(
    claim_ids: ClaimIds,
    status: Annotated[str, typer.Option(help="new, in_progress, waiting_on_payer, appealed, resolved or written_off.")],
    db: DbOption, by: ByOption,
    follow_up: Annotated[datetime | None, typer.Option(help="Also set the follow-up date.", formats=["%Y-%m-%d"])] = None,
) -> None:
    """Set the status (and optionally the follow-up date) of claims.

    Example: claimscope work status RS00000123 --status waiting_on_payer --follow-up 2026-12-15 --db demo.duckdb
    """
    from etl.work.items import Actor, set_follow_up, set_status

    def change(con):
        changed = set_status(con, claim_ids, status, Actor(by, None))
        if follow_up:
            set_follow_up(con, claim_ids, follow_up.date(), Actor(by, None))
        return f"{changed} claim(s) now {status}" + (f", follow up on {follow_up.date()}" if follow_up else "")
    _work(db, change)


@work_app.command("note")
def work_note(
    claim_id: Annotated[str, typer.Argument(help="Claim id (CLM01).")],
    text: Annotated[str, typer.Argument(help="The note; it is stored, never logged.")],
    db: DbOption, by: ByOption,
) -> None:
    """Add a note to a claim's work item.

    Example: claimscope work note RS00000123 "Called Aetna, reprocessing in 10 days" --db demo.duckdb
    """
    from etl.work.items import Actor, add_note

    _work(db, lambda con: f"note {add_note(con, claim_id, text, Actor(by, None))} added to {claim_id}")


@work_app.command("appeal")
def work_appeal(
    claim_id: Annotated[str, typer.Argument(help="Claim id (CLM01) of a denied claim.")],
    db: DbOption, by: ByOption,
    level: Annotated[str, typer.Option(help="first, second or external.")] = "first",
    sent: Annotated[datetime | None, typer.Option(help="Date the appeal was sent; today when omitted.", formats=["%Y-%m-%d"])] = None,
) -> None:
    """Record an appeal sent on a denied claim; its decision is due after the payer's appeal_decision_days.

    Example: claimscope work appeal RS00000123 --level first --sent 2026-11-20 --db demo.duckdb
    """
    from etl.work.appeals import record_appeal
    from etl.work.items import Actor

    _work(db, lambda con: f"appeal {record_appeal(con, claim_id, level, sent.date() if sent else date.today(), Actor(by, None))} "
                          f"recorded on {claim_id}")


@work_app.command("outcome")
def work_outcome(
    appeal_id: Annotated[int, typer.Argument(help="The appeal's id (`claimscope work appeal` prints it).")],
    outcome: Annotated[str, typer.Option(help="overturned, partially_overturned or upheld.")],
    db: DbOption, by: ByOption,
    decided: Annotated[datetime | None, typer.Option(help="Date of the decision; today when omitted.", formats=["%Y-%m-%d"])] = None,
) -> None:
    """Set an appeal's outcome by hand (from a letter or the payer's portal); it then stands over what the 835s say.

    Example: claimscope work outcome 3 --outcome upheld --decided 2026-12-10 --db demo.duckdb
    """
    from etl.work.appeals import set_outcome
    from etl.work.items import Actor

    day = decided.date() if decided else date.today()
    _work(db, lambda con: set_outcome(con, appeal_id, outcome, day, Actor(by, None)) or f"appeal {appeal_id}: {outcome} on {day}")


reference_app = typer.Typer(help="The CARC and RARC code lists the loader checks codes against.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")


class CodeList(str, Enum):
    carc = "carc"
    rarc = "rarc"


@reference_app.command("update")
def reference_update(
    code_list: Annotated[CodeList, typer.Argument(help="Which list the file holds.")],
    path: Annotated[Path, typer.Argument(help="CSV with code, description, start_date, stop_date (YYYY-MM-DD; blank for none).", exists=True, dir_okay=False)],
    db: DbOption,
) -> None:
    """Load a newer CARC or RARC list; its codes and dates outrank the shipped list's, and every version is kept.

    X12 republishes both lists three times a year. A code the list lacks still loads, as a warning ("unknown code");
    a code used outside its start and stop dates is a warning too.

    Example: claimscope reference update carc carc-2027-03.csv --db demo.duckdb
    """
    from etl import code_lists

    with database.write_connection(db) as con:
        try:
            version_id, count = code_lists.update(con, code_list.value, path)
        except LoadError as error:
            _fail(error)
    console.print(f"{code_list.value.upper()} list version {version_id} loaded from {path}: {count:,} codes.")


@reference_app.command("versions")
def reference_versions(db: DbOption) -> None:
    """List the code list versions loaded, newest first, with the file each came from.

    Example: claimscope reference versions --db demo.duckdb
    """
    from etl import code_lists

    with database.read_connection(db) as con:
        rows = code_lists.versions(con)
    console.print(_table("Code list versions (the shipped lists are version 0)", ["version", "list", "source", "loaded at", "codes"], rows, numeric={"codes"}))


@app.command()
def export(
    parquet: Annotated[Path, typer.Option(help="Lake folder to write: new, empty, or this database's lake from an earlier export.",
                                          file_okay=False)],
    db: DbOption,
    by: ByOption,
) -> None:
    """Export the contract and ledger tables as a Parquet lake, a folder per month and payer; again, only what changed.

    The lake holds patient data as the database does: its files are readable by your user only.

    Example: claimscope export --parquet lake --db demo.duckdb
    """
    from etl.access import audit_trail
    from etl.lake import LakeError, export_lake

    try:
        result = export_lake(db, parquet)
    except LakeError as error:
        _fail(error)
    with database.write_connection(db) as con:  # a copy of the patient data left the database: who, where, which data
        audit_trail.record(con, by, None, "export", [str(parquet)],
                           {"format": "parquet", "export_number": result.export_number, "data_hash": result.data_hash})
    console.print(f"Export {result.export_number} to {parquet}: {len(result.files_written):,} files written, "
                  f"{len(result.files_removed):,} removed; {sum(result.row_counts.values()):,} rows, data hash {result.data_hash[:16]}")


spark_app = typer.Typer(help="claimscope on Apache Spark (the spark extra, Java 17): files into a Parquet lake, and its ledger.",
                        no_args_is_help=True)
app.add_typer(spark_app, name="spark")
MasterOption = Annotated[str | None, typer.Option(help="Spark master URL: local[N] here, or a cluster's (spark://..., yarn).")]


@spark_app.command("load")
def spark_load(
    paths: Annotated[list[str], typer.Argument(help="835, 837 or CSV files, folders, or quoted globs, readable by every executor.")],
    lake: Annotated[Path, typer.Option(help="Lake folder: new, or one spark load or export wrote.", file_okay=False)],
    key: Annotated[Path | None, typer.Option(help="Patient key file (a database's <db>.key); else $CLAIMSCOPE_PATIENT_KEY.",
                                             exists=True, dir_okay=False)] = None,
    master: MasterOption = "local[2]",
    strict: Annotated[bool, typer.Option(help="Reject X12 sets whose envelope counts or control numbers are off.")] = False,
) -> None:
    """Parse and check files on Spark, a task per batch of files, and add their rows to a Parquet lake.

    The same parsers and Great Expectations suites as `claimscope load` (run through GX's Spark datasource); bad
    records go to the lake's quarantine table, and a file already in the lake (same sha256) is skipped.
    Exits 1 when any record was quarantined or any file rejected (the rest still load).

    Example: claimscope spark load data_samples/ --lake lake --key demo.duckdb.key --master 'local[2]'
    """
    from etl.lake import LakeError
    from etl.spark.intake import load_files_spark
    from etl.spark.session import spark_session

    try:
        result = load_files_spark(spark_session(master), paths, lake, key, strict=strict)
    except LakeError as error:
        _fail(error)
    console.print(_summary_table(result.files))
    console.print(f"{sum(result.rows_added.values()):,} rows added to {lake}"
                  + (f" (export {result.export_number})" if result.export_number else ": nothing new"))
    for item in result.files:
        if item.message and item.status != "skipped":
            typer.echo(f"{item.path}: {item.status}: {item.message}", err=True)
    if not all(item.is_clean for item in result.files):
        raise typer.Exit(code=1)


@spark_app.command("marts")
def spark_marts(
    lake: Annotated[Path, typer.Option(help="Lake folder that spark load or export wrote.", exists=True, file_okay=False)],
    master: MasterOption = "local[2]",
) -> None:
    """Derive the ledger on Spark from the lake's claims and remittances, with the same SQL as the loader, into the lake.

    The ledger and marts SQL of sql/ is transpiled to Spark SQL (etl/spark/transpile.py); `claimscope attach` then
    serves the lake to the dashboard.

    Example: claimscope spark marts --lake lake --master 'local[2]'
    """
    from etl.lake import LakeError
    from etl.spark.marts import build_ledger
    from etl.spark.session import spark_session

    try:
        counts = build_ledger(spark_session(master), lake)
    except LakeError as error:
        _fail(error)
    console.print(_table(f"Ledger built on Spark: {lake}", ["table", "rows"], sorted(counts.items()), numeric={"rows"}))


@app.command()
def attach(
    lake: Annotated[Path, typer.Argument(help="Parquet lake written by claimscope spark load and spark marts, or by export.",
                                         exists=True, file_okay=False)],
    db: DbOption,
) -> None:
    """Point a database at a Parquet lake: its claims, remittances and ledger are read from the lake's files.

    Work items, appeals, audit samples, accounts and the audit log stay in the database, so the dashboard runs on it
    unchanged. Attach again after each Spark run to read its new files. Files are loaded into the lake, not into it.

    Example: claimscope attach lake --db lake.duckdb
    """
    from etl.lake import LakeError
    from etl.lake_attach import attach_lake

    try:
        attached = attach_lake(lake, db)
    except LakeError as error:
        _fail(error)
    rows = sorted(attached.tables.items())
    note = "; the lake has no ledger, so it was derived here" if attached.ledger_derived_here else ""
    console.print(_table(f"{db} reads {lake}{note}", ["table", "rows"], rows, numeric={"rows"}))


@app.command()
def tables(
    db: DbOption,
    lake: Annotated[Path | None, typer.Option(help="Read this Parquet lake (claimscope export --parquet) instead of the database.",
                                              exists=True, file_okay=False)] = None,
) -> None:
    """Show the row count of every contract table, or of every table of a Parquet lake.

    Example: claimscope tables --db demo.duckdb

    Example: claimscope tables --lake lake
    """
    if lake is None:
        with database.read_connection(db) as con:
            counts = database.row_counts(con)
    else:
        from etl.lake import LakeError, lake_row_counts

        try:
            counts = lake_row_counts(lake)
        except LakeError as error:
            _fail(error)
    console.print(_table(str(lake or db), ["table", "rows"], counts, numeric={"rows"}))


if __name__ == "__main__":
    app()
