"""Benchmark of one command (`make bench-api`): `POST /persons` over HTTP with the whole registry running.

N concurrent clients (keep-alive connections) register people with valid, distinct ID numbers against
`python -m registry api` and its worker, started on free ports with their own event store in a temporary
folder; SecantusDB and Kafka are started too (or taken from VET_BENCH_MONGO_URL, VET_BENCH_KAFKA_BOOTSTRAP).
`--postgres` puts the event store in a PostgreSQL it starts (or VET_BENCH_POSTGRES_URL). The same clients
then post to a plain FastAPI endpoint writing one SQLite row per request (bench/sqlite_ceiling.py): the
ceiling. Prints rate, p50 and p99 of both, and the machine. Traffic only to 127.0.0.1. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from vet_common.auth import issue_token
from vet_common.idnumber import make_id_number
from vet_common.settings import WORKER_PORT_OFFSET, Settings
from vet_devtools.stack import (
    KafkaServer,
    PostgresServer,
    SecantusServer,
    ServiceProcess,
    free_port,
    free_ports,
    http_ok,
    port_free,
)

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine

HOST = "127.0.0.1"
WARM_UP = 200  # requests before measuring: connections, caches, the first transactions
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚华"


def registration(n: int) -> bytes:
    """The n-th person: a distinct, valid ID number for n < 24000 * 500, in one of 鼓楼区's nine townships."""
    birth = date(1935, 1, 1) + timedelta(days=n % 24000)
    sex = "male" if n % 2 else "female"
    body = {
        "id_number": make_id_number("350102", birth, n // 24000, sex),
        "name": "王" + GIVEN[n % len(GIVEN)] + GIVEN[n // len(GIVEN) % len(GIVEN)],
        "region": f"350102{1 + n % 9:03d}{1 + n % 30:03d}",  # townships 350102001..350102009
        "categories": ["discharged_soldier"],
        "phone": f"138{n % 10**8:08d}",
    }
    return json.dumps(body, ensure_ascii=False).encode()


@dataclass
class Run:
    """What the clients saw in the measured phase."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of each server process meanwhile

    def line(self, label: str, clients: int) -> str:
        ok = sorted(self.latencies)
        if not ok:
            return f"{label:<46} no successful request: statuses {dict(self.statuses)}"
        p50, p99 = ok[len(ok) // 2], ok[min(len(ok) - 1, int(len(ok) * 0.99))]
        errors = {status: n for status, n in self.statuses.items() if status != 201}
        # CPU per request tells more than the rate when others share the machine.
        cpu = ", ".join(f"{name} {seconds * 1000 / len(ok):.2f}" for name, seconds in self.cpu.items())
        return (
            f"{label:<46} {clients:>3} clients  {len(ok) / self.seconds:7.0f}/s  "
            f"p50 {p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  ({len(ok)} in {self.seconds:.1f} s"
            + (f", errors {errors}" if errors else "")
            + (f"; CPU ms per request: {cpu})" if cpu else ")")
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its live children (uvicorn's workers), from /proc."""
    total, parents = 0.0, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    for candidate, (parent, ticks) in parents.items():
        if candidate == pid or (parent == pid and pid != os.getpid()):  # the clients: this process alone
            total += ticks
    return total / os.sysconf("SC_CLK_TCK")


async def client(
    port: int,
    path: str,
    token: str,
    next_n: Callable[[], int | None],
    run: Run | None,
    body_of: Callable[[int], bytes] = registration,
) -> None:
    """One keep-alive connection posting until `next_n` says stop; a minimal HTTP/1.1 client, so the clients
    cost little of the machine's two cores."""
    reader, writer = await asyncio.open_connection(HOST, port)
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Bearer {token}\r\n"
    head += "Content-Type: application/json\r\n"
    try:
        while (n := next_n()) is not None:
            body = body_of(n)
            started = time.perf_counter()
            writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            response = await reader.readuntil(b"\r\n\r\n")
            status = int(response[9:12])
            length = next(
                int(line.split(b":", 1)[1])
                for line in response.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            if run is not None:
                run.statuses[status] += 1
                if status == 201:
                    run.latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def load(
    port: int,
    path: str,
    token: str,
    clients: int,
    seconds: float,
    count: int,
    pids: dict[str, int],
    body_of: Callable[[int], bytes] = registration,
) -> Run:
    """Warm up, then `clients` clients until `seconds` have passed or `count` requests were sent; the n-th
    request posts `body_of(n)`."""
    numbers = iter(range(WARM_UP + count))

    def warm_up() -> int | None:
        n = next(numbers)
        return n if n < WARM_UP else None

    await asyncio.gather(*(client(port, path, token, warm_up, None, body_of) for _ in range(clients)))
    deadline = time.monotonic() + seconds

    def measured() -> int | None:
        return next(numbers, None) if time.monotonic() < deadline else None

    run = Run()
    pids = {**pids, "clients": os.getpid()}
    cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.perf_counter()
    await asyncio.gather(*(client(port, path, token, measured, run, body_of) for _ in range(clients)))
    run.seconds = time.perf_counter() - started
    run.cpu = {name: cpu_seconds(pid) - cpu[name] for name, pid in pids.items()}
    return run


def api_port() -> int:
    """A free port whose worker port (+10) is free too."""
    for _ in range(50):
        port = free_port()
        if port + WORKER_PORT_OFFSET < 65536 and port_free(HOST, port + WORKER_PORT_OFFSET):
            return port
    raise RuntimeError("no free pair of ports")


def infrastructure(stack: ExitStack, workdir: Path, postgres: bool) -> tuple[dict[str, str], dict[str, int]]:
    """The servers the registry needs: started here unless VET_BENCH_* names one already running; their urls
    as the services' environment, and the pids of those started here."""
    env = {
        "VET_MONGO_URL": os.environ.get("VET_BENCH_MONGO_URL", ""),
        "VET_KAFKA_BOOTSTRAP": os.environ.get("VET_BENCH_KAFKA_BOOTSTRAP", ""),
        "VET_EVENTSTORE_URL": os.environ.get("VET_BENCH_POSTGRES_URL", "") if postgres else "",
    }
    servers: list[KafkaServer | SecantusServer | PostgresServer] = []
    if not env["VET_MONGO_URL"]:
        servers.append(SecantusServer(workdir, free_port(), cache_size="512M", name="bench-secantus"))
        env["VET_MONGO_URL"] = servers[-1].url
    if not env["VET_KAFKA_BOOTSTRAP"]:
        servers.append(KafkaServer(workdir, *free_ports(2), heap="512m", name="bench-kafka"))
        env["VET_KAFKA_BOOTSTRAP"] = servers[-1].bootstrap
    if postgres and not env["VET_EVENTSTORE_URL"]:
        servers.append(PostgresServer(workdir, free_port(), durable=True, name="bench-postgres"))
        env["VET_EVENTSTORE_URL"] = servers[-1].url
    for server in servers:
        server.start()
        stack.callback(server.stop)
    for server in servers:
        server.wait_ready()
    # PostgreSQL works in a process per connection: its CPU is not counted.
    names = {SecantusServer: "secantus", KafkaServer: "kafka"}
    pids = {names[type(s)]: s.popen.pid for s in servers if type(s) in names and s.popen}
    return env, pids


def start_registry(
    stack: ExitStack, workdir: Path, infra: dict[str, str], api_workers: int
) -> tuple[int, dict[str, int]]:
    """`python -m registry api` and `python -m registry worker`; the api's port and both pids."""
    port = api_port()
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    env = {
        **infra,
        "VET_API_PORT": str(port),
        "VET_DATA_DIR": str(workdir / "data"),
        "VET_TOPIC_PREFIX": prefix,
        "VET_CONSUMER_GROUP_PREFIX": prefix,
        "VET_READ_MODEL_DB": f"{prefix.strip('.')}_registry",
        "VET_LOG_LEVEL": "WARNING",
        "VET_API_WORKERS": str(api_workers),
    }
    api = ServiceProcess(workdir, "registry", "api", port, env=env, name="bench-registry-api")
    worker = ServiceProcess(workdir, "registry", "worker", port + WORKER_PORT_OFFSET, env=env, name="bench-worker")
    for process in (api, worker):
        process.start()
        stack.callback(process.stop)
    for process in (api, worker):
        process.wait_ready()
    return port, {name: process.popen.pid for name, process in (("api", api), ("worker", worker)) if process.popen}


def start_ceiling(stack: ExitStack, workdir: Path) -> tuple[int, dict[str, int]]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent), "sqlite_ceiling:app"]
    command += ["--host", HOST, "--port", str(port), "--log-level", "warning", "--no-access-log"]
    env = {**os.environ, "CEILING_DB": str(workdir / "ceiling.sqlite")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(process.wait, 15)
    stack.callback(process.terminate)
    deadline = time.monotonic() + 30
    while not http_ok(f"http://{HOST}:{port}/docs"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the ceiling app did not start")
        time.sleep(0.2)
    return port, {"app": process.pid}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--seconds", type=float, default=20, help="measured phase, at most (20)")
    parser.add_argument("--count", type=int, default=50_000, help="registrations in the measured phase, at most")
    parser.add_argument("--postgres", action="store_true", help="event store in PostgreSQL instead of SQLite")
    parser.add_argument("--api-workers", type=int, default=1, help="api processes (uvicorn workers), default 1")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the plain SQLite endpoint")
    args = parser.parse_args()
    settings = Settings.for_service("registry")
    token = issue_token(settings, sub="bench", name="bench", roles=["station_staff"], region="35")

    print(f"machine: {machine()}")
    with ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="vet-api-bench-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        infra, infra_pids = infrastructure(stack, workdir, args.postgres)
        port, pids = start_registry(stack, workdir, infra, args.api_workers)
        pids.update(infra_pids)
        store = "PostgreSQL" if infra["VET_EVENTSTORE_URL"] else "SQLite"
        print(f"load average before: {os.getloadavg()[0]:.1f} (others' work on the machine counts in the rate)")
        run = asyncio.run(load(port, "/persons", token, args.clients, args.seconds, args.count, pids))
        processes = f", {args.api_workers} api processes" if args.api_workers > 1 else ""
        print(run.line(f"POST /persons ({store}{processes}, +worker)", args.clients))
        if not args.no_ceiling:
            ceiling, pids = start_ceiling(stack, workdir)
            run = asyncio.run(load(ceiling, "/rows", token, args.clients, args.seconds, args.count, pids))
            print(run.line("plain endpoint, one SQLite row", args.clients))


if __name__ == "__main__":
    main()
