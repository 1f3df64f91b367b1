"""Assistance's application: one class made of the commands of each part (funds, applications, regular
entitlements, payrolls), each in its own module, over one event store. Each command loads, asks the domain and
saves in one transaction."""

from typing import Any, ClassVar

from assistance.application.applications import ApplicationCommands
from assistance.application.common import SYSTEM, NotEligible
from assistance.application.entitlements import EntitlementCommands
from assistance.application.payrolls import PayrollCommands
from assistance.domain import EnrolmentRoll, Fund


class AssistanceApplication(ApplicationCommands, EntitlementCommands, PayrollCommands):
    # A busy fund's reservations and a big fund's roll: loaded from a snapshot, not replayed event by event.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Fund: 100, EnrolmentRoll: 100}


__all__ = ["SYSTEM", "AssistanceApplication", "NotEligible"]
