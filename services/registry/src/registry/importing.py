"""Running a roster import: parse every row, register the good ones in batches, report the bad ones.

Progress is saved with each batch, so a process that dies mid-import is resumed where it stopped, and
re-importing a file registers nobody twice (ID numbers are unique).
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any
from uuid import UUID

from openpyxl import Workbook
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from registry.application import Registration, RegistryApplication
from registry.roster import RosterFormatError, RowRejection, column_label, parse_row, read_roster
from vet_common.regions import is_within

MAX_UPLOAD_BYTES = 15 * 2**20  # a MongoDB document holds 16 MB; 100,000 rows of xlsx is about 6 MB
BATCH_SIZE = 1000

Row = tuple[int, Registration | None, list[dict[str, Any]]]


def import_files(db: AsyncDatabase[Any]) -> AsyncCollection[Any]:
    """Uploaded files wait here for the worker; kept apart from the read models a rebuild drops."""
    return db.client[f"{db.name}_files"]["imports"]


def rejection(row_number: int, errors: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"row": row_number, "field": column_label(field), "reason": reason} for field, reason in errors]


def parse_roster(content: bytes, filename: str, region_prefix: str) -> list[Row]:
    """Every data row, in file order, as a registration or the reasons it was rejected."""
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for raw in read_roster(content, filename):
        parsed = parse_row(raw)
        if isinstance(parsed, RowRejection):
            rows.append((raw.row_number, None, rejection(raw.row_number, list(parsed.errors))))
            continue
        problems = []
        if not is_within(parsed.region, region_prefix):
            problems.append(
                ("region", f"不在本次导入的辖区 {region_prefix} 内 (outside the jurisdiction of this import)")
            )
        if parsed.id_number in seen:
            problems.append(
                (
                    "id_number",
                    f"与第 {seen[parsed.id_number]} 行身份证号码重复 (same ID number as row {seen[parsed.id_number]})",
                )
            )
        if problems:
            rows.append((raw.row_number, None, rejection(raw.row_number, problems)))
            continue
        seen[parsed.id_number] = raw.row_number
        rows.append((raw.row_number, Registration.from_data(parsed), []))
    return rows


def run_import(
    registry: RegistryApplication,
    job_id: UUID,
    content: bytes,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    job = registry.get_import_job(job_id)
    if job is None or job.status != "running":
        return
    try:
        rows = parse_roster(content, job.filename, job.region)
    except RosterFormatError as error:
        registry.finish_import(job_id, "failed", str(error))
        return
    position = job.next_row  # resumes after the last saved batch
    if progress:
        progress(position, len(rows))
    while position < len(rows):
        batch = rows[position : position + batch_size]
        registrations = [(number, registration) for number, registration, _ in batch if registration is not None]
        rejected = [entry for _, _, entries in batch for entry in entries]
        position += len(batch)
        registry.import_batch(job_id, registrations, rejected, next_row=position)
        if progress:
            progress(position, len(rows))
    registry.finish_import(job_id, "completed")


def rejected_rows_xlsx(rejected: list[dict[str, Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "未导入的行"
    sheet.append(["行号", "字段", "原因"])
    for entry in rejected:
        sheet.append([entry["row"], entry["field"], entry["reason"]])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
