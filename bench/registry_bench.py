"""Benchmark of the registry (`make bench-registry`): prints its figures and the machine. Not a test.

1. Import rate of rosters (50,000 rows, then 150,000) into the PostgreSQL event store (batched saves, encrypted bodies),
   through the same code path as `vet import` and the API's import job.
2. Projection rate of those records into the MongoDB-wire read model (SecantusDB).
3. Latency of every list and search a user can issue (`GET /persons`, `POST /persons/search`), p50 and p99,
   with 50,000 people in one county, then with 200,000 in the city around it.

Starts its own PostgreSQL and SecantusDB in a temporary folder (or uses VET_BENCH_POSTGRES_URL and
VET_BENCH_MONGO_URL). `--rows N` scales it down for a quick look.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from vet_common.auth import issue_token
from vet_common.domain import Actor
from vet_common.idnumber import make_id_number
from vet_common.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))
from e2e_delay import machine
from servers import bench_servers

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕文军红梅德明玉兰春梅"
CATEGORIES = ["退役士兵", "复员军人", "军队转业干部", "残疾军人", "烈士遗属", "病故军人遗属", "现役军人家属"]


def townships(prefix: str) -> list[str]:
    """The townships of a jurisdiction, from the shipped division table."""
    from vet_common.divisions import division_table

    return sorted(code for code in division_table().names if len(code) == 9 and code.startswith(prefix))


GULOU = townships("350102")  # the county of the first 50,000
FUZHOU = townships("3501")  # the city of the 200,000


def roster_csv(rows: int, offset: int, seed: int, places: list[str]) -> bytes:
    """A valid roster: distinct ID numbers, 30 villages in each of `places` (townships), several categories."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "公民身份号码", "行政区划代码", "人员类别", "户籍类别", "联系电话"])
    start = date(1935, 1, 1)
    for n in range(offset, offset + rows):
        birth = start + timedelta(days=n % 24000)
        sequence = n // 24000  # (birth date, sequence, sex) is unique for n < 24000 * 500
        sex = "male" if n % 2 else "female"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        writer.writerow(
            [
                name,
                make_id_number("350102", birth, sequence, sex),  # issued in 鼓楼区, living anywhere
                f"{places[n % len(places)]}{1 + (n // len(places)) % 30:03d}",
                rng.choice(CATEGORIES),
                rng.choice(("农村", "城镇")),
                f"13{rng.randrange(10**9):09d}",
            ]
        )
    return out.getvalue().encode("utf-8")


def import_rows(settings: Settings, content: bytes, filename: str) -> tuple[float, float, dict[str, int]]:
    from registry.application import RegistryApplication
    from registry.importing import parse_rows, run_import

    started = time.perf_counter()
    parse_rows(content, filename, "3501")
    parse_seconds = time.perf_counter() - started
    registry = RegistryApplication(settings)
    try:
        job_id = registry.start_import(filename, "bench", "3501", Actor(sub="bench", role="admin"))
        started = time.perf_counter()
        run_import(registry, job_id, content)
        seconds = time.perf_counter() - started
        job = registry.get_import_job(job_id)
        assert job is not None
        counts = {"rows": job.rows, "registered": job.registered, "rejected": len(job.rejected)}
    finally:
        registry.close()
    return parse_seconds, seconds, counts


async def project_all(settings: Settings) -> tuple[int, float]:
    from pymongo import AsyncMongoClient

    from registry.application import RegistryApplication
    from registry.projections import RegistryProjection
    from vet_common.projector import Projector

    registry = RegistryApplication(settings)
    client: AsyncMongoClient[Any] = AsyncMongoClient(settings.mongo_url)
    try:
        projector = Projector(registry, client[settings.read_model_db_name], RegistryProjection(registry), 2000)
        started = time.perf_counter()
        count = await projector.rebuild(show_progress=sys.stderr.isatty())
        return count, time.perf_counter() - started
    finally:
        await client.close()
        registry.close()


