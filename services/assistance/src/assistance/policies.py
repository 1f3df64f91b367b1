"""How assistance reacts to the registry's events (typed policies, saved with Tracking: a redelivery does nothing).

- PersonDied: the person's open applications are suspended (an unpaid reservation goes back to its fund) and
  their enrolments end with the month of death; a payroll of a later month not yet released loses their line.
- PersonTransferred: open applications move to the receiving region's fund of the same kind (and start again at
  acceptance there) or, with none, wait for the receiving county; enrolments end with the month of the move and
  are proposed in the receiving region's regular-entitlement fund for its officer to confirm.
- PersonUpdated with the status "merged" (a duplicate record folded into the one kept): its enrolments end with
  the month of the merge (the kept record is the one paid).
- EligibilityAlertRaised (a rural veteran turning 60): an enrolment is proposed from the month after the birthday.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from assistance.application import SYSTEM, AssistanceApplication
from assistance.domain import Application, Enrolment, EnrolmentRoll, Fund, Payroll, PersonFile, next_month
from assistance.rules import FundKind
from vet_common.domain import CHINA
from vet_common.people import people_replica
from vet_common.policies import Policies
from vet_common.regions import is_within
from vet_contracts import registry

RURAL_VETERAN_TURNING_60 = "rural_veteran_turning_60"
MERGED = "merged"  # the registry's PersonStatus.merged: a duplicate record folded into another
assistance_policies = Policies()


class Changes:
    """The aggregates one reaction changes, each loaded once (two applications of one fund share it)."""

    def __init__(self, app: AssistanceApplication) -> None:
        self.app = app
        self.loaded: dict[UUID, Any] = {}

    def get(self, aggregate_id: UUID | str) -> Any:
        key = UUID(str(aggregate_id))
        if key not in self.loaded:
            self.loaded[key] = self.app.get_or_none(key)
        return self.loaded[key]

    def add(self, aggregate: Any) -> None:
        self.loaded[aggregate.id] = aggregate

    def changed(self) -> list[Any]:
        return [a for a in self.loaded.values() if a is not None and a.pending_events]

    def open_work(self, person_id: str) -> tuple[list[Application], list[Enrolment]]:
        file: PersonFile | None = self.get(PersonFile.create_id(person_id))
        if file is None:
            return [], []
        return [self.get(i) for i in file.applications], [self.get(i) for i in file.enrolments]

    def end_enrolment(self, enrolment: Enrolment, last_month: str, reason: str) -> None:
        if not enrolment.end(last_month, reason, SYSTEM):
            return
        roll: EnrolmentRoll | None = self.get(EnrolmentRoll.id_for(enrolment))
        if roll is not None:  # the roll a payroll pays from: no line after `last_month`
            roll.end(str(enrolment.id), last_month)
        month, latest = next_month(last_month), next_month(month_of(self.app.clock.today()))
        while month <= latest:  # payrolls already computed for the months after the last paid one
            payroll: Payroll | None = self.get(Payroll.create_id(enrolment.fund_id, month))
            if payroll is not None:
                payroll.void(str(enrolment.id), reason)
            month = next_month(month)


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


@assistance_policies.on(registry.PersonDied)
def stop_payments(app: AssistanceApplication, died: registry.PersonDied) -> list[Any]:
    changes = Changes(app)
    died_on = date.fromisoformat(died.data.died_on)
    applications, enrolments = changes.open_work(died.data.person_id)
    for application in applications:
        reserved = application.reserved
        if application.suspend(died_on, SYSTEM, app.clock.now()) and reserved:
            app.release(application, "person died", changes.get)
    for enrolment in enrolments:
        changes.end_enrolment(enrolment, month_of(died_on), "died")
    return changes.changed()


@assistance_policies.on(registry.PersonUpdated)
def stop_a_merged_record(app: AssistanceApplication, updated: registry.PersonUpdated) -> list[Any]:
    """A duplicate record merged into the one kept (status "merged"): its enrolments are paid to the end of the
    month and stop, so the person is never paid twice; the kept record is the one to enrol."""
    if updated.data.status != MERGED:
        return []
    changes = Changes(app)
    _, enrolments = changes.open_work(updated.data.person_id)
    merged_in = month_of(updated.occurred_at.astimezone(CHINA).date())
    for enrolment in enrolments:
        changes.end_enrolment(enrolment, merged_in, "merged")
    return changes.changed()


@assistance_policies.on(registry.PersonTransferred)
def follow_the_person(app: AssistanceApplication, moved: registry.PersonTransferred) -> list[Any]:
    changes = Changes(app)
    to_region = moved.data.to_region
    moved_in = month_of(moved.occurred_at.astimezone(CHINA).date())
    applications, enrolments = changes.open_work(moved.data.person_id)
    for application in applications:
        fund: Fund = changes.get(application.fund_id)
        if application.status not in {"submitted", "returned", "accepted", "approved", "notified"}:
            continue
        if is_within(to_region, fund.region):
            continue  # still within the fund's region: nothing changes
        receiving = app.find_fund(to_region, application.fund_kind, fund.year)
        if application.reserved:
            app.release(application, "person transferred", changes.get)
        application.move(str(receiving.id) if receiving else None, to_region, SYSTEM, app.clock.now())
    for enrolment in enrolments:
        fund = changes.get(enrolment.fund_id)
        if enrolment.status == "ended" or is_within(to_region, fund.region):
            continue
        changes.end_enrolment(enrolment, moved_in, "transferred")
        receiving = app.find_fund(to_region, FundKind.regular_entitlement.value, fund.year)
        if receiving is not None:
            for proposal in app.propose_enrolment(receiving, enrolment.person_id, to_region, next_month(moved_in)):
                changes.add(proposal)
    return changes.changed()


@assistance_policies.on(registry.EligibilityAlertRaised)
def propose_rural_subsidy(app: AssistanceApplication, alert: registry.EligibilityAlertRaised) -> list[Any]:
    if alert.data.kind != RURAL_VETERAN_TURNING_60:
        return []
    turning = date.fromisoformat(alert.data.due_on)
    fund = app.find_fund(alert.region, FundKind.regular_entitlement.value, turning.year)
    if fund is None:
        return []  # no regular-entitlement fund here yet: the alert stays the station's to act on
    return app.propose_enrolment(fund, alert.data.person_id, alert.region, next_month(month_of(turning)))


# The worker's reactions: the people replica first, so a reaction to PersonDied sees the person as deceased.
reactions = people_replica | assistance_policies
