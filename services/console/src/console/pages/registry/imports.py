"""花名册导入: the template, the upload, a progress bar while the registry imports, the rejected rows."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from console.clients import ApiRefused
from console.pages.registry.forms import CAN_EDIT, TOP
from console.web import CheckedForm, CurrentSession, render

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/imports/new")
async def new_import(request: Request, session: CurrentSession) -> Response:
    session.require(*CAN_EDIT)
    return render(request, "registry/import.html", errors={})


@router.get("/imports/template.xlsx")
async def template(session: CurrentSession) -> Response:
    answer = await session.api("registry").request("GET", "/imports/template.xlsx")
    return download(answer.content, answer.headers.get("Content-Disposition"))


def download(content: bytes, disposition: str | None) -> Response:
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition or "attachment"})


@router.post("/imports")
async def start(request: Request, session: CurrentSession, form: CheckedForm) -> Response:
    session.require(*CAN_EDIT)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(
            request, "registry/import.html", 422, errors={"file": "请选择要导入的花名册文件（.xlsx 或 .csv）"}
        )
    region = str(form.get("region") or "").strip()
    try:
        started = await session.api("registry").request(
            "POST",
            "/imports",
            files={"file": (upload.filename, await upload.read(), upload.content_type or "application/octet-stream")},
            data={"region": region} if region else None,
        )
    except ApiRefused as refusal:
        if refusal.status not in (403, 413, 422):
            raise
        errors = refusal.field_errors() or {TOP: refusal.message()}
        return render(request, "registry/import.html", refusal.status, errors=errors)
    return RedirectResponse(f"/imports/{started.json()['job_id']}", status_code=303)


@router.get("/imports/{job_id}")
async def job(request: Request, session: CurrentSession, job_id: UUID) -> Response:
    status = await session.api("registry").get_json(f"/imports/{job_id}")
    return render(request, "registry/import_job.html", job=status)


@router.get("/imports/{job_id}/progress")
async def progress(request: Request, session: CurrentSession, job_id: UUID) -> Response:
    """The progress box alone: htmx asks for it every second until the import has finished."""
    status = await session.api("registry").get_json(f"/imports/{job_id}")
    return render(request, "registry/_import_progress.html", job=status)


@router.get("/imports/{job_id}/rejected.xlsx")
async def rejected(session: CurrentSession, job_id: UUID) -> Response:
    answer = await session.api("registry").request("GET", f"/imports/{job_id}/rejected.xlsx")
    return download(answer.content, answer.headers.get("Content-Disposition"))
