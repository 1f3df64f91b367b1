"""Bulk import of existing rosters (台账): upload, follow progress, download the rejected rows."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from registry.api.deps import CAN_CORRECT, CAN_EDIT, Registry, run
from registry.api.persons import header_text
from registry.domain import ImportJob
from registry.importing import MAX_UPLOAD_BYTES, keep_upload, rejected_items, rejected_rows_xlsx
from registry.roster import template_xlsx
from vet_common.api import ReadModels, actor_of
from vet_common.auth import CurrentPrincipal, Principal, current_principal, require_roles
from vet_common.jurisdiction import ensure_visible, scope
from vet_common.openapi import problem, problems

router = APIRouter(tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AN_XLSX_FILE = {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}


class ImportStarted(BaseModel):
    job_id: UUID = Field(description="Follow the import at GET /imports/{job_id}")


class RejectedRow(BaseModel):
    """One problem of one row that was not imported."""

    row: int = Field(description="The row's number in the uploaded file")
    field: str = Field(description="The field it is about, e.g. id_number or service.enlisted_on")
    column: str = Field(description="The column's Chinese header, as in the template")
    reason: str


class ImportStatus(BaseModel):
    job_id: UUID
    filename: str
    status: Literal["running", "completed", "failed"]
    message: str = Field(description="Why a failed import failed; empty otherwise")
    rows: int = Field(description="Rows read so far")
    registered: int
    already_registered: int = Field(description="Rows whose ID number already had a record (left as they were)")
    rejected: int = Field(description="Rows not imported")
    rejected_rows: list[RejectedRow] = Field(description="Every problem of every row not imported")
    rejected_rows_xlsx: str = Field(description="Where to download the rows not imported, to correct them")


@router.get(
    "/imports/template.xlsx",
    response_class=Response,
    responses={200: {"description": "The template (.xlsx)", **AN_XLSX_FILE}},
    dependencies=[Depends(current_principal)],
)
async def template() -> Response:
    """The roster template, with Chinese column headers and instructions."""
    return Response(
        template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%8F%B0%E8%B4%A6.xlsx"},
    )


@router.post(
    "/imports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportStarted,
    responses=problem(413, f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB: split it"),
    dependencies=[Depends(require_roles(*CAN_EDIT))],
)
async def start_import(
    principal: CurrentPrincipal,
    registry: Registry,
    db: ReadModels,
    file: Annotated[UploadFile, File(description="Roster as .xlsx or .csv")],
    region: Annotated[str | None, Form(description="Only rows in this part of your jurisdiction")] = None,
) -> ImportStarted:
    """Starts the import and answers at once; follow it at GET /imports/{job_id}."""
    filename = file.filename or "roster"
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"field": "file", "message": "请上传 .xlsx 或 .csv 文件 (upload an .xlsx or .csv file)"}],
        )
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"文件超过 {MAX_UPLOAD_BYTES // 2**20} MB，请分成几个文件导入 (file too large: split it)",
        )
    if not content:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": "file", "message": "文件是空的 (the file is empty)"}]
        )
    job_id = await run(
        registry.start_import,
        filename,
        hashlib.sha256(content).hexdigest(),
        scope(principal, region),
        actor_of(principal),
    )
    try:
        await keep_upload(db, registry, job_id, content)
    except Exception:
        # Without its file the job would wait for ever: end it, and let the caller try again.
        await run(
            registry.finish_import, job_id, "failed", "上传未完成，请重新上传 (the upload did not complete: try again)"
        )
        raise
    return ImportStarted(job_id=job_id)


async def visible_job(registry: Registry, job_id: UUID, principal: Principal) -> ImportJob:
    job = await run(registry.get_import_job, job_id)
    ensure_visible(principal, job.region if job else None, "导入任务")
    assert job is not None
    return job


@router.get("/imports/{job_id}", response_model=ImportStatus)
async def import_status(job_id: UUID, principal: CurrentPrincipal, registry: Registry) -> ImportStatus:
    """Status and counts; every rejected row with its row number, field and reason."""
    job = await visible_job(registry, job_id, principal)
    return ImportStatus(
        job_id=job.id,
        filename=job.filename,
        status=job.status,  # type: ignore[arg-type]
        message=getattr(job, "message", ""),
        rows=job.rows,
        registered=job.registered,
        already_registered=job.already_registered,
        rejected=len(job.rejected),
        rejected_rows=[RejectedRow(**item) for item in rejected_items(job.rejected)],
        rejected_rows_xlsx=f"/imports/{job.id}/rejected.xlsx",
    )


CORRECTING = "更正未导入的行后重新导入 (correcting rejected rows to import them again)"


@router.get(
    "/imports/{job_id}/rejected.xlsx",
    response_class=Response,
    responses={
        200: {"description": "The rows not imported, with the reason (.xlsx)", **AN_XLSX_FILE},
        **problems(403),
    },
)
async def rejected_xlsx(
    job_id: UUID,
    principal: CurrentPrincipal,
    registry: Registry,
    reveal: Annotated[
        bool, Query(description="true: ID and phone numbers as uploaded (the uploader or an officer; logged)")
    ] = False,
    purpose: Annotated[str | None, Header(alias="X-Purpose", max_length=200)] = None,
) -> Response:
    """The rows that were not imported, with the reason; masked unless revealed to whoever can correct them."""
    job = await visible_job(registry, job_id, principal)
    if reveal:
        job = await run(
            registry.reveal_rejected_rows,
            job_id,
            header_text(purpose) or CORRECTING,
            actor_of(principal),
            principal.has_role(*CAN_CORRECT),
        )
    return Response(
        rejected_rows_xlsx(job.rejected, mask=not reveal),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="rejected-{job.id}.xlsx"'},
    )
