"""`vet backup` and `vet restore`: the registry's event store backed up while it holds people, restored into a
fresh store (SQLite file or PostgreSQL database), and the read models rebuilt from it equal the original's."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pymongo import MongoClient

from registry.application import RegistryApplication
from registry.domain import Registration
from registry.service import definition
from vet_common.backup import BackupError, backup, notifications, restore
from vet_common.domain import Actor
from vet_common.entrypoint import rebuild
from vet_common.idnumber import make_id_number
from vet_common.settings import Settings

pytestmark = pytest.mark.integration
STAFF = Actor(sub="s1", role="station_staff")


def store(kind: str, postgres_url: str, tmp_path: Path, mongo_url: str) -> Settings:
    """A fresh, empty registry event store of `kind`, with read models in a database of its own."""
    overrides: dict[str, Any] = {"data_dir": tmp_path / uuid.uuid4().hex[:6], "mongo_url": mongo_url}
    overrides["read_model_db"] = f"backup_{uuid.uuid4().hex[:8]}"
    if kind == "postgres":
        name = f"restore_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        overrides["eventstore_url"] = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    return Settings.for_service("registry", **overrides)


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def register_people(settings: Settings, count: int) -> None:
    registry = RegistryApplication(settings)
    try:
        for n in range(count):
            registry.register_person(
                Registration(
                    id_number=make_id_number("350102", date(1950, 1, 1 + n), n, "male"),
                    name=f"测试{n}",
                    sex="male",
                    birth_date=date(1950, 1, 1 + n),
                    region="350102001001",
                    categories=["discharged_soldier"],
                ),
                STAFF,
            )
    finally:
        registry.close()


def read_models(settings: Settings) -> dict[str, list[Any]]:
    with MongoClient(settings.mongo_url) as client:
        db = client[settings.read_model_db_name]
        return {
            name: list(db[name].find({}, {"_id": 1, "version": 1}, sort=[("_id", 1)]))
            for name in sorted(db.list_collection_names())
        }


def test_a_backup_restored_into_a_fresh_store_gives_the_same_figures(
    kind: str, postgres_url: str, mongo_url: str, tmp_path: Path
) -> None:
    original = store(kind, postgres_url, tmp_path, mongo_url)
    register_people(original, 5)
    asyncio.run(rebuild(definition, original, show_progress=False))
    manifest = backup({"registry": original}, tmp_path / "backup")
    assert manifest["services"]["registry"]["notifications"] == notifications(original) > 0

    fresh = store(kind, postgres_url, tmp_path, mongo_url)
    assert restore({"registry": fresh}, tmp_path / "backup") == {"registry": notifications(original)}
    asyncio.run(rebuild(definition, fresh, show_progress=False))
    assert read_models(fresh) == read_models(original)
    assert read_models(fresh)["persons"]

    # A restore never overwrites a store that holds events; nor is a backup written over an old one.
    with pytest.raises(BackupError, match="already holds events"):
        restore({"registry": fresh}, tmp_path / "backup")
    with pytest.raises(BackupError, match="not empty"):
        backup({"registry": original}, tmp_path / "backup")
