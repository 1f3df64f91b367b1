"""A city's deployment and the province's side by side on one machine, joined by MirrorMaker 2
(`vet federation up | down | status`, `make federation-up`).

Each deployment is a whole platform of its own (its Kafka, SecantusDB, event stores and services) under
`.local/federation/<region>/`. MirrorMaker copies the city's public topics into the province's Kafka as
`3501.vet.registry.v1` and so on, where the province's reporting reads them beside its own topics
(`VET_MIRRORED_SOURCES`). Ports: `VET_FEDERATION_CITY_PORTS` (19100) and `VET_FEDERATION_PROVINCE_PORTS` (19200)
are bases: Kafka base, its controller base+1, SecantusDB base+2, each service's API base+11..14 and its
worker that + 10.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vet_common.settings import SERVICES, WORKER_PORT_OFFSET
from vet_devtools.stack.base import ManagedServer, project_root
from vet_devtools.stack.kafka import KafkaServer
from vet_devtools.stack.local import LocalStack, start_in_tiers
from vet_devtools.stack.mirror import MirrorMaker
from vet_devtools.stack.mongo import SecantusServer
from vet_devtools.stack.proc import PidRecord, StackError, stop_pid
from vet_devtools.stack.services import ServiceProcess

CITY, PROVINCE = "3501", "35"


@dataclass(frozen=True)
class Site:
    """One deployment: its region (also its MirrorMaker alias), the services it runs, its port base."""

    region: str
    title: str
    services: tuple[str, ...]
    port_base: int

    def api_port(self, service: str) -> int:
        return self.port_base + 11 + SERVICES.index(service)


def sites() -> tuple[Site, Site]:
    def base(name: str, default: int) -> int:
        return int(os.environ.get(name, "").strip() or default)

    return (
        Site(CITY, "福州市 (city)", tuple(SERVICES), base("VET_FEDERATION_CITY_PORTS", 19100)),
        Site(PROVINCE, "福建省 (province)", tuple(SERVICES), base("VET_FEDERATION_PROVINCE_PORTS", 19200)),
    )


def deployment(site: Site, root: Path, mirrored: tuple[str, ...] = ()) -> LocalStack:
    """The platform of `site`; its reporting also reads the topics mirrored from `mirrored` regions."""
    base = root / ".local" / "federation" / site.region
    kafka = KafkaServer(base, site.port_base, site.port_base + 1, root=root, heap="384m")
    mongo = SecantusServer(base, site.port_base + 2)
    stack = LocalStack(root=root, kafka=kafka, mongo=mongo, services=[], base_dir=base)
    env = {
        **stack.service_env(),
        # A deployment answers for its own region only: its reporting refuses events from outside it.
        "VET_JURISDICTION": site.region,
        "VET_MIRRORED_SOURCES": ",".join(mirrored),
        "VET_REGISTRY_URL": f"http://127.0.0.1:{site.api_port('registry')}",
    }
    for service in site.services:
        port = site.api_port(service)
        for role, p in (("api", port), ("worker", port + WORKER_PORT_OFFSET)):
            stack.services.append(
                ServiceProcess(base, service, role, p, env={**env, "VET_API_PORT": str(port)}, cwd=root)
            )
    return stack


@dataclass
class Federation:
    city: LocalStack
    province: LocalStack
    mirror: MirrorMaker

    @classmethod
    def from_env(cls, root: Path | None = None) -> Federation:
        root = root or project_root()
        city_site, province_site = sites()
        city = deployment(city_site, root)
        province = deployment(province_site, root, mirrored=(city_site.region,))
        mirror = MirrorMaker(
            root / ".local" / "federation" / "mirror",
            source_alias=city_site.region,
            source_bootstrap=city.kafka.bootstrap,
            target_alias=province_site.region,
            target_bootstrap=province.kafka.bootstrap,
            root=root,
        )
        return cls(city, province, mirror)

    @property
    def components(self) -> list[ManagedServer]:
        return [*self.city.components, *self.province.components, self.mirror]


def up(console: Console | None = None, root: Path | None = None) -> int:
    console = console or Console()
    t0 = time.monotonic()
    try:
        federation = Federation.from_env(root)
        city, province = federation.city, federation.province
        start_in_tiers(
            console,
            city.root,
            [*city.infra, *province.infra],
            [federation.mirror, *city.services, *province.services],
        )
    except StackError as exc:
        console.print(f"[red]error:[/] {exc}", soft_wrap=True, highlight=False)
        return 1
    print_addresses(federation, console)
    console.print(f"[green]ready in {time.monotonic() - t0:.1f}s[/]")
    return 0


def print_addresses(federation: Federation, console: Console) -> None:
    table = Table(title="federation", title_justify="left", show_edge=False)
    for column in ("deployment", "Kafka", "registry", "outreach", "assistance", "reporting"):
        table.add_column(column)
    for site, stack in zip(sites(), (federation.city, federation.province), strict=True):
        apis = {s.service: s.url for s in stack.services if s.role == "api"}
        table.add_row(site.title, stack.kafka.bootstrap, *(apis.get(name, "") for name in SERVICES))
    console.print(table)
    console.print(
        f"MirrorMaker 2: {federation.city.kafka.bootstrap} vet.*.v1 -> {federation.province.kafka.bootstrap} "
        f"{CITY}.vet.*.v1   logs: {federation.mirror.log_path}",
        highlight=False,
        soft_wrap=True,
    )


def down(console: Console | None = None, root: Path | None = None) -> int:
    """Stop every process `up` started, the services before the servers they use."""
    console = console or Console()
    federation = Federation.from_env(root)
    services = [*federation.city.services, *federation.province.services, federation.mirror]
    servers = [*federation.city.infra, *federation.province.infra]
    stopped = 0
    for tier in (services, servers):
        for component in tier:
            record = PidRecord.load(component.pid_path)
            if record is not None and record.alive():
                component.stop()
                console.print(f"stopped {component.base.name}/{component.name} (pid {record.pid})")
                stopped += 1
            elif record is not None:
                stop_pid(record)  # a stale pid file
                component.pid_path.unlink(missing_ok=True)
    if not stopped:
        console.print("nothing of the federation was running")
    return 0
