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


async def daily(name: str, run: Callable[[], Awaitable[int]], stop: asyncio.Event, retry_seconds: float = 3600) -> None:
    """A daily run (alerts, escalations): at start and then once a day until `stop`; a failed run is tried again
    in an hour. `run` returns how much it did, for the log; it must be harmless to run twice a day."""
    while not stop.is_set():
        try:
            done = await run()
            log.info("%s: %s", name, done)
        except Exception:
            log.exception("%s failed; trying again in %.0fs", name, retry_seconds)
            await sleep_or_stop(stop, retry_seconds)
            continue
        await sleep_or_stop(stop, 24 * 3600)
