"""审计 (auditors): the archived events by actor, record, region, type and time, newest first, a page at a time;
and the verification of the whole archive (hash chain and seals) with where it was altered."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.clients import Api, ApiRefused
from console.pages.registry.forms import TOP
from console.web import CurrentSession, render
from vet_common.auth import Role
from vet_common.domain import CHINA

router = APIRouter()
AUDITORS = (Role.auditor, Role.admin)
FIELDS = ("actor", "aggregate_id", "region", "type", "from", "to")
# Each listed entry is checked against the archive (its hash): a short page answers sooner.
PAGE_SIZE = 20
SOURCE_NAMES = {"registry": "人员档案", "outreach": "联系走访", "assistance": "帮扶资金", "reporting": "统计报表"}


def day_bounds(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The dates picked, as the first and last instant of those days in Asia/Shanghai; a message per bad date."""
    params: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, end in (("from", False), ("to", True)):
        text = values.get(key, "")
        if not text:
            continue
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors[key] = f"日期格式应为 YYYY-MM-DD，收到“{text}” (date must be YYYY-MM-DD)"
            continue
        moment = datetime.combine(day + timedelta(days=1) if end else day, time(), tzinfo=CHINA)
        if end:
            moment -= timedelta(microseconds=1)
        params[key] = moment.isoformat()
    return params, errors


async def search(api: Api, path: str, params: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """One page of a search, or the API's refusal (a region outside, a search too wide) by field."""
    try:
        return await api.get_json(path, params=params), {}
    except ApiRefused as refusal:
        if refusal.status not in (403, 422):
            raise
        errors = refusal.field_errors() or {TOP: refusal.message()}
        if "from_" in errors:
            errors["from"] = errors.pop("from_")
        return None, errors


@router.get("/audit")
async def audit(request: Request, session: CurrentSession, after: str = "") -> Response:
    session.require(*AUDITORS)
    values = {key: request.query_params.get(key, "").strip() for key in FIELDS}
    page: dict[str, Any] | None = None
    bounds, errors = day_bounds(values)
    asked = any(values.values())
    if asked and not errors:
        params: dict[str, Any] = {
            **{key: values[key] for key in ("actor", "aggregate_id", "region", "type") if values[key]},
            **bounds,
            "page_size": PAGE_SIZE,
            **({"after": after} if after.isdigit() else {}),
        }
        page, errors = await search(session.api("reporting"), "/audit/events", params)
    more = urlencode({**{k: v for k, v in values.items() if v}, "after": page["next"]}) if page and page["next"] else ""
    return render(
        request,
        "reporting/audit.html",
        422 if errors else 200,
        values=values,
        errors=errors,
        page=page,
        more=more,
        sources=SOURCE_NAMES,
    )


@router.get("/audit/access-log")
async def access_log(request: Request, session: CurrentSession, page: int = 1) -> Response:
    """查看个人信息记录: every read of an ID or phone number in clear, with who, when and why (the registry's)."""
    session.require(*AUDITORS)
    values = {key: request.query_params.get(key, "").strip() for key in ("actor", "region", "from", "to")}
    bounds, errors = day_bounds(values)
    found: dict[str, Any] | None = None
    if not errors:
        params: dict[str, Any] = {
            **{key: values[key] for key in ("actor", "region") if values[key]},
            **bounds,
            "page": max(page, 1),
            "page_size": PAGE_SIZE,
        }
        found, errors = await search(session.api("registry"), "/access-log", params)
    more = ""
    if found and found["page"] * found["page_size"] < found["total"]:
        more = urlencode({**{k: v for k, v in values.items() if v}, "page": found["page"] + 1})
    return render(
        request, "reporting/access_log.html", 422 if errors else 200, values=values, errors=errors, log=found, more=more
    )


@router.get("/audit/verify")
async def verify(request: Request, session: CurrentSession) -> Response:
    """The page opens at once; the verdict follows (htmx): checking the whole archive takes a while."""
    session.require(*AUDITORS)
    return render(request, "reporting/verify.html")


@router.get("/audit/verify/result")
async def verdict(request: Request, session: CurrentSession) -> Response:
    session.require(*AUDITORS)
    found = await session.api("reporting").get_json("/audit/verify")
    return render(request, "reporting/_verdict.html", verdict=found)
