"""Running a roster import: parse every row, register the good ones in batches, report the bad ones.

Progress is saved with each batch, so a process that dies mid-import is resumed where it stopped, and
re-importing a file registers nobody twice (ID numbers are unique).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import UUID

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from registry.application import RegistryApplication
from registry.domain import Registration
from registry.roster import RosterFormatError, RowRejection, parse_roster, rejections_xlsx
from vet_common.regions import is_within

MAX_UPLOAD_BYTES = 15 * 2**20  # a MongoDB document holds 16 MB; 100,000 rows of xlsx is about 6 MB
BATCH_SIZE = 1000

# (row number, the registration or None, the rejection as stored in the job or None)
Row = tuple[int, Registration | None, dict[str, Any] | None]


def import_files(db: AsyncDatabase[Any]) -> AsyncCollection[Any]:
    """Uploaded files wait here for the worker; kept apart from the read models a rebuild drops."""
    return db.client[f"{db.name}_files"]["imports"]


async def keep_upload(db: AsyncDatabase[Any], registry: RegistryApplication, job_id: UUID, content: bytes) -> None:
    """A roster is full of ID numbers: it waits encrypted with the event store's key, and only until imported."""
    sealed = await asyncio.to_thread(registry.mapper.cipher.encrypt, content) if registry.mapper.cipher else content
    await import_files(db).insert_one(
        {"_id": str(job_id), "content": sealed, "encrypted": bool(registry.mapper.cipher)}
    )


async def uploaded(db: AsyncDatabase[Any], registry: RegistryApplication, job_id: UUID) -> bytes | None:
    stored = await import_files(db).find_one({"_id": str(job_id)})
    if stored is None:
        return None
    content = bytes(stored["content"])
    if stored.get("encrypted") and registry.mapper.cipher:
        return await asyncio.to_thread(registry.mapper.cipher.decrypt, content)
    return content


async def forget_upload(db: AsyncDatabase[Any], job_id: UUID) -> None:
    """The file goes once its job has ended; the job keeps the file's SHA-256 to recognise it again."""
    await import_files(db).delete_one({"_id": str(job_id)})


def stored(rejection: RowRejection) -> dict[str, Any]:
    return {
        "row": rejection.row_number,
        "errors": [list(e) for e in rejection.errors],
        "values": dict(rejection.values),
    }


def restored(entry: dict[str, Any]) -> RowRejection:
    return RowRejection(entry["row"], tuple((f, r) for f, r in entry["errors"]), entry.get("values", {}))


def parse_rows(content: bytes, filename: str, region_prefix: str) -> list[Row]:
    """Every data row, in file order, as a registration or the reasons it was rejected."""
    rows: list[Row] = []
    for raw, parsed in parse_roster(content, filename):
        if isinstance(parsed, RowRejection):
            rows.append((raw.row_number, None, stored(parsed)))
        elif not is_within(parsed.region, region_prefix):
            reason = f"不在本次导入的辖区 {region_prefix} 内 (outside the jurisdiction of this import)"
            values = {k: str(v) for k, v in raw.values.items() if v is not None}
            rows.append((raw.row_number, None, stored(RowRejection(raw.row_number, (("region", reason),), values))))
        else:
            rows.append((raw.row_number, parsed.to_registration(), None))
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
        rows = parse_rows(content, job.filename, job.region)
    except RosterFormatError as error:
        registry.finish_import(job_id, "failed", str(error))
        return
    position = job.next_row  # resumes after the last saved batch
    if progress:
        progress(position, len(rows))
    while position < len(rows):
        batch = rows[position : position + batch_size]
        registrations = [(number, registration) for number, registration, _ in batch if registration is not None]
        rejected = [entry for _, _, entry in batch if entry is not None]
        position += len(batch)
        registry.import_batch(job_id, registrations, rejected, next_row=position)
        if progress:
            progress(position, len(rows))
    registry.finish_import(job_id, "completed")


def rejected_items(job_rejected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every problem of every rejected row: row number, field (the Chinese column header), reason."""
    return [item for entry in job_rejected for item in restored(entry).items()]


def rejected_rows_xlsx(job_rejected: list[dict[str, Any]], *, mask: bool = True) -> bytes:
    """mask=False only for who may correct the rows (see RegistryApplication.reveal_rejected_rows)."""
    return rejections_xlsx((restored(entry) for entry in job_rejected), mask=mask)
