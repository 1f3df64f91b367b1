"""The local-stack commands of `vet` (`up`, `down`, `status`, `demo`).

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


def demo(
    people: Annotated[int, typer.Option(help="How many people (spread over the townships)")] = 1000,
    townships: Annotated[int, typer.Option(help="In how many of 鼓楼区's ten townships")] = 10,
) -> None:
    """Load a county's worth of demo data (鼓楼区 350102) through the running platform's APIs; once only."""
    from vet_devtools.demo import DemoRefused, DemoSize, load_demo

    try:
        counts = load_demo(DemoSize(people=people, townships=townships), say=typer.echo)
    except (DemoRefused, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo("演示数据已加载：" + "，".join(f"{what} {n}" for what, n in counts.items()))
    typer.echo(
        "控制台：http://127.0.0.1:8100/ （王站长 = 鼓东街道服务站，郑科长 = 鼓楼区业务科室，吴局长 = 鼓楼区审批）"
    )


COMMANDS = (up, down, status, demo)

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
