"""The whole platform on this machine (`vet up | down | status`): Kafka, SecantusDB, every service's
api and worker, and the staff console (工作台) in front of them.

Everything lives under the repository's git-ignored `.local/`: `kafka/data`, `secantus/`, `data/` (the
services' SQLite event stores), `log/<name>.log`, `run/<name>.pid`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from vet_common.settings import SERVICES, WORKER_PORT_OFFSET, Settings
from vet_devtools.stack.base import ManagedServer, project_root
from vet_devtools.stack.kafka import KafkaServer, ensure_kafka_jars, kafka_lib_dir
from vet_devtools.stack.mongo import SecantusServer
from vet_devtools.stack.proc import PidRecord, StackError, stop_pid
from vet_devtools.stack.services import ServiceProcess

CONSOLE_PORT = 8100  # console.settings.CONSOLE_PORT (the console is not a dependency of the devtools)


def console_process(base: Path, root: Path, env: dict[str, str]) -> ServiceProcess:
    """`python -m console web` on VET_CONSOLE_PORT (8100), talking to the services at their API ports."""
    port = _env_int("VET_CONSOLE_PORT", CONSOLE_PORT)
    urls = {
        f"VET_CONSOLE_{service.upper()}_URL": f"http://127.0.0.1:{Settings.for_service(service).effective_api_port}"
        for service in SERVICES
    }
    return ServiceProcess(base, "console", "web", port, env={**env, **urls, "VET_CONSOLE_PORT": str(port)}, cwd=root)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass
class LocalStack:
    """The processes `vet up` manages, with their ports: VET_LOCAL_KAFKA_PORT (9092),
    VET_LOCAL_KAFKA_CONTROLLER_PORT (broker + 1), VET_LOCAL_MONGO_PORT (27017); each service's API port
    from its settings, its worker's that + 10."""

    root: Path
    kafka: KafkaServer
    mongo: SecantusServer
    services: list[ServiceProcess]
    # Where its files live: the repository's .local/ unless given (a federation runs two stacks side by side).
    base_dir: Path | None = None

    @classmethod
    def from_env(cls, root: Path | None = None, services: Sequence[str] = SERVICES) -> LocalStack:
        root = root or project_root()
        base = root / ".local"
        kafka_port = _env_int("VET_LOCAL_KAFKA_PORT", 9092)
        kafka = KafkaServer(
            base,
            kafka_port,
            _env_int("VET_LOCAL_KAFKA_CONTROLLER_PORT", kafka_port + 1),
            root=root,
            heap=os.environ.get("VET_LOCAL_KAFKA_HEAP", "512m"),
        )
        mongo = SecantusServer(base, _env_int("VET_LOCAL_MONGO_PORT", 27017))
        stack = cls(root=root, kafka=kafka, mongo=mongo, services=[])
        env = stack.service_env()
        for service in services:
            port = Settings.for_service(service).effective_api_port
            for role, p in (("api", port), ("worker", port + WORKER_PORT_OFFSET)):
                stack.services.append(ServiceProcess(base, service, role, p, env=env, cwd=root))
        if services:
            stack.services.append(console_process(base, root, env))
        return stack

    @property
    def base(self) -> Path:
        return self.base_dir or self.root / ".local"

    @property
    def infra(self) -> list[ManagedServer]:
        return [self.kafka, self.mongo]

    @property
    def components(self) -> list[ManagedServer]:
        return [*self.infra, *self.services]

    def service_env(self) -> dict[str, str]:
        """What the service processes get on top of the inherited environment."""
        return {
            "VET_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "VET_MONGO_URL": self.mongo.url,
            "VET_DATA_DIR": str(self.base / "data"),
        }


