"""`vet demo` against a whole platform (small): everything goes in through the APIs, and a second run refuses
and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from vet_common.auth import issue_token
from vet_common.settings import SERVICES, Settings
from vet_devtools.demo import COUNTY, DemoRefused, DemoSize, demo_people, load_demo
from vet_devtools.testing.platform import Platform

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(400)]

SIZE = DemoSize(people=20, townships=2)


def get(platform: Platform, service: str, path: str, role: str = "officer", **params: Any) -> Any:
    token = issue_token(Settings(), sub="checker", name="checker", roles=[role], region=COUNTY)
    answer = httpx.get(f"{platform.url(service)}{path}", params=params, headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    return answer.json()


def test_the_demo_county_is_loaded_through_the_apis_once(platform: Platform) -> None:
    urls = {service: platform.url(service) for service in SERVICES}
    people = demo_people(SIZE)
    key = [person for person in people if person.key_contact]
    counts = load_demo(SIZE, urls, say=lambda _: None)
    assert counts["people"] == 20
    assert counts["pairings"] == len(key) == 6
    assert counts["contacts"] == len([p for p in key if p.index % 7 != 6])
    assert counts["requests"] == 2
    assert counts["applications"] == 2
    assert counts["funds"] == 2
    assert counts["payrolls"] == 1
    assert counts["payment_accounts"] == counts["enrolments"] >= 1  # each payee of the payroll has one
    assert counts["campaigns_finished"] == 1
    assert counts["campaign_targets"] == len(key)

    found = httpx.post(
        f"{platform.url('registry')}/persons/search",
        json={"q": people[0].id_number},
        headers={
            "Authorization": f"Bearer {issue_token(Settings(), sub='c', name='c', roles=['officer'], region=COUNTY)}"
        },
    ).json()
    assert found["items"][0]["name"] == people[0].name
    funds = get(platform, "assistance", "/funds")["items"]
    assert sorted(fund["kind"] for fund in funds) == ["regular_entitlement", "temporary_hardship_aid"]
    applications = get(platform, "assistance", "/applications", page_size=50)["items"]
    assert sorted(a["waiting_for"] for a in applications) == ["accept", "approve:county"]

    with pytest.raises(DemoRefused, match="演示数据已经加载过"):
        load_demo(SIZE, urls, say=lambda _: None)
    assert len(get(platform, "assistance", "/funds")["items"]) == 2  # nothing was added
