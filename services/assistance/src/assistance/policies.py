"""How assistance reacts to the registry's events (typed policies, saved with Tracking: a redelivery does nothing).

- PersonDied: the person's open applications are suspended (an unpaid reservation goes back to its fund) and
  their enrolments end with the month of death; a payroll of a later month not yet released loses their line.
- PersonTransferred: open applications move to the receiving region's fund of the same kind (and start again at
  acceptance there) or, with none, wait for the receiving county; enrolments end with the month of the move and
  are proposed in the receiving region's regular-entitlement fund for its officer to confirm.
- PersonUpdated with the status "merged" (a duplicate record folded into the one kept): its enrolments end with
  the month of the merge (the kept record is the one paid); its open applications move to the kept record, and
  what its funds approved counts towards the kept record's yearly ceilings.
- EligibilityAlertRaised (a rural veteran turning 60): an enrolment is proposed from the month after the birthday.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from assistance.application import SYSTEM, AssistanceApplication
from assistance.domain import (
    Application,
    Enrolment,
    EnrolmentRoll,
    Fund,
    Payroll,
    PersonFile,
    PersonYear,
    next_month,
    paid_in,
)
from assistance.rules import FundKind, MonthlyAmount, YearlyAmount
from vet_common.domain import CHINA
from vet_common.people import PersonReplica, people_replica
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

    def person_file(self, person_id: str) -> PersonFile:
        found: PersonFile | None = self.get(PersonFile.create_id(person_id))
        if found is None:
            found = PersonFile(person_id=person_id)
            self.add(found)
        return found

    def follow(self, application: Application, to_region: str) -> None:
        """The person now lives in `to_region`: outside the fund's region, the application goes to the receiving
        region's fund of the same kind and year (or waits for the receiving county)."""
        fund: Fund = self.get(application.fund_id)
        if is_within(to_region, fund.region):
            return  # still within the fund's region: nothing changes
        receiving = self.app.find_fund(to_region, application.fund_kind, fund.year)
        if application.reserved:
            self.app.release(application, "person transferred", self.get)
        application.move(str(receiving.id) if receiving else None, to_region, SYSTEM, self.app.clock.now())

    def hand_over(self, applications: list[Application], merged_id: str, kept_id: str) -> None:
        """A record merged into `kept_id`: its open applications carry on for the kept record (in the kept
        record's region), and what its funds approved it counts towards the kept record's yearly ceilings."""
        kept: PersonReplica | None = self.get(PersonReplica.create_id(kept_id))
        years: set[int] = set()
        for application in applications:
            fund: Fund = self.get(application.fund_id)
            fund.merge_person(merged_id, kept_id)
            years.add(fund.year)
            region = kept.region if kept is not None else application.region
            if application.merge_into(kept_id, region, SYSTEM, self.app.clock.now()):
                self.person_file(kept_id).file_merged(str(application.id))
                self.follow(application, region)
        for year in sorted(years):
            merged_year: PersonYear | None = self.get(PersonYear.create_id(merged_id, year))
            if merged_year is None:
                continue
            kept_year: PersonYear | None = self.get(PersonYear.create_id(kept_id, year))
            if kept_year is None:
                kept_year = PersonYear(person_id=kept_id, year=year)
                self.add(kept_year)
            kept_year.absorb(merged_year)


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
def follow_a_merged_record(app: AssistanceApplication, updated: registry.PersonUpdated) -> list[Any]:
    """A duplicate record merged into the one kept (status "merged", `merged_into`): its enrolments are paid to
    the end of the month and stop, so the person is never paid twice (the kept record is the one to enrol); its
    open applications move to the kept record at the step they had reached (one person, one case: withdrawing
    them would make the station file again what was already accepted or approved)."""
    if updated.data.status != MERGED:
        return []
    changes = Changes(app)
    applications, enrolments = changes.open_work(updated.data.person_id)
    merged_in = month_of(updated.occurred_at.astimezone(CHINA).date())
    for enrolment in enrolments:
        changes.end_enrolment(enrolment, merged_in, "merged")
    if updated.data.merged_into:
        changes.hand_over(applications, updated.data.person_id, updated.data.merged_into)
    return changes.changed()


@assistance_policies.on(registry.PersonTransferred)
def follow_the_person(app: AssistanceApplication, moved: registry.PersonTransferred) -> list[Any]:
    changes = Changes(app)
    to_region = moved.data.to_region
    moved_in = month_of(moved.occurred_at.astimezone(CHINA).date())
    applications, enrolments = changes.open_work(moved.data.person_id)
    for application in applications:
        if application.status in {"submitted", "returned", "accepted", "approved", "notified"}:
            changes.follow(application, to_region)
    for enrolment in enrolments:
        fund: Fund = changes.get(enrolment.fund_id)
        if enrolment.status == "ended" or is_within(to_region, fund.region):
            continue
        changes.end_enrolment(enrolment, moved_in, "transferred")
        receiving = app.find_fund(to_region, FundKind.regular_entitlement.value, fund.year)
        if receiving is not None:
            start = first_month_after(enrolment, moved_in, receiving)
            for proposal in app.propose_enrolment(receiving, enrolment.person_id, to_region, start):
                changes.add(proposal)
    return changes.changed()


def first_month_after(ended: Enrolment, last_month: str, receiving: Fund) -> str:
    """Where an enrolment ended with `last_month` leaves off in the receiving fund: the next month, or, when it
    paid this year's yearly amount already and the receiving fund pays yearly too, next January (a year is paid
    once, whichever fund pays it)."""
    year, pay_month = int(last_month[:4]), ended.pay_month
    paid_this_year = pay_month is not None and paid_in(
        f"{year}-{pay_month:02d}", ended.start_month, last_month, pay_month
    )
    if paid_this_year and isinstance(receiving.rules.amount, YearlyAmount):
        return f"{year + 1}-01"
    return next_month(last_month)


@assistance_policies.on(registry.EligibilityAlertRaised)
def propose_rural_subsidy(app: AssistanceApplication, alert: registry.EligibilityAlertRaised) -> list[Any]:
    if alert.data.kind != RURAL_VETERAN_TURNING_60:
        return []
    turning = date.fromisoformat(alert.data.due_on)
    fund = app.find_fund(alert.region, FundKind.regular_entitlement.value, turning.year)
    if fund is None or not isinstance(fund.rules.amount, MonthlyAmount):
        return []  # no monthly regular-entitlement fund here yet: the alert stays the station's to act on
    return app.propose_enrolment(fund, alert.data.person_id, alert.region, next_month(month_of(turning)))


# The worker's reactions: the people replica first, so a reaction to PersonDied sees the person as deceased.
reactions = people_replica | assistance_policies
