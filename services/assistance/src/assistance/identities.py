"""Who a payee is, for the bank file only (银行代发): name, ID number and payment account (发放账户) asked of the
registry (POST /persons/reveal) with the caller's own token and the file's purpose, so the registry checks the
caller's role and jurisdiction and records each read in its access log. Assistance keeps none of it: not in events,
not in read models; the answer goes into the file and is dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from vet_common.domain import DomainError, Refused

CHUNK = 1000  # people per request: the registry's limit
FIELDS = ["id_number", "payment_account"]


class RegistryUnavailable(DomainError):
    """The registry did not answer: the bank file cannot be made now (nothing was written)."""

    status_code = 503


@dataclass(frozen=True)
class Identity:
    name: str
    id_number: str
    bank: str | None = None  # 开户银行 and 账号 of the payment account; None: the registry holds none
    account_number: str | None = None


class Identities(Protocol):
    async def of(self, person_ids: list[str], purpose: str, authorization: str) -> dict[str, Identity]:
        """Name, ID number and payment account of each person the caller may see among `person_ids` (absent: unknown
        to them; bank and account_number None: known, without an account)."""
        ...


class RegistryIdentities:
    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url, self.transport = base_url, transport

    async def of(self, person_ids: list[str], purpose: str, authorization: str) -> dict[str, Identity]:
        found: dict[str, Identity] = {}
        headers = {"Authorization": authorization}
        async with httpx.AsyncClient(base_url=self.base_url, transport=self.transport, timeout=60) as client:
            for start in range(0, len(person_ids), CHUNK):
                body = {"person_ids": person_ids[start : start + CHUNK], "fields": FIELDS, "purpose": purpose}
                try:
                    response = await client.post("/persons/reveal", json=body, headers=headers)
                except httpx.HTTPError as error:
                    raise RegistryUnavailable(UNAVAILABLE + f": {type(error).__name__}") from None
                if response.status_code == 403:
                    raise Refused(
                        "您的角色不能取得身份证号码，银行代发文件须由业务科室人员下载 "
                        "(your role may not read ID numbers: an officer downloads the bank file)"
                    )
                if response.status_code != 200:
                    raise RegistryUnavailable(UNAVAILABLE + f": {response.status_code}")
                for person in response.json()["persons"]:
                    account = person.get("payment_account") or {}
                    found[person["id"]] = Identity(
                        name=person["name"],
                        id_number=person["id_number"],
                        bank=account.get("bank"),
                        account_number=account.get("account_number"),
                    )
        return found


UNAVAILABLE = "暂时无法从登记服务取得身份证号码，请稍后重试 (the registry could not be reached; try again shortly)"
