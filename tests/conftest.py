"""Fixtures for integration and end-to-end tests: the whole platform as processes on real servers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from vet_devtools.testing.platform import Platform


@pytest.fixture(scope="module")
def platform(kafka_bootstrap: str, mongo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    running = Platform(
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        workdir=Path(tmp_path_factory.mktemp("platform")),
        topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
    )
    try:
        running.start_all()
        yield running
    finally:
        running.stop_all()
