"""`python -m <service> api|worker|rebuild`: the same command line for every service."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from typing import Any

from vet_common.leader import LeaderBusy, take_worker_lead
from vet_common.logs import configure_logging
from vet_common.service import ServiceDefinition
from vet_common.settings import Settings

REFUSED = 3  # exit code of a rebuild refused because a worker leads (nothing changed)


def run(definition: ServiceDefinition, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {definition.name}", description=definition.title)
    parser.add_argument(
        "role",
        choices=["api", "worker", "rebuild", "verify", *definition.commands],
        help="api | worker | rebuild (read models from the event store) | verify (read models against a replay)"
        + "".join(f" | {name}" for name in definition.commands),
    )
    args, rest = parser.parse_known_args(argv)
    settings = Settings.for_service(definition.name)
    configure_logging(settings.log_level)
    if args.role in definition.commands:
        return definition.commands[args.role](settings, rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")

    if args.role == "api":
        serve_api(definition, settings)
    elif args.role == "worker":
        from vet_common.worker import main

        main(definition, settings)
    elif args.role == "rebuild":
        try:
            count = asyncio.run(rebuild(definition, settings))
        except LeaderBusy as refused:
            print(f"error: {refused}", file=sys.stderr)
            return REFUSED
        print(f"{definition.name}: replayed {count} events into fresh read models")
    else:
        differences = asyncio.run(verify(definition, settings))
        for line in differences:
            print(line)
        if differences:
            print(f"{definition.name}: read models differ from a full replay; run `vet rebuild {definition.name}`")
            return 1
        print(f"{definition.name}: read models equal a full replay of the event store")
    return 0


def serve_api(definition: ServiceDefinition, settings: Settings) -> None:
    import uvicorn

    from vet_common.api import create_api

    options: dict[str, Any] = {
        "host": settings.api_host,
        "port": settings.effective_api_port,
        "log_level": settings.log_level.lower(),
    }
    if settings.api_workers == 1:
        uvicorn.run(create_api(definition, settings), **options)
        return
    # uvicorn's worker processes build the app themselves, from its name: the service comes from VET_SERVICE.
    os.environ["VET_SERVICE"] = definition.name
    uvicorn.run("vet_common.entrypoint:api_of_service", factory=True, workers=settings.api_workers, **options)


def api_of_service() -> Any:
    """The api of the service VET_SERVICE names (in each of uvicorn's worker processes)."""
    from vet_common.api import create_api

    settings = Settings()
    configure_logging(settings.log_level)
    definition = importlib.import_module(f"{settings.service}.service").definition
    return create_api(definition, settings)


async def rebuild(definition: ServiceDefinition, settings: Settings, show_progress: bool = True) -> int:
    """Drop and replay the read models as the service's leader: LeaderBusy (before anything is touched) while a
    worker leads, and a worker started meanwhile waits as a standby until the replay is done."""
    lock = await asyncio.to_thread(take_worker_lead, settings, f"vet rebuild {definition.name}")
    try:
        return await _replay(definition, settings, show_progress)
    finally:
        lock.release()


async def _replay(definition: ServiceDefinition, settings: Settings, show_progress: bool) -> int:
    from vet_common.projector import Projector
    from vet_common.service import mongo_client, read_model_db

    application = await asyncio.to_thread(definition.application_class, settings)
    client = mongo_client(settings)
    try:
        projector = Projector(application, read_model_db(client, settings), definition.projection_factory(application))
        return await projector.rebuild(show_progress=show_progress and sys.stderr.isatty())
    finally:
        await client.close()
        application.close()


async def verify(definition: ServiceDefinition, settings: Settings, show_progress: bool = True) -> list[str]:
    """Replay everything into a scratch database and compare it with the live read models."""
    from vet_common.projector import CHECKPOINTS, Projector
    from vet_common.service import mongo_client, read_model_db

    application = await asyncio.to_thread(definition.application_class, settings)
    client = mongo_client(settings)
    live = read_model_db(client, settings)
    scratch = client[f"{live.name}__verify"]
    try:
        projector = Projector(application, scratch, definition.projection_factory(application))
        await projector.rebuild(show_progress=show_progress and sys.stderr.isatty())
        # Only what the live projector has reached can be compared.
        checkpoint = await live[CHECKPOINTS].find_one({"_id": "projector"})
        replayed = await scratch[CHECKPOINTS].find_one({"_id": "projector"})
        differences = []
        if (checkpoint or {}).get("position") != (replayed or {}).get("position"):
            differences.append(
                f"live projector is at {(checkpoint or {}).get('position')}, the log at "
                f"{(replayed or {}).get('position')}: wait for the worker to catch up, then verify again"
            )
        names = set(await live.list_collection_names()) | set(await scratch.list_collection_names())
        for name in sorted(names - {CHECKPOINTS}):
            expected = await scratch[name].find({}, sort=[("_id", 1)]).to_list()
            actual = await live[name].find({}, sort=[("_id", 1)]).to_list()
            if expected != actual:
                differences.append(f"{name}: {len(actual)} live documents differ from {len(expected)} replayed")
        return differences
    finally:
        await client.drop_database(scratch.name)
        await client.close()
        application.close()
