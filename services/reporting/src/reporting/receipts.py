"""Which events of a batch reporting has archived already: one query for the batch's receipts, not one each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from vet_common.eventstore import is_postgres

CHUNK = 500  # well under SQLite's limit of bound parameters


def existing_streams(recorder: Any, ids: Sequence[UUID]) -> set[UUID]:
    """The ids among `ids` that have a stored event (eventsourcing selects one stream at a time)."""
    datastore = getattr(recorder, "datastore", None)
    table = getattr(recorder, "events_table_name", None)
    if datastore is None or table is None:  # the test harness's in-memory recorder
        return {stream for stream in ids if recorder.select_events(stream, limit=1)}
    found: set[UUID] = set()
    postgres = is_postgres(recorder)
    for first in range(0, len(ids), CHUNK):
        chunk = list(ids[first : first + CHUNK])
        with datastore.transaction(commit=False) as cursor:
            if postgres:
                from psycopg import sql

                query = sql.SQL("SELECT DISTINCT originator_id FROM {}.{} WHERE originator_id = ANY(%s)").format(
                    sql.Identifier(datastore.schema), sql.Identifier(table)
                )
                cursor.execute(query, (chunk,))
                found |= {UUID(str(row["originator_id"])) for row in cursor.fetchall()}
            else:
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"SELECT DISTINCT originator_id FROM {table} WHERE originator_id IN ({marks})",
                    [stream.hex for stream in chunk],
                )
                found |= {UUID(row["originator_id"]) for row in cursor.fetchall()}
    return found
