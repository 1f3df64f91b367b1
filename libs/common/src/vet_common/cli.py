"""`vet`: operator commands for the services, and the local stack's (`up`, `down`, `status`) from vet-devtools."""

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


def _add_devtools_commands(app: typer.Typer) -> None:
    """The local-stack commands (`up`, `down`, `status`) come from vet-devtools, when it is installed.

    vet-devtools is the development install (the repository's dev environment); a service's runtime install has
    only the operator commands below. This is the one place vet_common refers to vet_devtools.
    """
    try:
        from vet_devtools.cli import register
    except ModuleNotFoundError as exc:
        if exc.name != "vet_devtools":
            raise
        return
    register(app)


_add_devtools_commands(app)


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


@app.command("verify-archive")
def verify_archive() -> None:
    """Check reporting's audit archive (its hash chain and seals) and say where it was altered."""
    _run_service_command("reporting", "verify-archive")


@app.command("migrate-enrolment-roll")
def migrate_enrolment_roll() -> None:
    """Enter assistance's enrolments stored before the payroll roll in it, once (a second run changes nothing)."""
    _run_service_command("assistance", "migrate-enrolment-roll")


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


@app.command("backup")
def backup_stores(
    directory: Annotated[str, typer.Argument(help="An empty or new folder to write the backup into")],
) -> None:
    """Copy every service's event store into DIRECTORY (consistently, while the services run)."""
    from pathlib import Path

    from vet_common.backup import BackupError, backup

    try:
        manifest = backup({s: Settings.for_service(s) for s in SERVICES}, Path(directory))
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for service, entry in manifest["services"].items():
        typer.echo(f"{service}: {entry['notifications']} notifications ({entry['store']}) -> {entry['file']}")


@app.command("restore")
def restore_stores(
    directory: Annotated[str, typer.Argument(help="A folder `vet backup` wrote")],
    rebuild_read_models: Annotated[
        bool, typer.Option("--rebuild/--no-rebuild", help="Rebuild every read model from the restored stores")
    ] = True,
) -> None:
    """Put the event stores of DIRECTORY in place (into empty stores only), then rebuild the read models."""
    from pathlib import Path

    from vet_common.backup import BackupError, restore

    try:
        restored = restore({s: Settings.for_service(s) for s in SERVICES}, Path(directory))
    except BackupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    for service, count in restored.items():
        typer.echo(f"{service}: {count} notifications restored")
        if rebuild_read_models:
            proc = subprocess.run([sys.executable, "-m", service, "rebuild"], env=os.environ.copy(), check=False)
            if proc.returncode != 0:
                raise typer.Exit(proc.returncode)


if __name__ == "__main__":
    app()
