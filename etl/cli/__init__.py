"""The `claimscope` command line: thin wrappers over the etl library, a module per group of commands."""

import typer

from etl.cli import loading, reference, reports, spark, storage, users, work
from etl.cli.options import ClearFailures, console, errors

app = typer.Typer(help="claimscope: denial and payment analytics for medical billing.", no_args_is_help=True, cls=ClearFailures)
# `claimscope --help` lists the commands in this order: the top-level ones, then each sub-app
app.add_typer(loading.app)
app.add_typer(reports.app)
app.add_typer(storage.app)
app.add_typer(users.app, name="users")
app.add_typer(work.app, name="work")
app.add_typer(reference.app, name="reference")
app.add_typer(spark.app, name="spark")

__all__ = ["app", "console", "errors"]
