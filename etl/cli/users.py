"""`claimscope users`: the dashboard's local accounts."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from etl.cli.options import DbOption, console, fail, table

app = typer.Typer(help="Local dashboard accounts (argon2id-hashed, kept in <db>.users.json or $CLAIMSCOPE_USERS).", no_args_is_help=True)


class Role(str, Enum):
    manager = "manager"
    biller = "biller"
    auditor = "auditor"
    admin = "admin"


@app.command("add")
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
        fail(error)
    console.print(f"{name}: {role.value}, saved in {users_file(db)}")


@app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="User name.")], db: DbOption) -> None:
    """Stop an account from signing in (it stays on file for the audit trail).

    Example: claimscope users disable dana --db demo.duckdb
    """
    from etl.access.accounts import AccessError, disable_user, users_file

    try:
        disable_user(users_file(db), name)
    except AccessError as error:
        fail(error)
    console.print(f"{name}: disabled")


@app.command("list")
def users_list(db: DbOption) -> None:
    """Show every account and its role.

    Example: claimscope users list --db demo.duckdb
    """
    from etl.access.accounts import list_users, users_file

    rows = [(user["name"], user["role"], "yes" if user["disabled"] else "", user["changed_at"]) for user in list_users(users_file(db))]
    console.print(table(str(users_file(db)), ["user", "role", "disabled", "changed"], rows))
