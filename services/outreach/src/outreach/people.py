"""Who a visit is with: asks the registry's HTTP API, with the caller's own token, so jurisdiction holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx


@dataclass(frozen=True)
class PersonRef:
    id: str
    region: str
    status: str


class RegistryUnavailable(Exception):
    pass


class PersonDirectory(Protocol):
    async def find(self, person_id: str, bearer_token: str) -> PersonRef | None: ...


class RegistryDirectory:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def find(self, person_id: str, bearer_token: str) -> PersonRef | None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(
                    f"{self.base_url}/persons/{person_id}", headers={"Authorization": f"Bearer {bearer_token}"}
                )
        except httpx.HTTPError as error:
            raise RegistryUnavailable(str(error)) from error
        if response.status_code in (404, 422):
            return None
        if response.status_code != 200:
            raise RegistryUnavailable(f"registry answered {response.status_code}")
        body = response.json()
        return PersonRef(id=body["id"], region=body["region"], status=body["status"])
