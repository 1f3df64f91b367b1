"""Events stored before the domain became a package name their classes by the old module: they still resolve."""

from __future__ import annotations

import pytest
from eventsourcing.utils import resolve_topic

from assistance import domain


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("assistance.domain:Fund.Created", domain.Fund.Created),
        ("assistance.domain:Fund.Reserved", domain.Fund.Reserved),  # type: ignore[attr-defined]
        ("assistance.domain:Application.Submitted", domain.Application.Submitted),
        ("assistance.domain:Enrolment.Started", domain.Enrolment.Started),
        ("assistance.domain:Payroll.Computed", domain.Payroll.Computed),
        ("assistance.domain:PersonYear", domain.PersonYear),
    ],
)
def test_topics_of_events_stored_before_the_split_resolve(topic: str, expected: type) -> None:
    assert resolve_topic(topic) is expected
