"""A person's payment account (发放账户): recorded and changed by one command with a reason, kept as history,
validated on its fields, never published, masked in views and in clear only through an access-logged reveal."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote
from uuid import UUID

import pytest

from registry.application import RegistryApplication
from registry.domain import NotActive, PaymentAccount, Registration, mask_account_number
from vet_common.domain import Actor, Invalid, PreconditionFailed
from vet_common.idnumber import make_id_number
from vet_devtools.testing import ServiceHarness

STAFF = Actor(sub="staff-1", role="station_staff")
BANK = "中国农业银行福州鼓楼支行"
ACCOUNT = "6228480402564890018"
REASON = "本人提供银行卡"
PURPOSE = "2026-10 发放表银行代发"


def register(harness: ServiceHarness[RegistryApplication]) -> UUID:
    return harness.app.register_person(
        Registration(
            id_number=make_id_number("350102", date(1960, 8, 1), 1, "male"),
            name="张三",
            sex="male",
            birth_date=date(1960, 8, 1),
            region="350102001001",
            categories=["discharged_soldier"],
        ),
        STAFF,
    )


# The domain and the command ------------------------------------------------------------------------------------


def test_spaces_and_hyphens_are_dropped_and_the_bank_name_is_tidied() -> None:
    account = PaymentAccount("  中国农业银行   鼓楼支行 ", "6228 4804-0256 4890 018")
    assert (account.bank, account.account_number) == ("中国农业银行 鼓楼支行", ACCOUNT)


@pytest.mark.parametrize(
    ("bank", "number", "field", "message"),
    [
        (BANK, "62284804025648900X", "account_number", "只能由数字组成"),
        (BANK, "６２２８４８０４０２５６４８９０", "account_number", "只能由数字组成"),  # full-width digits
        (BANK, "", "account_number", "只能由数字组成"),
        (BANK, "12345678901", "account_number", "12–30 位"),  # 11 digits
        (BANK, "1" * 31, "account_number", "12–30 位"),
        ("农", ACCOUNT, "bank", "2–50 个字"),
        ("农" * 51, ACCOUNT, "bank", "2–50 个字"),
    ],
)
def test_an_impossible_account_is_refused_on_its_field(bank: str, number: str, field: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        PaymentAccount(bank, number)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_the_boundaries_of_the_account_number_are_accepted() -> None:
    assert PaymentAccount("农行", "1" * 12).account_number == "1" * 12
    assert PaymentAccount("农" * 50, "1" * 30).account_number == "1" * 30


def test_recording_then_changing_keeps_both_accounts_as_events(harness: ServiceHarness[RegistryApplication]) -> None:
    person_id = register(harness)
    harness.app.record_payment_account(person_id, BANK, ACCOUNT, REASON, STAFF)
    changed = harness.app.record_payment_account(
        person_id, "福州农商银行", "6228 4800 0000 0000 01", "原卡挂失，换新卡", STAFF, expected_version=2
    )
    assert changed.payment_account == {"bank": "福州农商银行", "account_number": "622848000000000001"}
    recorded = [e for e in harness.app.person_events(person_id) if type(e).__name__ == "PaymentAccountRecorded"]
    assert [(e.account_number, e.reason, e.actor) for e in recorded] == [  # type: ignore[attr-defined]
        (ACCOUNT, REASON, STAFF),
        ("622848000000000001", "原卡挂失，换新卡", STAFF),
    ]


@pytest.mark.parametrize(
    ("bank", "number", "reason", "field"),
    [(BANK, ACCOUNT, "  ", "reason"), (BANK, "6228-48O4", REASON, "account_number"), ("农", ACCOUNT, REASON, "bank")],
)
def test_a_refused_account_records_nothing(
    harness: ServiceHarness[RegistryApplication], bank: str, number: str, reason: str, field: str
) -> None:
    person_id = register(harness)
    before = harness.recorded_count()
    with pytest.raises(Invalid) as caught:
        harness.app.record_payment_account(person_id, bank, number, reason, STAFF)
    assert caught.value.field == field
    assert harness.recorded_count() == before
    assert harness.app.person(person_id).payment_account is None


def test_a_deceased_persons_account_is_not_recorded(harness: ServiceHarness[RegistryApplication]) -> None:
    person_id = register(harness)
    harness.app.record_death(person_id, date(2026, 5, 1), STAFF)
    before = harness.recorded_count()
    with pytest.raises(NotActive):
        harness.app.record_payment_account(person_id, BANK, ACCOUNT, REASON, STAFF)
    assert harness.recorded_count() == before


def test_a_stale_version_is_refused_and_records_nothing(harness: ServiceHarness[RegistryApplication]) -> None:
    person_id = register(harness)
    harness.app.record_payment_account(person_id, BANK, ACCOUNT, REASON, STAFF)
    before = harness.recorded_count()
    with pytest.raises(PreconditionFailed):
        harness.app.record_payment_account(person_id, BANK, "622848000000004321", "换卡", STAFF, expected_version=1)
    assert harness.recorded_count() == before
    assert harness.app.person(person_id).payment_account == {"bank": BANK, "account_number": ACCOUNT}


def test_the_account_is_never_published(harness: ServiceHarness[RegistryApplication]) -> None:
    person_id = register(harness)
    harness.app.record_payment_account(person_id, BANK, ACCOUNT, REASON, STAFF)
    published = harness.published()
    assert [event.type for event in published] == ["PersonRegistered"]
    assert not [event for event in published if ACCOUNT in event.model_dump_json() or BANK in event.model_dump_json()]


def test_the_mask_shows_only_the_last_four_digits() -> None:
    assert mask_account_number(ACCOUNT) == "**** **** 0018"


# Over HTTP --------------------------------------------------------------------------------------------------------


def record(api: Any, person_id: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
    return api.change(
        person_id, "payment-account", {"bank": BANK, "account_number": ACCOUNT, "reason": REASON, **body}, headers
    )


def test_the_answer_and_the_record_show_the_account_masked(api: Any) -> None:
    person_id = api.register()
    response = record(api, person_id, account_number="6228 4804 0256 4890 018")
    assert response.status_code == 200, response.text
    assert response.json()["payment_account"] == {"bank": BANK, "account_number": "**** **** 0018"}
    assert api.get(person_id)["payment_account"] == {"bank": BANK, "account_number": "**** **** 0018"}
    stored = api.app.recorder.select_events(UUID(person_id))
    assert not [e for e in stored if ACCOUNT.encode() in e.state]  # encrypted at rest, like the rest of the record


@pytest.mark.integration  # the history also lists reads in clear, from the access-log read model
def test_the_history_keeps_each_account_masked_with_its_reason(api_with_read_models: Any) -> None:
    api = api_with_read_models
    person_id = api.register()
    assert record(api, person_id).status_code == 200
    assert record(api, person_id, account_number="622848000000004321", reason="换卡").status_code == 200
    response = api.client.get(f"/persons/{person_id}/history", headers=api.headers())
    assert response.status_code == 200
    recorded = [entry for entry in response.json() if entry["type"] == "PaymentAccountRecorded"]
    assert [(e["changes"]["account_number"], e["changes"]["reason"]) for e in recorded] == [
        ("**** **** 0018", REASON),
        ("**** **** 4321", "换卡"),
    ]
    assert ACCOUNT not in response.text


def test_a_person_without_an_account_shows_none(api: Any) -> None:
    assert api.get(api.register())["payment_account"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"account_number": "6228-48O4"}, "account_number"), ({"bank": "农"}, "bank"), ({"reason": ""}, "reason")],
)
def test_a_bad_account_is_a_422_on_its_field_and_records_nothing(api: Any, body: dict[str, str], field: str) -> None:
    person_id = api.register()
    before = api.app.recorder.max_notification_id()
    response = record(api, person_id, **body)
    assert response.status_code == 422, response.text
    assert [problem["field"] for problem in response.json()["detail"]] == [field]
    assert "(" in response.json()["detail"][0]["message"]  # Chinese, then English in parentheses
    assert api.app.recorder.max_notification_id() == before


def test_outside_the_jurisdiction_the_person_is_not_found(api: Any) -> None:
    person_id = api.register()
    before = api.app.recorder.max_notification_id()
    response = record(api, person_id, headers=api.headers(region="350102002"))
    assert response.status_code == 404
    assert api.app.recorder.max_notification_id() == before


def test_the_account_in_clear_only_for_a_stated_purpose_and_logged(api: Any) -> None:
    person_id = api.register()
    assert record(api, person_id).status_code == 200
    officer = api.headers(role="officer", region="350102", sub="officer-9")
    unstated = api.client.get(f"/persons/{person_id}", params={"reveal": "payment_account"}, headers=officer)
    assert unstated.status_code == 422
    shown = api.get(person_id, headers={**officer, "X-Purpose": quote(PURPOSE)}, reveal="payment_account")
    assert shown["payment_account"] == {"bank": BANK, "account_number": ACCOUNT}
    before = api.app.recorder.max_notification_id()
    response = api.client.post(
        "/persons/reveal",
        json={"person_ids": [person_id], "fields": ["id_number", "payment_account"], "purpose": PURPOSE},
        headers=officer,
    )
    assert response.status_code == 200, response.text
    [person] = response.json()["persons"]
    assert person["payment_account"] == {"bank": BANK, "account_number": ACCOUNT}
    assert api.app.recorder.max_notification_id() == before + 1  # the read, in the access log
