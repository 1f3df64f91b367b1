"""What every reporting route shares: the application, blocking work off the event loop, the topic."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends

from reporting.application import ReportingApplication
from reporting.statistics import BY_TOPIC
from reporting.statistics.family import Family
from vet_common.api import get_application
from vet_common.domain import NotFound

Reporting = Annotated[ReportingApplication, Depends(get_application)]
T = TypeVar("T")


async def run(function: Callable[..., T], *args: Any) -> T:
    """Event-store work is blocking: keep it off the event loop."""
    return await asyncio.to_thread(function, *args)


def family_of(topic: str) -> Family:
    family = BY_TOPIC.get(topic)
    if family is None:
        raise NotFound(
            f"没有“{topic}”这项统计，可选：{'、'.join(BY_TOPIC)} (no statistic {topic!r}; one of {', '.join(BY_TOPIC)})"
        )
    return family
