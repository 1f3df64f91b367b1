"""The domain kit: actors, refusals mapped to HTTP, the clock, derived ids."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from vet_common.api import refusal_response
from vet_common.domain import (
    SYSTEM_ACTOR,
    Actor,
    Conflict,
    DomainError,
    FixedClock,
    Invalid,
    NotFound,
    Refused,
    SystemClock,
    actor_from,
    derived_id,
)


def test_an_actor_is_a_value() -> None:
    assert Actor(sub="a", role="officer") == Actor(sub="a", role="officer")
    assert actor_from({"sub": "a", "role": "officer"}) == Actor(sub="a", role="officer")
    assert actor_from(None) == SYSTEM_ACTOR
    with pytest.raises(Exception):  # noqa: B017, PT011 - frozen: pydantic's ValidationError
        Actor(sub="a", role="x").sub = "b"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (NotFound("查无此人 (no such person)"), 404, {"detail": "查无此人 (no such person)"}),
        (Conflict("已去世 (deceased)", existing_id="x"), 409, {"detail": "已去世 (deceased)", "existing_id": "x"}),
        (Refused("无权限 (not allowed)"), 403, {"detail": "无权限 (not allowed)"}),
        (
            Invalid("date", "日期不对 (bad date)"),
            422,
            {"detail": [{"field": "date", "message": "日期不对 (bad date)"}]},
        ),
    ],
)
def test_each_refusal_has_its_status_and_body(error: DomainError, status: int, body: dict[str, object]) -> None:
    app = FastAPI()

    @app.get("/")
    async def refuse() -> None:
        raise error

    app.add_exception_handler(DomainError, lambda _request, exc: refusal_response(exc))  # type: ignore[arg-type]
    response = TestClient(app).get("/")
    assert response.status_code == status
    assert response.json() == body


def test_a_bug_is_not_a_refusal() -> None:
    assert not issubclass(ValueError, DomainError)
    assert not issubclass(DomainError, ValueError)


def test_a_fixed_clock_gives_china_s_date() -> None:
    # 20:00 UTC on 31 July is already 1 August in China.
    clock = FixedClock(datetime(2026, 7, 31, 20, tzinfo=UTC))
    assert clock.today() == date(2026, 8, 1)
    clock.advance(days=1)
    assert clock.today() == date(2026, 8, 2)
    assert FixedClock(date(2026, 8, 1)).today() == date(2026, 8, 1)
    with pytest.raises(ValueError, match="timezone"):
        FixedClock(datetime(2026, 8, 1))


def test_the_system_clock_follows_time_machine() -> None:
    import time_machine

    with time_machine.travel(datetime(2030, 1, 1, 3, tzinfo=UTC), tick=False):
        assert SystemClock().today() == date(2030, 1, 1)
        assert SystemClock().now() == datetime(2030, 1, 1, 3, tzinfo=UTC)


def test_derived_ids_are_stable_and_distinct() -> None:
    assert derived_id("vet.x", "a", 1) == derived_id("vet.x", "a", 1)
    assert derived_id("vet.x", "a", 1) != derived_id("vet.x", "a", 2)
    assert derived_id("vet.x", "a") != derived_id("vet.y", "a")
    with pytest.raises(ValueError, match="part"):
        derived_id("vet.x")
