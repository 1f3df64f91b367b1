"""`vet backup DIR` and `vet restore DIR`: every service's event store, copied consistently, and put back.

The event stores are the record; read models are rebuilt from them after a restore (`vet rebuild`), so they
are not backed up. SQLite files are copied with SQLite's online backup (a consistent copy while the services
write); PostgreSQL schemas with `pg_dump` (one consistent snapshot per schema) and restored with `pg_restore`.
`manifest.json` says what was copied and how many notifications each store held, which a restore checks.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vet_common.settings import Settings

MANIFEST = "manifest.json"


class BackupError(Exception):
    """What went wrong, in words an operator can act on."""


def notifications(settings: Settings) -> int:
    """The highest notification id in a service's event store (0 when empty)."""
    import importlib

    # The service's own application class: its name is part of the event store's table names.
    definition = importlib.import_module(f"{settings.service}.service").definition
    application = definition.application_class(settings)
    try:
        return application.process_recorder.max_notification_id() or 0
    finally:
        application.close()


def sqlite_path(settings: Settings) -> Path:
    return Path(settings.eventsourcing_env()["SQLITE_DBNAME"])


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
        if not candidates:
            raise BackupError(f"{name} is needed for a PostgreSQL event store: install postgresql-client")
        found = str(candidates[0])
    return found


def backup(services: dict[str, Settings], directory: Path) -> dict[str, Any]:
    """Copy each service's event store into `directory` (created; must be empty) and write the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new folder")
    manifest: dict[str, Any] = {"created_at": datetime.now(UTC).isoformat(), "services": {}}
    for service, settings in services.items():
        count = notifications(settings)
        if settings.uses_postgres:
            target = directory / f"{service}.dump"
            run(
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    f"--schema={service}",
                    f"--file={target}",
                    settings.eventstore_url,
                ]
            )
            kind = "postgresql"
        else:
            source = sqlite_path(settings)
            target = directory / f"{service}.sqlite"
            if source.is_file():
                with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
                    live.backup(copy)  # consistent while the service keeps writing
            kind = "sqlite"
        manifest["services"][service] = {"store": kind, "file": target.name, "notifications": count}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def restore(services: dict[str, Settings], directory: Path) -> dict[str, int]:
    """Put each service's backed-up event store in place; refuses to overwrite a store that holds events."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: is it a folder `vet backup` wrote?")
    manifest = json.loads(manifest_path.read_text())
    restored: dict[str, int] = {}
    for service, entry in manifest["services"].items():
        settings = services.get(service)
        if settings is None:
            continue
        if notifications(settings):
            raise BackupError(
                f"{service}'s event store already holds events: restore into an empty store (a new data "
                "directory or database), never over a live one"
            )
        source = directory / entry["file"]
        if entry["store"] == "postgresql":
            if not settings.uses_postgres:
                raise BackupError(f"{service} was backed up from PostgreSQL: set VET_EVENTSTORE_URL to restore it")
            # The emptiness check created empty tables: --clean replaces them (the store held no events).
            run(
                [
                    pg_tool("pg_restore"),
                    "--no-owner",
                    "--clean",
                    "--if-exists",
                    f"--dbname={settings.eventstore_url}",
                    str(source),
                ]
            )
        else:
            if settings.uses_postgres:
                raise BackupError(f"{service} was backed up from SQLite: unset VET_EVENTSTORE_URL to restore it")
            target = sqlite_path(settings)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # an empty store the service created on start
            if source.is_file():
                with sqlite3.connect(source) as copy, sqlite3.connect(target) as fresh:
                    copy.backup(fresh)
        count = notifications(settings)
        if count != entry["notifications"]:
            raise BackupError(f"{service}: restored {count} notifications, the backup says {entry['notifications']}")
        restored[service] = count
    return restored


def run(argv: list[str]) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {proc.stderr.strip()[-500:]}")
