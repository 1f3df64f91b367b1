"""`python -m console [web]`: the staff console on VET_CONSOLE_PORT (8100)."""

import sys

import uvicorn

from console.app import create_app
from console.settings import ConsoleSettings
from vet_common.settings import Settings


def main(argv: list[str]) -> int:
    if argv and argv[0] not in ("web",):
        print("usage: python -m console [web]", file=sys.stderr)
        return 2
    settings = ConsoleSettings()
    # The console verifies and (in development) signs tokens; it stores no events, so it needs no cipher key.
    platform = Settings(cipher_key="the-console-stores-no-events")
    uvicorn.run(create_app(settings, platform), host=settings.host, port=settings.port, log_level="info")
    return 0


sys.exit(main(sys.argv[1:]))
