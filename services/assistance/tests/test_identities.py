"""The registry client of the bank file: a thousand people per request, the caller's token passed on, a refusal
said as one, and a registry that does not answer a 503 (the file is not made)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from assistance.identities import RegistryIdentities, RegistryUnavailable
from vet_common.domain import Refused

ACCOUNT = {"bank": "中国农业银行福州鼓楼支行", "account_number": "6228480402564890018"}


def test_people_are_asked_a_thousand_at_a_time_with_the_callers_token_and_the_purpose() -> None:
    asked: list[dict[str, object]] = []

    def registry(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        asked.append({**body, "authorization": request.headers["authorization"], "path": request.url.path})
        persons = [
            {"id": p, "name": "张三", "id_number": f"ID-{p}", "payment_account": ACCOUNT if p != "p-8" else None}
            for p in body["person_ids"]
            if p != "p-7"
        ]
        return httpx.Response(200, json={"persons": persons, "missing": ["p-7"]})

    people = [f"p-{n}" for n in range(2_500)]
    client = RegistryIdentities("http://registry", httpx.MockTransport(registry))
    found = asyncio.run(client.of(people, "2026-10 发放表", "Bearer t"))

    assert [len(call["person_ids"]) for call in asked] == [1000, 1000, 500]  # type: ignore[arg-type]
    assert {(c["path"], c["purpose"], c["authorization"], tuple(c["fields"])) for c in asked} == {  # type: ignore[arg-type]
        ("/persons/reveal", "2026-10 发放表", "Bearer t", ("id_number", "payment_account"))
    }
    assert len(found) == 2_499
    assert "p-7" not in found
    assert found["p-1"].id_number == "ID-p-1"
    assert (found["p-1"].bank, found["p-1"].account_number) == (ACCOUNT["bank"], ACCOUNT["account_number"])
    assert (found["p-8"].bank, found["p-8"].account_number) == (None, None)  # known, but without an account


@pytest.mark.parametrize(
    ("answer", "refusal"),
    [
        (lambda request: httpx.Response(403, json={"detail": "no"}), Refused),
        (lambda request: httpx.Response(500), RegistryUnavailable),
        (lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused")), RegistryUnavailable),
    ],
)
def test_a_refusal_or_a_registry_that_does_not_answer_makes_no_file(answer: object, refusal: type) -> None:
    client = RegistryIdentities("http://registry", httpx.MockTransport(answer))  # type: ignore[arg-type]
    with pytest.raises(refusal):
        asyncio.run(client.of(["p-1"], "2026-10 发放表", "Bearer t"))
