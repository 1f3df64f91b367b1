"""`python -m registry import FILE`: a roster import from the command line, with a progress bar."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from registry.application import RegistryApplication
from registry.importing import rejected_items, rejected_rows_xlsx, run_import
from vet_common.domain import Actor
from vet_common.regions import InvalidRegion, validate_jurisdiction
from vet_common.settings import Settings


def import_command(settings: Settings, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vet import", description="Import a roster (.xlsx or .csv) into the registry")
    parser.add_argument("file", type=Path)
    parser.add_argument("--region", required=True, help="jurisdiction the rows must belong to, e.g. 350102")
    parser.add_argument("--actor", default="cli", help="who is importing (recorded with every record)")
    parser.add_argument("--rejected", type=Path, help="write rejected rows to this .xlsx")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    if not args.file.is_file():
        console.print(f"[red]no such file: {args.file}[/red]")
        return 2
    try:
        region = validate_jurisdiction(args.region)
    except InvalidRegion as error:
        console.print(f"[red]{error}[/red]")
        return 2
    content = args.file.read_bytes()
    registry = RegistryApplication(settings)
    try:
        job_id = registry.start_import(
            args.file.name, hashlib.sha256(content).hexdigest(), region, Actor(sub=args.actor, role="admin")
        )
        with Progress(
            TextColumn(f"importing {args.file.name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("rows", total=None)
            run_import(
                registry, job_id, content, lambda done, total: progress.update(task, completed=done, total=total)
            )
        job = registry.get_import_job(job_id)
        assert job is not None
    finally:
        registry.close()
    console.print(
        f"{job.status}: {job.rows} rows, {job.registered} registered, {job.already_registered} already registered, "
        f"{len(job.rejected)} rows rejected (job {job_id})"
    )
    if getattr(job, "message", ""):
        console.print(f"[red]{job.message}[/red]")
    if job.rejected:
        for item in rejected_items(job.rejected)[:20]:
            console.print(f"  row {item['row']}: {item['column']}: {item['reason']}")
        if args.rejected:
            args.rejected.write_bytes(rejected_rows_xlsx(job.rejected))
            console.print(f"rejected rows written to {args.rejected}")
    return 0 if job.status == "completed" else 1
