"""The ceiling for `bench/api_bench.py`: a plain FastAPI endpoint that writes one SQLite row per request.

Started by the bench with uvicorn (`--app-dir bench sqlite_ceiling:app`); CEILING_DB names the file. WAL and
SQLite's default synchronous=FULL, like the event store: each answer comes after its own durable commit.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from typing import Any

from fastapi import FastAPI, status

app = FastAPI()
_local = threading.local()


def connection() -> sqlite3.Connection:
    # One connection per thread of the pool that runs sync endpoints.
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["CEILING_DB"], isolation_level=None, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT)")
        _local.conn = conn
    return conn


@app.post("/rows", status_code=status.HTTP_201_CREATED)
def add_row(body: dict[str, Any]) -> dict[str, int]:
    conn = connection()
    conn.execute("BEGIN IMMEDIATE")
    cursor = conn.execute("INSERT INTO rows (body) VALUES (?)", (json.dumps(body, ensure_ascii=False),))
    conn.execute("COMMIT")
    return {"id": cursor.lastrowid or 0}
