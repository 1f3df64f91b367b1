"""`vet`: operator commands for the local stack and the services."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer

from vet_common.settings import SERVICES, Settings

app = typer.Typer(
    help="Veterans-affairs platform: run the local stack, issue development tokens, rebuild read models.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def up(
    infra_only: Annotated[
        bool, typer.Option("--infra-only", help="Start only Kafka and SecantusDB, not the services.")
    ] = False,
) -> None:
    """Start the whole local stack in the background and wait until every health check passes."""
    from vet_devtools import stack

    raise typer.Exit(stack.up(with_services=not infra_only))


@app.command()
def down() -> None:
    """Stop exactly what `vet up` started."""
    from vet_devtools import stack

    raise typer.Exit(stack.down())


@app.command()
def status() -> None:
    """Show what of the local stack runs."""
    from vet_devtools import stack

    raise typer.Exit(stack.status())


@app.command()
def token(
    sub: Annotated[str, typer.Option("--sub", help="Subject (user id).")],
    role: Annotated[list[str], typer.Option("--role", help="Role; repeat for several.")],
    region: Annotated[str, typer.Option("--region", help="Jurisdiction: a 12-digit region code (prefix).")],
    name: Annotated[str | None, typer.Option("--name", help="Display name (default: the subject).")] = None,
) -> None:
    """Print a signed development token, and nothing else."""
    from vet_common.auth import issue_token

    try:
        settings = Settings()
        jwt = issue_token(settings, sub=sub, name=name or sub, roles=list(role), region=region)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(jwt)


def _run_service_command(service: str, command: str, *args: str) -> None:
    if service not in SERVICES:
        typer.echo(f"error: unknown service {service!r}; choose one of {', '.join(SERVICES)}", err=True)
        raise typer.Exit(2)
    proc = subprocess.run([sys.executable, "-m", service, command, *args], env=os.environ.copy(), check=False)
    raise typer.Exit(proc.returncode)


@app.command()
def rebuild(service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")]) -> None:
    """Drop SERVICE's read models and rebuild them by replaying its event store."""
    _run_service_command(service, "rebuild")


@app.command()
def verify(service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")]) -> None:
    """Compare SERVICE's read models with a full replay of its event store."""
    _run_service_command(service, "verify")


@app.command("import")
def import_roster(
    file: Annotated[str, typer.Argument(help="Roster as .xlsx or .csv (template: GET /imports/template.xlsx)")],
    region: Annotated[str, typer.Option(help="Jurisdiction every row must belong to, e.g. 350102")],
    actor: Annotated[str, typer.Option(help="Who is importing (recorded with every record)")] = "cli",
    rejected: Annotated[str | None, typer.Option(help="Write the rejected rows to this .xlsx")] = None,
) -> None:
    """Import a roster into the registry with a progress bar; re-importing registers nobody twice."""
    args = [file, "--region", region, "--actor", actor, *(["--rejected", rejected] if rejected else [])]
    _run_service_command("registry", "import", *args)


if __name__ == "__main__":
    app()