def _wait_all(servers: Sequence[ManagedServer], console: Console, label: str) -> None:
    """Poll every server until all are ready; a live progress line per server."""
    if not servers:
        return
    columns = (
        SpinnerColumn(finished_text="[green]✓[/]"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        tasks = {s.name: progress.add_task(f"{label} {s.name}", total=1) for s in servers}
        t0 = time.monotonic()
        pending = list(servers)
        while pending:
            for s in list(pending):
                if s.poll_ready():
                    pending.remove(s)
                    desc = f"{s.name} ready ({time.monotonic() - t0:.1f}s)"
                    progress.update(tasks[s.name], completed=1, description=desc)
                elif time.monotonic() - t0 > s.start_timeout:
                    progress.stop()
                    raise StackError(
                        f"{s.name} did not become ready within {s.start_timeout:.0f}s: "
                        "look at its log, then `make down` and `make up`",
                        s.log_path,
                    )
            if pending:
                time.sleep(0.2)


def _print_urls(stack: LocalStack, console: Console, *, with_services: bool) -> None:
    table = Table(title="local stack", title_justify="left", show_edge=False)
    table.add_column("service")
    table.add_column("API (docs at /docs)", overflow="fold")
    table.add_column("worker health", overflow="fold")
    if with_services:
        apis = {s.service: s for s in stack.services if s.role == "api"}
        workers = {s.service: s for s in stack.services if s.role == "worker"}
        for name, api in apis.items():
            worker = workers.get(name)
            table.add_row(name, f"{api.url}/docs", worker.health_url if worker else "")
    if with_services:
        console.print(table)
        for web in (s for s in stack.services if s.service == "console"):
            console.print(f"[bold]staff console (工作台): {web.url}/[/]  sign in at {web.url}/login", highlight=False)
    console.print(f"Kafka: {stack.kafka.bootstrap}", highlight=False)
    console.print(f"MongoDB wire (SecantusDB): {stack.mongo.url}", highlight=False, soft_wrap=True)
    console.print(f"logs: {stack.base / 'log'}/   stop with: make down")


def up(
    *,
    with_services: bool = True,
    console: Console | None = None,
    root: Path | None = None,
) -> int:
    """Start what is not running yet, wait until every health check passes, print the URLs. Exit code."""
    console = console or Console()
    t0 = time.monotonic()
    try:
        stack = LocalStack.from_env(root, SERVICES if with_services else ())
        components = stack.components
        if all(c.running() for c in components) and all(c.safe_probe() for c in components):
            console.print("[green]the local stack is already running[/]: nothing to do")
            _print_urls(stack, console, with_services=with_services)
            return 0
        start(stack, console)
    except StackError as exc:
        console.print(f"[red]error:[/] {exc}", soft_wrap=True, highlight=False)
        return 1
    _print_urls(stack, console, with_services=with_services)
    console.print(f"[green]ready in {time.monotonic() - t0:.1f}s[/]")
    return 0


def start(stack: LocalStack, console: Console) -> None:
    """Start what of `stack` is not running: its servers, then its services, waiting until each is ready."""
    start_in_tiers(console, stack.root, stack.infra, stack.services)


def start_in_tiers(console: Console, root: Path, *tiers: Sequence[ManagedServer]) -> None:
    """Start each tier's servers together once the tier before is ready (the servers, then what uses them)."""
    if not (kafka_lib_dir(root) / ".pom.sha256").is_file():
        with console.status("fetching the Kafka jars from Maven Central (once)..."):
            ensure_kafka_jars(root)
    for c in (c for tier in tiers for c in tier):  # fail before starting anything if a port is taken
        if not c.running():
            c.check_ports()
    for tier in tiers:
        for c in tier:
            c.start()
        _wait_all(tier, console, "starting")


def _known_records(stack: LocalStack) -> list[tuple[str, Path, ManagedServer | None]]:
    """Every pid file under .local/run, services first so they stop before the servers they use."""
    known: dict[str, ManagedServer] = {c.name: c for c in stack.components}
    paths = sorted((stack.base / "run").glob("*.pid"))
    order = {name: i for i, name in enumerate(reversed([c.name for c in stack.components]))}
    paths.sort(key=lambda p: order.get(p.stem, -1))
    return [(p.stem, p, known.get(p.stem)) for p in paths]


def _stack_or_report(console: Console, root: Path | None) -> LocalStack | None:
    """The configured stack, or None after printing why it cannot be built."""
    try:
        return LocalStack.from_env(root)
    except StackError as exc:
        console.print(f"[red]error:[/] {exc}", soft_wrap=True, highlight=False)
        return None


def down(*, console: Console | None = None, root: Path | None = None) -> int:
    """Stop exactly the processes `up` started (by their pid files). Exit code."""
    console = console or Console()
    stack = _stack_or_report(console, root)
    if stack is None:
        return 1
    infra = {c.name for c in stack.infra}
    records = _known_records(stack)
    stopped = 0
    # The services first (all at once), then the servers they use.
    for tier in ([r for r in records if r[0] not in infra], [r for r in records if r[0] in infra]):
        live = []
        for name, path, server in tier:
            rec = PidRecord.load(path)
            if rec is None or not rec.alive():
                path.unlink(missing_ok=True)
            else:
                live.append((name, path, server, rec))
        if not live:
            continue

        def stop_one(item: tuple[str, Path, ManagedServer | None, PidRecord]) -> str:
            name, path, server, rec = item
            if server is not None:
                server.stop()
            else:
                stop_pid(rec)
                path.unlink(missing_ok=True)
            return f"stopped {name} (pid {rec.pid})"

        with (
            console.status(f"stopping {', '.join(item[0] for item in live)}..."),
            ThreadPoolExecutor(max_workers=len(live)) as pool,
        ):
            for line in pool.map(stop_one, live):
                console.print(line)
                stopped += 1
    if not stopped:
        console.print("nothing was running")
    return 0


def status(*, console: Console | None = None, root: Path | None = None) -> int:
    """Show a table of the local stack's processes: pid, health, address, log. Exit code 0."""
    console = console or Console()
    stack = _stack_or_report(console, root)
    if stack is None:
        return 1
    table = Table(show_edge=False)
    for col in ("name", "pid", "state", "address"):
        table.add_column(col)
    for c in stack.components:
        rec = c.record()
        if rec is None:
            state, pid = "[dim]stopped[/]", ""
        else:
            pid = str(rec.pid)
            state = "[green]ready[/]" if c.safe_probe() else "[yellow]running, not answering[/]"
        ports = c.ports()
        table.add_row(c.name, pid, state, f"127.0.0.1:{ports[0]}" if ports else "")
    console.print(table)
    console.print(f"logs: {stack.base / 'log'}/<name>.log")
    return 0
