"""After a scenario through the real processes, no ID or phone number is in clear anywhere but the registry.

Scanned: every process's log, every service's event store file, Kafka's log segments and every read-model
document of every service. The registry's event store holds them encrypted (AES-GCM), so a byte search
finds nothing there either.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from vet_devtools.testing.platform import Platform
from vet_devtools.testing.scenarios import headers, person, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(300)]

PHONE = "13912345678"


def local_server_folders() -> list[Path]:
    """The folders of the Kafka and SecantusDB this test session started (none when they came from elsewhere)."""
    folders = []
    for base in Path(tempfile.gettempdir()).glob("vet-test-servers-*"):
        try:
            if int((base / "owner.pid").read_text()) == os.getpid():
                folders.append(base)
        except (OSError, ValueError):
            continue
    return folders


def files_containing(folder: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if not path.is_file() or path.stat().st_size > 200 * 2**20:
            continue
        try:
            content = path.read_bytes()
        except OSError:
            continue
        found += [f"{path}: {needle.decode()}" for needle in needles if needle in content]
    return found


def test_no_id_or_phone_number_in_clear_outside_the_registry(platform: Platform, mongo_url: str) -> None:
    registry = platform.url("registry")
    body = {**person(7301), "phone": PHONE, "address": "鼓楼区鼓东街道测试路1号"}
    id_number = str(body["id_number"])
    created = httpx.post(f"{registry}/persons", json=body, headers=headers())
    assert created.status_code == 201, created.text
    person_id = created.json()["id"]
    # The ways a station worker reads a record: a search by ID number (in the URL, too), a reveal with a purpose.
    assert httpx.get(f"{registry}/persons", params={"q": id_number}, headers=headers()).status_code == 200
    assert httpx.post(f"{registry}/persons/search", json={"q": id_number}, headers=headers()).status_code == 200
    revealed = httpx.get(
        f"{registry}/persons/{person_id}",
        params={"reveal": "id_number,phone"},
        headers={**headers(), "X-Purpose": "%E6%A0%B8%E5%AF%B9%E8%BA%AB%E4%BB%BD"},  # 核对身份
    )
    assert revealed.json()["id_number"] == id_number  # in clear to the caller who asked, and only there
    httpx.post(f"{registry}/persons/{person_id}/contact", json={"phone": "13812340000"}, headers=headers())
    wait_until(
        lambda: (
            httpx.get(
                f"{platform.url('reporting')}/audit/events",
                params={"aggregate_id": person_id},
                headers=headers("auditor", "35"),
            ).status_code
            == 200
        ),
        30,
        "the person's events in reporting's archive",
    )

    needles = [id_number.encode(), PHONE.encode(), b"13812340000"]
    leaks = files_containing(platform.workdir, needles)
    for folder in local_server_folders():
        leaks += files_containing(folder, needles)
    client: MongoClient[Any] = MongoClient(mongo_url)
    try:
        for name in client.list_database_names():
            if not name.startswith(platform.topic_prefix.strip(".")):
                continue
            for collection in client[name].list_collection_names():
                for doc in client[name][collection].find({}):
                    text = json.dumps(doc, default=str, ensure_ascii=False)
                    leaks += [f"{name}.{collection}: {n.decode()}" for n in needles if n.decode() in text]
    finally:
        client.close()
    assert leaks == []
