"""Tailing a notification log: run one batch after another, rest when idle, survive a failing batch."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def poll(
    name: str, step: Callable[[], Awaitable[int]], stop: asyncio.Event, idle_seconds: float, retry_seconds: float = 1.0
) -> None:
    """Call `step` (which returns how much it did) until `stop`; a failing batch is retried, never skipped."""
    while not stop.is_set():
        try:
            done = await step()
        except Exception:
            log.exception("%s batch failed; retrying in %.1fs", name, retry_seconds)
            await sleep_or_stop(stop, retry_seconds)
            continue
        if not done:
            await sleep_or_stop(stop, idle_seconds)
