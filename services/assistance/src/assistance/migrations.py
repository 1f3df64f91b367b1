"""One-off migrations of assistance's event store, run by an operator (`vet migrate-enrolment-roll`).

Enrolments stored before the payroll roll (EnrolmentRoll, 花名册) existed are in no share of it, so no payroll pays
them. The migration enters each such enrolment (active, or ended with its last month) in its share; run again,
it finds every one entered and records nothing.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from assistance.application import AssistanceApplication
from assistance.domain import Enrolment, EnrolmentRoll
from vet_common.settings import Settings

PAGE = 1_000
STARTED = ":Enrolment.Started"  # the topic's tail, whatever module stored it (before and after the split)


@dataclass(frozen=True)
class RollMigration:
    entered: int  # enrolments entered in the roll now
    already: int  # found in the roll already
    proposed: int  # awaiting confirmation: entered when an officer confirms them


def enrolment_ids(app: AssistanceApplication) -> list[UUID]:
    """Every enrolment in the event store, read from the notification log a page at a time."""
    found: list[UUID] = []
    after = 0
    while page := app.recorder.select_notifications(after, PAGE, inclusive_of_start=False):
        found += [UUID(str(n.originator_id)) for n in page if n.topic.endswith(STARTED)]
        after = page[-1].id
    return found


def migrate_enrolment_roll(app: AssistanceApplication) -> RollMigration:
    """Enter every confirmed enrolment missing from its fund's roll; idempotent."""
    by_share: dict[UUID, list[Enrolment]] = defaultdict(list)
    proposed = 0
    for enrolment_id in enrolment_ids(app):
        enrolment: Enrolment = app.get_or_none(enrolment_id)
        if enrolment.status == "proposed":
            proposed += 1
        else:
            by_share[EnrolmentRoll.id_for(enrolment)].append(enrolment)
    entered = already = 0
    for enrolments in by_share.values():

        def attempt(enrolments: list[Enrolment] = enrolments) -> int:  # again if an enrolment took the share meanwhile
            roll = app.roll_share(enrolments[0])
            missing = [e for e in enrolments if str(e.id) not in roll.entries]
            for enrolment in missing:
                roll.add(enrolment)
                if enrolment.last_month is not None:
                    roll.end(str(enrolment.id), enrolment.last_month)
            if missing:
                app.save(roll)
            return len(missing)

        added = app._contended(attempt, 20)
        entered, already = entered + added, already + len(enrolments) - added
    return RollMigration(entered=entered, already=already, proposed=proposed)


def migrate_roll_command(settings: Settings, argv: list[str]) -> int:
    argparse.ArgumentParser(
        prog="vet migrate-enrolment-roll",
        description="Enter enrolments stored before the payroll roll in it (once; a second run changes nothing)",
    ).parse_args(argv)
    app = AssistanceApplication(settings)
    try:
        result = migrate_enrolment_roll(app)
    finally:
        app.close()
    print(
        f"assistance: {result.entered} enrolments entered in the payroll roll, {result.already} were there already"
        f" ({result.proposed} awaiting confirmation are entered when confirmed)"
    )
    return 0
