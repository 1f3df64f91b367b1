"""The local-stack commands of `vet` (`up`, `down`, `status`).

They live here, not in vet_common, so that a service's runtime install does not carry the stack; `vet_common.cli`
adds them to its `vet` app whenever vet-devtools is installed (the repository's dev environment), in front of the
operator commands, as `vet --help` has always listed them.
"""

from __future__ import annotations

from typing import Annotated

import typer


def up(
    infra_only: Annotated[
        bool, typer.Option("--infra-only", help="Start only Kafka and SecantusDB, not the services.")
    ] = False,
) -> None:
    """Start the whole local stack in the background and wait until every health check passes."""
    from vet_devtools import stack

    raise typer.Exit(stack.up(with_services=not infra_only))


def down() -> None:
    """Stop exactly what `vet up` started."""
    from vet_devtools import stack

    raise typer.Exit(stack.down())


def status() -> None:
    """Show what of the local stack runs."""
    from vet_devtools import stack

    raise typer.Exit(stack.status())


COMMANDS = (up, down, status)

federation = typer.Typer(help="A city's deployment and the province's, joined by MirrorMaker 2 (one machine).")


@federation.command("up")
def federation_up() -> None:
    """Start both deployments and the mirror between them; print their addresses."""
    from vet_devtools.stack import federation as stack

    raise typer.Exit(stack.up())


@federation.command("down")
def federation_down() -> None:
    """Stop what `vet federation up` started."""
    from vet_devtools.stack import federation as stack

    raise typer.Exit(stack.down())


def register(app: typer.Typer) -> None:
    """Add the local-stack commands to `app` (the `vet` app of vet_common.cli)."""
    for command in COMMANDS:
        app.command()(command)
    app.add_typer(federation, name="federation")
