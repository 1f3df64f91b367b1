"""Benchmark: end-to-end delay from `POST /persons` to the figure in reporting's summary.

Runs against a running platform (`make up`), prints the figures and the machine. Not a test.
    uv run python bench/e2e_delay.py [--count 50] [--registry URL] [--reporting URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import uuid
from datetime import date

import httpx

from vet_common.auth import issue_token
from vet_common.idnumber import make_id_number
from vet_common.settings import Settings


def machine() -> str:
    cpu = "unknown cpu"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.node()} | {cpu} | {os.cpu_count()} cores | Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--registry", default="http://127.0.0.1:8101")
    parser.add_argument("--reporting", default="http://127.0.0.1:8104")
    args = parser.parse_args()

    # A village code of its own per run, so the count under it starts at zero. The township must be one of
    # 鼓楼区's ten (the division table lists them); the village part is not checked.
    township = ("001", "002", "003", "004", "005", "006", "007", "008", "009", "100")[uuid.uuid4().int % 10]
    village = f"350102{township}{uuid.uuid4().int % 900 + 100:03d}"
    token = issue_token(Settings(), sub="bench", name="bench", roles=["station_staff"], region="35")
    headers = {"Authorization": f"Bearer {token}"}
    delays: list[float] = []
    with httpx.Client(headers=headers, timeout=30) as client:
        for n in range(args.count):
            birth = date(1940 + n % 60, 1 + n % 12, 1 + n % 28)
            body = {
                "id_number": make_id_number("350102", birth, uuid.uuid4().int % 500, "male"),
                "name": "基准" + "".join("零一二三四五六七八九"[int(digit)] for digit in str(n)),
                "region": village,
                "categories": ["discharged_soldier"],
            }
            started = time.perf_counter()
            response = client.post(f"{args.registry}/persons", json=body)
            if response.status_code == 409:
                continue  # a random ID number collided with an earlier run: skip it
            response.raise_for_status()
            while True:
                summary = client.get(f"{args.reporting}/stats/summary", params={"region": village}).json()
                if summary["persons"] >= len(delays) + 1:
                    break
                time.sleep(0.01)
            delays.append(time.perf_counter() - started)

    delays.sort()
    print(f"machine: {machine()}")
    print(f"registrations measured: {len(delays)} (one at a time, polling reporting every 10 ms)")
    print(
        f"end-to-end delay  p50 {statistics.median(delays) * 1000:.0f} ms  "
        f"p95 {delays[int(len(delays) * 0.95) - 1] * 1000:.0f} ms  max {delays[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
