"""Settings: working local defaults, and production refuses to start without real secrets."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from vet_common.settings import DEV_CIPHER_KEY, Environment, Settings

REAL_KEY = base64.b64encode(b"k" * 32).decode()


def test_production_refuses_to_start_without_a_cipher_key() -> None:
    with pytest.raises(ValidationError, match="VET_CIPHER_KEY"):
        Settings(env=Environment.production, jwt_secret="s" * 40)
    with pytest.raises(ValidationError, match="VET_CIPHER_KEY"):
        Settings(env=Environment.production, jwt_secret="s" * 40, cipher_key=DEV_CIPHER_KEY)


def test_production_with_real_secrets_starts_and_encrypts_with_that_key() -> None:
    settings = Settings(env=Environment.production, jwt_secret="s" * 40, cipher_key=REAL_KEY)
    assert settings.eventsourcing_env()["CIPHER_KEY"] == REAL_KEY


def test_development_defaults_give_each_service_its_port_store_and_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VET_API_PORT", raising=False)
    settings = Settings.for_service("assistance")
    assert settings.effective_api_port == 8103
    assert settings.worker_port == 8113
    assert settings.eventsourcing_env()["PERSISTENCE_MODULE"] == "vet_common.sqliterecorder:Factory"
    assert settings.topic("registry") == "vet.registry.v1"
    postgres = Settings.for_service("assistance", eventstore_url="postgresql://u:p%40ss@db:5433/vet")
    env = postgres.eventsourcing_env()
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_PASSWORD"], env["POSTGRES_SCHEMA"]) == (
        "db",
        "5433",
        "p@ss",
        "assistance",
    )
