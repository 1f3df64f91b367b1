"""docker-compose.yml cannot run here: check that everything it names exists in the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from console.settings import CONSOLE_PORT, ConsoleSettings
from vet_common.settings import DEFAULT_API_PORTS, SERVICES, WORKER_PORT_OFFSET, Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
VET_NAME = re.compile(r"\bVET_[A-Z0-9_]+\b")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def command_of(definition: dict[str, Any]) -> list[str]:
    command = definition.get("command") or []
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def platform_processes(compose: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Compose service name -> (python module, role) for every `python -m X role` it runs."""
    found = {}
    for name, definition in compose["services"].items():
        command = command_of(definition)
        if command[:2] == ["python", "-m"] and command[2] != "console":
            found[name] = (command[2], command[3])
    return found


def settings_fields() -> set[str]:
    console = {f"CONSOLE_{name.upper()}" for name in ConsoleSettings.model_fields}
    return {name.upper() for name in Settings.model_fields} | console


def test_every_module_it_runs_is_a_service_with_an_entry_point(compose: dict[str, Any]) -> None:
    processes = platform_processes(compose)
    assert processes, "compose runs no `python -m <service>` process"
    for name, (module, role) in processes.items():
        assert module in SERVICES, f"{name} runs unknown service {module}"
        assert (ROOT / "services" / module / "src" / module / "__main__.py").is_file(), name
        assert role in {"api", "worker"}, f"{name} runs unknown role {role}"


def test_every_service_runs_as_api_and_worker(compose: dict[str, Any]) -> None:
    processes = platform_processes(compose)
    expected = {f"{service}-{role}": (service, role) for service in SERVICES for role in ("api", "worker")}
    assert processes == expected


def test_every_vet_variable_is_a_setting(compose: dict[str, Any]) -> None:
    fields = settings_fields()
    named = set(VET_NAME.findall(COMPOSE.read_text(encoding="utf-8")))
    named |= set(VET_NAME.findall((ROOT / "Dockerfile").read_text(encoding="utf-8")))
    for definition in compose["services"].values():
        environment = definition.get("environment") or {}
        keys = environment if isinstance(environment, dict) else [item.split("=")[0] for item in environment]
        named |= {key for key in keys if key.startswith("VET_")}
    unknown = {name for name in named if name.removeprefix("VET_") not in fields}
    assert not unknown, f"not fields of vet_common.settings.Settings: {sorted(unknown)}"
    # The variables a production deployment cannot do without are really set.
    required = {"VET_ENV", "VET_KAFKA_BOOTSTRAP", "VET_MONGO_URL", "VET_EVENTSTORE_URL", "VET_JWT_SECRET"}
    assert required | {"VET_CIPHER_KEY", "VET_API_HOST"} <= named


def test_processes_get_a_production_configuration_that_settings_accepts(compose: dict[str, Any]) -> None:
    for name in platform_processes(compose):
        environment = compose["services"][name]["environment"]
        assert environment["VET_ENV"] == "production", name
        # Secrets come from the operator, never from the file: "${VAR:?message}" fails when unset.
        for secret in ("VET_JWT_SECRET", "VET_CIPHER_KEY"):
            assert re.fullmatch(r"\$\{" + secret + r":\?[^}]+\}", environment[secret]), (name, secret)
        values = {
            key.removeprefix("VET_").lower(): value
            for key, value in environment.items()
            if not str(value).startswith("${")
        }
        settings = Settings(jwt_secret="s" * 40, cipher_key="k" * 44, **values)
        assert settings.uses_postgres, name
        assert settings.api_host == "0.0.0.0", name


def test_every_process_has_a_healthcheck_on_its_port(compose: dict[str, Any]) -> None:
    for name, (service, role) in platform_processes(compose).items():
        healthcheck = compose["services"][name].get("healthcheck") or {}
        test = " ".join(healthcheck.get("test") or [])
        port = DEFAULT_API_PORTS[service] + (WORKER_PORT_OFFSET if role == "worker" else 0)
        assert f":{port}/healthz" in test, f"{name}: healthcheck should probe port {port}/healthz, has {test!r}"


def test_infrastructure_has_healthchecks_and_processes_wait_for_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft
    assert services["mongo"]["image"].startswith("mongo:")
    assert services["postgres"]["image"].startswith("postgres:")
    for infrastructure in ("kafka", "mongo", "postgres"):
        assert services[infrastructure].get("healthcheck", {}).get("test"), infrastructure
    for name in platform_processes(compose):
        depends_on = services[name]["depends_on"]
        assert {key: value["condition"] for key, value in depends_on.items()} == {
            "kafka": "service_healthy",
            "mongo": "service_healthy",
            "postgres": "service_healthy",
        }, name


def test_apis_publish_their_ports(compose: dict[str, Any]) -> None:
    for name, (service, role) in platform_processes(compose).items():
        if role == "api":
            port = DEFAULT_API_PORTS[service]
            assert f"{port}:{port}" in [str(p) for p in compose["services"][name].get("ports", [])], name


def test_one_dockerfile_builds_every_process(compose: dict[str, Any]) -> None:
    dockerfiles = set()
    for name in platform_processes(compose):
        build = compose["services"][name]["build"]
        context = ROOT / build["context"]
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} is missing"
        dockerfiles.add(dockerfile.resolve())
    assert dockerfiles == {(ROOT / "Dockerfile").resolve()}
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", text, re.MULTILINE)
    assert "uv sync --frozen --no-dev" in text
    # Every workspace member's pyproject is copied before the dependency layer is built.
    for member in ["libs/contracts", "libs/common", "libs/devtools", *(f"services/{service}" for service in SERVICES)]:
        assert f"COPY {member}/pyproject.toml" in text, member
    assert (ROOT / ".dockerignore").is_file()


def test_the_console_runs_on_its_port_after_the_apis_with_sign_in_through_the_provider(compose: dict[str, Any]) -> None:
    console = compose["services"]["console"]
    assert command_of(console) == ["python", "-m", "console", "web"]
    assert (ROOT / "services" / "console" / "src" / "console" / "__main__.py").is_file()
    assert f"{CONSOLE_PORT}:{CONSOLE_PORT}" in console["ports"]
    assert f":{CONSOLE_PORT}/healthz" in " ".join(console["healthcheck"]["test"])
    assert {key: value["condition"] for key, value in console["depends_on"].items()} == {
        f"{service}-api": "service_healthy" for service in SERVICES
    }
    environment = console["environment"]
    assert environment["VET_ENV"] == "production"
    assert environment["VET_CONSOLE_HOST"] == "0.0.0.0"
    for service in SERVICES:
        assert environment[f"VET_CONSOLE_{service.upper()}_URL"] == f"http://{service}-api:{DEFAULT_API_PORTS[service]}"
    # Production signs in through the department's provider: compose fails when it is not configured.
    for secret in (
        "VET_JWT_SECRET",
        "VET_CONSOLE_OIDC_ISSUER",
        "VET_CONSOLE_OIDC_CLIENT_ID",
        "VET_CONSOLE_OIDC_CLIENT_SECRET",
    ):
        assert re.fullmatch(r"\$\{" + secret + r":\?[^}]+\}", environment[secret]), secret
    assert "VET_CIPHER_KEY" not in environment  # the console stores no events
    assert "COPY services/console/pyproject.toml" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
