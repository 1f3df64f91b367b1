"""`python -m <service> api|worker|rebuild`: the same command line for every service."""

from __future__ import annotations

import argparse
import asyncio
import sys

from vet_common.logs import configure_logging
from vet_common.service import ServiceDefinition
from vet_common.settings import Settings


def run(definition: ServiceDefinition, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {definition.name}", description=definition.title)
    parser.add_argument("role", choices=["api", "worker", "rebuild"], help="process to run")
    args = parser.parse_args(argv)
    settings = Settings.for_service(definition.name)
    configure_logging(settings.log_level)

    if args.role == "api":
        import uvicorn

        from vet_common.api import create_api

        uvicorn.run(
            create_api(definition, settings),
            host=settings.api_host,
            port=settings.effective_api_port,
            log_level=settings.log_level.lower(),
        )
    elif args.role == "worker":
        from vet_common.worker import main

        main(definition, settings)
    else:
        count = asyncio.run(rebuild(definition, settings))
        print(f"{definition.name}: replayed {count} events into fresh read models")
    return 0


async def rebuild(definition: ServiceDefinition, settings: Settings, show_progress: bool = True) -> int:
    from vet_common.projector import Projector
    from vet_common.service import mongo_client, read_model_db

    application = await asyncio.to_thread(definition.application_class, settings)
    client = mongo_client(settings)
    try:
        projector = Projector(application, read_model_db(client, settings), definition.projection_factory())
        return await projector.rebuild(show_progress=show_progress and sys.stderr.isatty())
    finally:
        await client.close()
        application.close()
