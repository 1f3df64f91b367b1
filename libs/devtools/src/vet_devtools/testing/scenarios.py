"""Helpers for end-to-end scenarios: tokens, people to register, polling the figures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import httpx

from vet_common.auth import issue_token
from vet_common.domain import CHINA
from vet_common.idnumber import make_id_number
from vet_common.projector import CHECKPOINTS
from vet_common.relay import RELAY_TRACKING_NAME
from vet_common.settings import Settings
from vet_devtools.testing.platform import Platform

CITY = "3501"
VILLAGES = ["350102001001", "350102002003", "350103001002", "350104005001"]


def token(role: str = "station_staff", region: str = CITY) -> str:
    return issue_token(Settings(), sub=f"test-{role}", name="测试用户", roles=[role], region=region)


def headers(role: str = "station_staff", region: str = CITY) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, region)}"}


def person(n: int) -> dict[str, object]:
    birth = date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
    return {
        "id_number": make_id_number("350102", birth, n % 499 + 1, "male" if n % 2 else "female"),
        "name": "测试" + "".join("零一二三四五六七八九"[int(digit)] for digit in f"{n:04d}"),
        "region": VILLAGES[n % len(VILLAGES)],
        "categories": ["discharged_soldier"],
    }


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def today_in_china() -> str:
    """A contact's date in these scenarios: neither in the future nor before the registration (just now)."""
    return datetime.now(CHINA).date().isoformat()


def visit_when_known(
    platform: Platform, person_id: str, timeout: float = 60, poll_seconds: float = 0.02
) -> tuple[httpx.Response, float]:
    """Record a visit as soon as outreach knows the person: POST /contacts until it stops answering 409 (the
    registration has not reached outreach's replica yet). The answer, and the seconds it took."""
    body = {"person_id": person_id, "method": "home_visit", "date": today_in_china(), "findings": "身体健康"}
    started = time.monotonic()
    with httpx.Client(base_url=platform.url("outreach"), headers=headers(), timeout=10) as client:
        while True:
            response = client.post("/contacts", json=body)
            waited = time.monotonic() - started
            if response.status_code != 409 or "已去世" in response.text or waited > timeout:
                return response, waited
            time.sleep(poll_seconds)


def summary(platform: Platform, region: str = "35") -> dict[str, int]:
    response = httpx.get(
        f"{platform.url('reporting')}/stats/summary",
        params={"region": region},
        headers=headers("officer", "35"),
        timeout=5,
    )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


async def register_many(platform: Platform, numbers: range) -> list[str]:
    ids: list[str] = []
    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=platform.url("registry"), headers=headers(), timeout=30) as client:

        async def one(n: int) -> None:
            async with limit:
                response = await client.post("/persons", json=person(n))
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])

        await asyncio.gather(*(one(n) for n in numbers))
    return ids


class Pipeline:
    """How far each stage from `source`'s event store to `consumer`'s read models has got, read from the stores
    themselves. `settled()` proves by positions that nothing more will arrive, so no test has to wait and see."""

    def __init__(self, platform: Platform, source: str = "registry", consumer: str = "reporting") -> None:
        self.platform = platform
        self.source = platform.application(source)
        self.consumer = platform.application(consumer)
        self.topic = platform.settings(source).topic(source)
        consumer_settings = platform.settings(consumer)
        self.group = consumer_settings.consumer_group
        self.read_models = consumer_settings.read_model_db_name

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *_: object) -> None:
        self.source.close()
        self.consumer.close()

    def settled(self) -> bool:
        """The relay published `source`'s whole log, `consumer` committed every message of the topic (redelivered
        duplicates included) and its projector applied `consumer`'s whole log."""
        recorder = self.source.process_recorder
        if (recorder.max_tracking_id(RELAY_TRACKING_NAME) or 0) < (recorder.max_notification_id() or 0):
            return False
        if asyncio.run(self.consumer_lag()) > 0:
            return False
        return asyncio.run(self.projected()) >= (self.consumer.process_recorder.max_notification_id() or 0)

    async def consumer_lag(self) -> int:
        """Messages in the topic that `consumer`'s group has not committed yet."""
        from aiokafka import AIOKafkaConsumer, TopicPartition
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=self.platform.kafka_bootstrap)
        await admin.start()
        try:
            (topic,) = await admin.describe_topics([self.topic])
            committed = await admin.list_consumer_group_offsets(self.group)
        finally:
            await admin.close()
        partitions = [TopicPartition(self.topic, p["partition"]) for p in topic["partitions"]]
        if not partitions:
            raise AssertionError(f"no topic {self.topic} on {self.platform.kafka_bootstrap}")
        reader = AIOKafkaConsumer(bootstrap_servers=self.platform.kafka_bootstrap)
        await reader.start()
        try:
            ends = await reader.end_offsets(partitions)
        finally:
            await reader.stop()
        return sum(max(0, end - (committed[tp].offset if tp in committed else 0)) for tp, end in ends.items())

    async def projected(self) -> int:
        """The last notification of `consumer`'s log its projector applied."""
        from pymongo import AsyncMongoClient

        client: AsyncMongoClient[Any] = AsyncMongoClient(self.platform.mongo_url)
        try:
            checkpoint = await client[self.read_models][CHECKPOINTS].find_one({"_id": "projector"})
        finally:
            await client.close()
        return int(checkpoint["position"]) if checkpoint else 0