def latency(settings: Settings, env: dict[str, str], requests: int) -> dict[str, tuple[float, float, str, int]]:
    """p50 and p99 of each list and search a user can issue, each as the user it is for."""
    port = 18901
    api = subprocess.Popen(
        [sys.executable, "-m", "registry", "api"],
        env={**env, "VET_API_PORT": str(port), "VET_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    tokens = {
        level: issue_token(settings, sub="bench", name="bench", roles=["officer"], region=region)
        for level, region in (("county", "350102"), ("city", "3501"), ("province", "35"))
    }
    township, known_id = GULOU[0], make_id_number("350102", date(1935, 1, 1) + timedelta(days=778), 0, "female")
    # (label, who, GET params or None for the POST search body, follow `next` this many times first)
    shapes: list[tuple[str, str, dict[str, Any], int]] = [
        ("township, first page", "county", {"region": township}, 0),
        ("township, third page (after=)", "county", {"region": township}, 2),
        ("one village", "county", {"region": f"{township}007"}, 0),
        ("township key contacts", "county", {"region": township, "key_contact": "true"}, 0),
        ("township category 烈士遗属", "county", {"region": township, "category": "martyr_survivor"}, 0),
        ("county name search q=王伟", "county", {"q": "王伟"}, 0),
        ("county disability level 5", "county", {"disability_level": "5"}, 0),
        ("county exact ID (POST search)", "county", {"q": known_id, "post": True}, 0),
        ("city name search q=王伟", "city", {"q": "王伟"}, 0),
        ("province name search q=李强", "province", {"q": "李强"}, 0),
    ]
    results: dict[str, tuple[float, float, str, int]] = {}
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("registry api did not start")
                time.sleep(0.2)
            for label, who, params, follow in shapes:
                auth = {"Authorization": f"Bearer {tokens[who]}"}
                query = {k: v for k, v in params.items() if k != "post"}

                def call(
                    extra: dict[str, Any],
                    post: bool = bool(params.get("post")),
                    query: dict[str, Any] = query,
                    auth: dict[str, str] = auth,
                ) -> httpx.Response:
                    if post:
                        return client.post("/persons/search", json={**query, **extra}, headers=auth)
                    return client.get("/persons", params={**query, **extra}, headers=auth)

                after: dict[str, Any] = {}
                for _ in range(follow):  # reach the page to measure
                    after = {"after": call(after).raise_for_status().json()["next"]}
                timings: list[float] = []
                shown = ""
                budget = time.monotonic() + 60  # a slow shape gets fewer requests, not an hour
                for _ in range(requests):
                    if timings and time.monotonic() > budget:
                        break
                    started = time.perf_counter()
                    try:
                        response = call(after)
                    except httpx.TimeoutException:
                        timings.append(float("inf"))  # reported as inf: slower than the 120 s client timeout
                        break
                    timings.append(time.perf_counter() - started)
                    response.raise_for_status()
                    body = response.json()
                    total = body["total"] if body["total_exact"] else f"more than {body['total'] or len(body['items'])}"
                    shown = f"{len(body['items'])} rows, total {total}"
                timings.sort()
                p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
                results[label] = (statistics.median(timings), p99, shown, len(timings))
    finally:
        api.terminate()
        api.wait()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--rows", type=int, default=50_000, help="people in the county; the city then gets three times as many more"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per query shape (at most 60 s each)")
    args = parser.parse_args()

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vet-bench-")))
        postgres_url, mongo_url = bench_servers(stack, workdir)
        assert postgres_url is not None
        db_name = f"bench_{uuid.uuid4().hex[:6]}"
        env = {
            **os.environ,
            "VET_EVENTSTORE_URL": postgres_url,
            "VET_MONGO_URL": mongo_url,
            "VET_READ_MODEL_DB": db_name,
            "VET_DATA_DIR": str(workdir / "data"),
        }
        settings = Settings.for_service(
            "registry", eventstore_url=postgres_url, mongo_url=mongo_url, read_model_db=db_name, data_dir=workdir
        )

        print(f"machine: {machine()}")
        print("event store: PostgreSQL (fsync on, AES-GCM bodies); read model: SecantusDB")
        stages = ((args.rows, GULOU, "a county (鼓楼区)"), (args.rows * 3, FUZHOU, "a city (福州市)"))
        offset = 0
        for part, (rows, places, what) in enumerate(stages):
            content = roster_csv(rows, offset, seed=part, places=places)
            offset += rows
            parse_s, import_s, counts = import_rows(settings, content, f"roster-{part}.csv")
            print(
                f"import {counts['rows']:,} rows into {what} ({counts['registered']:,} registered, "
                f"{counts['rejected']} rejected): {import_s:.1f} s = {counts['rows'] / import_s:,.0f} rows/s "
                f"(of which parsing and validating {parse_s:.1f} s = {counts['rows'] / parse_s:,.0f} rows/s)"
            )
            events, project_s = asyncio.run(project_all(settings))
            print(
                f"projection of {events:,} events into the read model: {project_s:.1f} s = {events / project_s:,.0f}/s"
            )
            print(f"lists over HTTP with {offset:,} people, up to {args.requests} requests each:")
            for label, (p50, p99, shown, n) in latency(settings, env, args.requests).items():
                print(f"  {label:<34} p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   ({n} requests; {shown})")


if __name__ == "__main__":
    main()
