"""Calls to the services' HTTP APIs with the signed-in user's token; failures become named errors the pages show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

# The services by the name a station worker knows them.
SERVICE_NAMES = {
    "registry": "人员档案服务",
    "outreach": "联系走访服务",
    "assistance": "帮扶资金服务",
    "reporting": "统计报表服务",
}


class ServiceUnavailable(Exception):
    """The service did not answer, or answered with a server error: the page says which and to try again."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES.get(self.service, self.service)


class ApiRefused(Exception):
    """A 4xx answer: the status and the API's own words (a message, or [{field, message}] for bad values)."""

    def __init__(self, service: str, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{service} answered {status}: {body}")
        self.service = service
        self.status = status
        self.body = body

    @property
    def detail(self) -> Any:
        return self.body.get("detail")

    def field_errors(self) -> dict[str, str]:
        """field -> message for a 422 (or a refusal naming a field); empty when the API named no field."""
        detail = self.detail
        if not isinstance(detail, list):
            return {}
        errors: dict[str, str] = {}
        for item in detail:
            if isinstance(item, dict) and "field" in item:
                field = str(item["field"])
                errors[field] = (
                    f"{errors[field]}；{item.get('message', '')}" if field in errors else str(item.get("message", ""))
                )
        return errors

    def message(self) -> str:
        """One sentence for the top of the page."""
        detail = self.detail
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):
            return "；".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in detail)
        return f"请求未被接受（{self.status}） (refused: {self.status})"


@dataclass
class Api:
    """One service's API for one signed-in user."""

    service: str
    http: httpx.AsyncClient
    base_url: str
    token: str

    async def request(
        self,
        method: str,
        path: str,
        *,
        purpose: str | None = None,
        if_match: int | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        headers["Authorization"] = f"Bearer {self.token}"
        if purpose is not None:
            headers["X-Purpose"] = quote(purpose)  # headers are latin-1: the API decodes percent-encoding
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        try:
            response = await self.http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(self.service, type(error).__name__) from None
        if response.status_code >= 500:
            raise ServiceUnavailable(self.service, f"HTTP {response.status_code}")
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"detail": response.text[:500]}
            raise ApiRefused(self.service, response.status_code, body if isinstance(body, dict) else {"detail": body})
        return response

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        return (await self.request("GET", path, **kwargs)).json()

    async def post_json(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = await self.request("POST", path, json=body if body is not None else {}, **kwargs)
        return response.json() if response.content else None
