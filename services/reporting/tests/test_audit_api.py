"""Auditors search the archive (by record, actor, region, type, time; keyset pages) and verify it over HTTP."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest

from reporting.domain.archive import ARCHIVE_ID
from vet_contracts import Actor, IntegrationEvent
from vet_devtools.testing.people import RegistryFeed

pytestmark = pytest.mark.integration

ReportingApi = Any  # conftest.ReportingApi
VILLAGE_A, VILLAGE_B, OTHER_COUNTY_VILLAGE = "350102001001", "350102002001", "350103001001"


def by(event: IntegrationEvent, sub: str, day: int) -> IntegrationEvent:
    return event.model_copy(
        update={"actor": Actor(sub=sub, role="station_staff"), "occurred_at": datetime(2026, 8, day, 2, tzinfo=UTC)}
    )


@pytest.fixture
def archived(api: ReportingApi) -> ReportingApi:
    feed = RegistryFeed()
    api.deliver(
        by(feed.registered("p-1", VILLAGE_A), "wang", 3),
        by(feed.registered("p-2", VILLAGE_B), "li", 4),
        by(
            feed.event("KeyContactDesignated", "p-1", key_contact_reasons=["unemployed"], reason="unemployed"),
            "wang",
            5,
        ),
        by(feed.registered("p-3", OTHER_COUNTY_VILLAGE), "wang", 6),
        by(feed.died("p-2"), "wang", 9),
    )
    api.project()
    return api


def audit(api: ReportingApi, region: str = "3501", **params: Any) -> Any:
    return api.get("/audit/events", role="auditor", region=region, **params)


def test_everything_one_officer_did_last_week(archived: ReportingApi) -> None:
    page = audit(archived, actor="wang", **{"from": "2026-08-03T00:00:00+08:00", "to": "2026-08-07T00:00:00+08:00"})
    assert [(item["type"], item["aggregate_id"]) for item in page["items"]] == [
        ("PersonRegistered", "p-3"),
        ("KeyContactDesignated", "p-1"),
        ("PersonRegistered", "p-1"),
    ]  # newest first
    assert page["chain_intact"] is True
    assert page["items"][0]["actor"] == {"sub": "wang", "role": "station_staff"}
    oldest = audit(archived, actor="wang", order="oldest", type="PersonRegistered")
    assert [item["aggregate_id"] for item in oldest["items"]] == ["p-1", "p-3"]


def test_a_records_history_is_paged_by_cursor_within_the_jurisdiction(archived: ReportingApi) -> None:
    first = audit(archived, aggregate_id="p-1", page_size=1)
    assert [item["type"] for item in first["items"]] == ["KeyContactDesignated"]
    second = audit(archived, aggregate_id="p-1", page_size=1, after=first["next"])
    assert [item["type"] for item in second["items"]] == ["PersonRegistered"]
    assert second["next"] is None
    in_county = audit(archived, region="350102", actor="wang")["items"]
    assert [i["aggregate_id"] for i in in_county] == ["p-2", "p-1", "p-1"]  # not p-3, in another county
    assert audit(archived, region="350102", aggregate_id="p-3")["items"] == []  # another county's record
    township = audit(archived, region="350102001")
    assert {item["aggregate_id"] for item in township["items"]} == {"p-1"}


def test_the_audit_log_is_for_auditors_and_narrowed_first(archived: ReportingApi) -> None:
    officer = archived.client.get("/audit/events", params={"actor": "wang"}, headers=archived.headers("officer"))
    assert officer.status_code == 403
    wide = archived.client.get("/audit/events", headers=archived.headers("auditor", "35"))
    assert wide.status_code == 422
    assert "narrow the search first" in wide.text
    outside = archived.client.get(
        "/audit/events", params={"actor": "wang", "region": "3502"}, headers=archived.headers("auditor", "3501")
    )
    assert outside.status_code == 403


def test_get_audit_verify_says_where_the_archive_was_altered(archived: ReportingApi) -> None:
    verdict = archived.get("/audit/verify", role="auditor", region="35")
    assert verdict["intact"] is True
    assert verdict["entries"] == 5
    connection = sqlite3.connect(archived.settings.data_dir / "reporting.sqlite")
    with connection:
        connection.execute(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 2", (ARCHIVE_ID.hex,)
        )
    connection.close()
    verdict = archived.get("/audit/verify", role="auditor", region="35")
    assert verdict["intact"] is False
    assert verdict["problems"][0] == {"position": 2, "message": "第 2 条缺失 (entries 2 were deleted)"}
