"""A person's record from registration to death, through HTTP: every change shows in GET /persons/{id}."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

COUNTY = "350102"
VILLAGE_A = "350102001001"


def test_register_with_every_field_derives_sex_and_birth_date_from_the_id_number(api: Any) -> None:
    id_number = api.id_number(date(1962, 5, 17), "female")
    body = {
        "id_number": id_number,
        "name": "李秀英",
        "ethnicity": "回族",
        "phone": "13812345678",
        "address": "福州市鼓楼区鼓东街道某某路 1 号",
        "region": VILLAGE_A,
        "household": "rural",
        "categories": ["discharged_soldier", "disabled_soldier"],
        "service": {"enlisted_on": "1980-12-01", "discharged_on": "1985-10-01", "branch": "陆军", "rank": "上士"},
    }
    created = api.client.post("/persons", json=body, headers=api.headers())
    assert created.status_code == 201, created.text

    person = api.get(created.json()["id"])
    assert person["sex"] == "female"
    assert person["birth_date"] == "1962-05-17"
    assert person["name"] == "李秀英"
    assert person["ethnicity"] == "回族"
    assert person["phone"] == "138****5678"
    assert person["address"] == "福州市鼓楼区鼓东街道某某路 1 号"
    assert person["region"] == VILLAGE_A
    assert person["region_name"].startswith("福建省 福州市 鼓楼区")
    assert person["household"] == "rural"
    assert person["categories"] == ["discharged_soldier", "disabled_soldier"]
    assert person["category_names"] == ["退役士兵", "残疾军人"]
    assert person["service"] == {
        "enlisted_on": "1980-12-01",
        "discharged_on": "1985-10-01",
        "branch": "陆军",
        "rank": "上士",
    }
    assert person["status"] == "active"
    assert person["key_contact"] is False
    assert person["key_contact_reasons"] == []


@pytest.mark.parametrize(
    ("route", "body", "expect"),
    [
        (
            "profile",
            {"housing": "自有住房，年久失修", "difficulties": "  希望帮助修缮房屋  "},
            lambda p: p["profile"] == {"housing": "自有住房，年久失修", "difficulties": "希望帮助修缮房屋"},
        ),
        (
            "contact",
            {"phone": "139 0000 1234", "address": "福州市鼓楼区新地址 8 号"},
            lambda p: p["phone"] == "139****1234" and p["address"] == "福州市鼓楼区新地址 8 号",
        ),
        (
            "categories",
            {"categories": ["demobilized_soldier", "disabled_militia"]},
            lambda p: p["categories"] == ["demobilized_soldier", "disabled_militia"],
        ),
        (
            "service-record",
            {"enlisted_on": "1978-03", "discharged_on": "1982-11", "branch": "海军", "rank": "中士"},
            lambda p: (
                p["service"]
                == {"enlisted_on": "1978-03-01", "discharged_on": "1982-11-01", "branch": "海军", "rank": "中士"}
            ),
        ),
        (
            "honours",
            {"title": "三等功", "awarded_on": "1981-08-01"},
            lambda p: (
                [h["title"] for h in p["honours"]] == ["三等功"] and p["honours"][0]["awarded_on"] == "1981-08-01"
            ),
        ),
        (
            "disability",
            {"level": 8, "cause": "因公", "certificate_no": "闽残 0001"},
            lambda p: (
                p["disability"]["level"] == 8
                and p["disability"]["cause"] == "因公"
                and p["disability"]["certificate_no"] == "闽残 0001"
            ),
        ),
        (
            "key-contacts",
            {"reason": "living_in_difficulty", "note": "独居，收入低"},
            lambda p: p["key_contact"] is True and p["key_contact_reasons"] == ["living_in_difficulty"],
        ),
        (
            "annual-confirmations",
            {"year": 2025, "note": "本人到场确认"},
            lambda p: [(c["year"], c["note"]) for c in p["annual_confirmations"]] == [(2025, "本人到场确认")],
        ),
        (
            "death",
            {"date": "2024-02-10"},
            lambda p: p["status"] == "deceased" and p["died_on"] == "2024-02-10",
        ),
    ],
)
def test_each_change_endpoint_changes_what_the_record_shows(
    api: Any, route: str, body: dict[str, Any], expect: Any
) -> None:
    person_id = api.register(phone="13812345678", address="旧地址")
    before = api.get(person_id)

    response = api.change(person_id, route, body)
    assert response.status_code == 200, response.text
    after = api.get(person_id)
    assert expect(after), after
    assert after["version"] == before["version"] + 1
    assert response.json() == after


def test_removing_a_designated_key_contact_reason(api: Any) -> None:
    person_id = api.register()
    api.change(person_id, "key-contacts", {"reason": "unemployed"})
    removed = api.change(person_id, "key-contacts", {"action": "remove", "reason": "unemployed", "note": "已就业"})
    assert removed.status_code == 200, removed.text
    assert api.get(person_id)["key_contact_reasons"] == []


def test_derived_key_contact_reasons_cannot_be_designated_by_hand(api: Any) -> None:
    person_id = api.register()
    response = api.change(person_id, "key-contacts", {"reason": "aged_80_or_over"})
    assert response.status_code == 422
    assert api.get(person_id)["key_contact_reasons"] == []


def test_preferential_card_is_applied_for_then_issued_and_cannot_be_issued_first(api: Any) -> None:
    person_id = api.register()
    too_early = api.change(person_id, "certificates", {"action": "issue_preferential_card", "number": "YD001"})
    assert too_early.status_code == 422, too_early.text
    assert api.get(person_id)["preferential_card"] == {"status": "none"}

    applied = api.change(person_id, "certificates", {"action": "apply_preferential_card"})
    assert applied.status_code == 200, applied.text
    assert api.get(person_id)["preferential_card"] == {"status": "applied"}

    issued = api.change(
        person_id, "certificates", {"action": "issue_preferential_card", "number": "YD001", "issued_on": "2026-03-01"}
    )
    assert issued.status_code == 200, issued.text
    assert api.get(person_id)["preferential_card"] == {
        "status": "issued",
        "card_no": "YD001",
        "issued_on": "2026-03-01",
    }
    twice = api.change(person_id, "certificates", {"action": "apply_preferential_card"})
    assert twice.status_code == 422


def test_replacing_the_disability_certificate_gives_the_new_style(api: Any) -> None:
    person_id = api.register()
    no_disability = api.change(
        person_id, "certificates", {"action": "replace_disability_certificate", "number": "新证 01"}
    )
    assert no_disability.status_code == 422
    api.change(person_id, "disability", {"level": 5, "cause": "因战", "certificate_no": "旧证 01"})
    assert api.get(person_id)["disability"]["certificate_style"] == "old"

    replaced = api.change(person_id, "certificates", {"action": "replace_disability_certificate", "number": "新证 01"})
    assert replaced.status_code == 200, replaced.text
    disability = api.get(person_id)["disability"]
    assert disability["certificate_no"] == "新证 01"
    assert disability["certificate_style"] == "new"


def test_an_annual_confirmation_is_recorded_once_per_year(api: Any) -> None:
    person_id = api.register()
    assert api.change(person_id, "annual-confirmations", {"year": 2025}).status_code == 200
    again = api.change(person_id, "annual-confirmations", {"year": 2025, "note": "again"})
    assert again.status_code == 422
    assert [c["year"] for c in api.get(person_id)["annual_confirmations"]] == [2025]
    assert api.change(person_id, "annual-confirmations", {"year": 2026}).status_code == 200
    assert [c["year"] for c in api.get(person_id)["annual_confirmations"]] == [2025, 2026]


def test_a_future_year_cannot_be_confirmed(api: Any) -> None:
    person_id = api.register()
    assert api.change(person_id, "annual-confirmations", {"year": date.today().year + 1}).status_code == 422


def test_linking_a_survivor_to_a_veteran_adds_the_category_and_the_link(api: Any) -> None:
    veteran_id = api.register(birth=date(1950, 1, 1))
    widow_id = api.register(birth=date(1952, 3, 3), sex="female", name="陈桂兰", categories=["active_duty_family"])

    response = api.change(
        widow_id, "survivors", {"veteran_id": veteran_id, "relation": "spouse", "category": "martyr_survivor"}
    )
    assert response.status_code == 200, response.text
    widow = api.get(widow_id)
    assert widow["survivor_of"] == [{"veteran_id": veteran_id, "relation": "spouse", "category": "martyr_survivor"}]
    assert widow["categories"] == ["active_duty_family", "martyr_survivor"]
    assert "martyr_survivor" in widow["key_contact_reasons"]


def test_a_person_cannot_be_their_own_survivor(api: Any) -> None:
    person_id = api.register()
    response = api.change(
        person_id, "survivors", {"veteran_id": person_id, "relation": "spouse", "category": "martyr_survivor"}
    )
    assert response.status_code == 422


def test_a_death_date_in_the_future_or_before_birth_is_refused(api: Any) -> None:
    person_id = api.register(birth=date(1960, 8, 1))
    assert api.change(person_id, "death", {"date": "2999-01-01"}).status_code == 422
    assert api.change(person_id, "death", {"date": "1950-01-01"}).status_code == 422
    assert api.get(person_id)["status"] == "active"


# A deceased person's record -------------------------------------------------------------------------------------

CHANGES_TO_A_CLOSED_RECORD = [
    ("profile", {"housing": "无"}),
    ("contact", {"phone": "13900001111"}),
    ("categories", {"categories": ["demobilized_soldier"]}),
    ("service-record", {"branch": "空军"}),
    ("honours", {"title": "三等功"}),
    ("disability", {"level": 9, "cause": "因公", "certificate_no": "X1"}),
    ("key-contacts", {"reason": "other"}),
    ("certificates", {"action": "apply_preferential_card"}),
    ("annual-confirmations", {"year": 2025}),
    ("death", {"date": "2024-03-01"}),
]


@pytest.fixture
def deceased(api: Any) -> str:
    person_id = api.register(phone="13812345678")
    died = api.change(person_id, "death", {"date": "2024-02-10"})
    assert died.status_code == 200, died.text
    return str(person_id)


@pytest.mark.parametrize(("route", "body"), CHANGES_TO_A_CLOSED_RECORD, ids=[r for r, _ in CHANGES_TO_A_CLOSED_RECORD])
def test_a_deceased_persons_record_refuses_changes_with_409(
    api: Any, deceased: str, route: str, body: dict[str, Any]
) -> None:
    before = api.get(deceased)
    response = api.change(deceased, route, body)
    assert response.status_code == 409, response.text
    assert api.get(deceased)["version"] == before["version"]


def test_a_deceased_persons_record_refuses_a_survivor_link(api: Any, deceased: str) -> None:
    veteran_id = api.register(birth=date(1940, 1, 1))
    response = api.change(
        deceased, "survivors", {"veteran_id": veteran_id, "relation": "child", "category": "martyr_survivor"}
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("route", "body", "expect"),
    [
        ("contact", {"phone": "13900001111", "address": "更正后的地址"}, lambda p: p["address"] == "更正后的地址"),
        ("profile", {"family_life": "配偶健在"}, lambda p: p["profile"] == {"family_life": "配偶健在"}),
        ("categories", {"categories": ["demobilized_soldier"]}, lambda p: p["categories"] == ["demobilized_soldier"]),
        ("service-record", {"branch": "空军"}, lambda p: p["service"]["branch"] == "空军"),
        ("honours", {"title": "二等功"}, lambda p: p["honours"][0]["title"] == "二等功"),
        ("disability", {"level": 9, "cause": "因公", "certificate_no": "X1"}, lambda p: p["disability"]["level"] == 9),
    ],
)
def test_an_officer_may_correct_a_deceased_persons_record_with_a_reason(
    api: Any, deceased: str, route: str, body: dict[str, Any], expect: Any
) -> None:
    officer = api.headers(role="officer", region=COUNTY, sub="officer-1")
    without_reason = api.change(deceased, route, body, headers=officer)
    assert without_reason.status_code == 409

    corrected = api.change(
        deceased, route, {**body, "correction_reason": "登记时录入错误，据户籍资料更正"}, headers=officer
    )
    assert corrected.status_code == 200, corrected.text
    person = api.get(deceased)
    assert expect(person), person
    assert person["status"] == "deceased"


def test_station_staff_may_not_correct_a_deceased_persons_record(api: Any, deceased: str) -> None:
    response = api.change(deceased, "contact", {"address": "新地址", "correction_reason": "录入错误"})
    assert response.status_code == 403
    assert api.get(deceased)["address"] is None


# Derived key contacts -------------------------------------------------------------------------------------------


def test_aged_80_or_over_is_a_key_contact_reason(api: Any) -> None:
    person_id = api.register(birth=date(1940, 1, 1))
    person = api.get(person_id)
    assert person["key_contact"] is True
    assert person["key_contact_reasons"] == ["aged_80_or_over"]
    assert api.get(api.register(birth=date(1970, 1, 1)))["key_contact_reasons"] == []


@pytest.mark.parametrize(("level", "is_key"), [(1, True), (6, True), (7, False), (10, False)])
def test_disability_level_1_to_6_is_a_key_contact_reason(api: Any, level: int, is_key: bool) -> None:
    person_id = api.register()
    api.change(person_id, "disability", {"level": level, "cause": "因战", "certificate_no": "C1"})
    reasons = api.get(person_id)["key_contact_reasons"]
    assert (reasons == ["severely_disabled"]) is is_key, reasons


def test_a_martyrs_survivor_is_a_key_contact(api: Any) -> None:
    person_id = api.register(categories=["martyr_survivor"])
    assert api.get(person_id)["key_contact_reasons"] == ["martyr_survivor"]


@pytest.mark.parametrize(("title", "is_key"), [("二等功", True), ("一等功", True), ("三等功", False)])
def test_second_class_merit_or_higher_is_a_key_contact_reason(api: Any, title: str, is_key: bool) -> None:
    person_id = api.register()
    api.change(person_id, "honours", {"title": title})
    reasons = api.get(person_id)["key_contact_reasons"]
    assert (reasons == ["meritorious"]) is is_key, reasons


def test_every_derived_reason_at_once_and_a_designation_beside_them(api: Any) -> None:
    person_id = api.register(birth=date(1938, 4, 4), categories=["martyr_survivor"])
    api.change(person_id, "disability", {"level": 2, "cause": "因战", "certificate_no": "C2"})
    api.change(person_id, "honours", {"title": "二等功"})
    api.change(person_id, "key-contacts", {"reason": "widowed_orphaned_alone"})
    assert api.get(person_id)["key_contact_reasons"] == [
        "aged_80_or_over",
        "martyr_survivor",
        "meritorious",
        "severely_disabled",
        "widowed_orphaned_alone",
    ]


def test_a_deceased_persons_key_contact_designation_cannot_be_removed(api: Any) -> None:
    person_id = api.register()
    api.change(person_id, "key-contacts", {"reason": "unemployed"})
    api.change(person_id, "death", {"date": "2024-02-10"})
    version = api.get(person_id)["version"]
    response = api.change(person_id, "key-contacts", {"action": "remove", "reason": "unemployed"})
    assert response.status_code == 409, response.text
    assert api.get(person_id)["version"] == version


def test_an_officer_corrects_a_death_date_or_revokes_a_death_recorded_in_error(api: Any) -> None:
    person_id = api.register()
    died = api.client.post(f"/persons/{person_id}/death", json={"date": "2026-01-05"}, headers=api.headers())
    assert died.status_code == 200, died.text
    staff = api.client.post(
        f"/persons/{person_id}/death",
        json={"date": "2026-01-06", "correction_reason": "登记错误"},
        headers=api.headers(),
    )
    assert staff.status_code == 403
    officer = api.headers(role="officer")
    moved = api.client.post(
        f"/persons/{person_id}/death",
        json={"date": "2026-01-06", "correction_reason": "死亡证明日期为6日"},
        headers=officer,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["died_on"] == "2026-01-06"
    revoked = api.client.post(
        f"/persons/{person_id}/death", json={"date": None, "correction_reason": "误报死亡"}, headers=officer
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "active"
    assert revoked.json()["died_on"] is None


def test_a_change_from_a_stale_screen_is_refused_with_412_and_records_nothing(api: Any) -> None:
    person_id = api.register()
    loaded = api.client.get(f"/persons/{person_id}", headers=api.headers())
    etag = loaded.headers["ETag"]
    assert etag == '"1"'
    # Officer A saves first, from the screen both loaded.
    first = api.client.post(
        f"/persons/{person_id}/contact", json={"address": "鼓楼区一号"}, headers={**api.headers(), "If-Match": etag}
    )
    assert first.status_code == 200, first.text
    events_before = len(api.app.person_events(UUID(person_id)))
    # Officer B, still on version 1, is told to reload instead of overwriting A's change.
    stale = api.client.post(
        f"/persons/{person_id}/contact", json={"address": "台江区二号"}, headers={**api.headers(), "If-Match": etag}
    )
    assert stale.status_code == 412, stale.text
    assert stale.json()["version"] == 2
    assert len(api.app.person_events(UUID(person_id))) == events_before
    assert api.get(person_id)["address"] == "鼓楼区一号"
    fresh = api.client.post(
        f"/persons/{person_id}/contact", json={"address": "台江区二号"}, headers={**api.headers(), "If-Match": 'W/"2"'}
    )
    assert fresh.status_code == 200, fresh.text


def test_if_match_must_be_a_version(api: Any) -> None:
    person_id = api.register()
    response = api.change(person_id, "contact", {"address": "x"}, headers={**api.headers(), "If-Match": "yesterday"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "If-Match"
    assert len(api.app.person_events(UUID(person_id))) == 1
