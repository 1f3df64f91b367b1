"""The request ledger (诉求台账) through its commands, on an in-memory event store with a fixed clock: the closed
loop and its refusals (each recording nothing), the deadline table, escalation (督办) by the daily rule and by
hand, and the reactions to the person's death and transfer (each harmless when redelivered)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import jsonschema
import pytest
from eventsourcing.persistence import IntegrityError

from outreach.application import OutreachApplication
from outreach.application.requests import Acting
from outreach.domain.contacts import Contact
from outreach.domain.request_deadlines import DEFAULT_DEADLINE_DAYS, DEFAULT_SUPERVISION_DAYS
from outreach.domain.requests import (
    NoLevelAbove,
    NotDeceased,
    RequestCategory,
    RequestGrade,
    Satisfaction,
    StepOutOfOrder,
    escalate_after,
    escalation_due,
)
from outreach.domain.schedule import ContactFile
from outreach.service import definition
from vet_common.asyncapi import event_json_schemas
from vet_common.auth import Principal, Role
from vet_common.domain import Actor, Invalid, NotFound, PreconditionFailed, Refused
from vet_common.people import NotYetKnown, PersonDeceased
from vet_devtools.testing import ServiceHarness
from vet_devtools.testing.concurrency import run_threads
from vet_devtools.testing.people import RegistryFeed

PERSON = "7d0c1f7a-2b7e-4c55-9a53-1f0e2d3c4b5a"
VILLAGE = "440402001001"  # 珠海市香洲区翠香街道
OTHER_VILLAGE = "440403001001"  # 珠海市斗门区白藤街道
TODAY = date(2020, 6, 1)


def principal(region: str = "440402001", role: Role = Role.station_staff, sub: str = "staff-1") -> Principal:
    return Principal(sub=sub, name="王芳", roles=frozenset({role}), region=region)


def actor(who: Principal) -> Actor:
    return Actor(sub=who.sub, role=",".join(sorted(who.roles)))


STAFF = principal()
OFFICER = principal("440402", Role.officer, "officer-1")


@pytest.fixture
def feed() -> RegistryFeed:
    return RegistryFeed()


@pytest.fixture
def harness(feed: RegistryFeed) -> ServiceHarness[OutreachApplication]:
    """Outreach on 1 June 2020, knowing PERSON (registered in VILLAGE in 2019) from the registry's events."""
    harness = ServiceHarness[OutreachApplication](definition, today=TODAY)
    registered = feed.registered(PERSON, VILLAGE)
    harness.deliver(registered.model_copy(update={"occurred_at": datetime(2019, 1, 1, tzinfo=UTC)}))
    return harness


def register(app: OutreachApplication, **overrides: Any) -> UUID:
    arguments: dict[str, Any] = {
        "person_id": PERSON,
        "category": RequestCategory.living_difficulty,
        "grade": RequestGrade.ordinary,
        "summary": "妻子患病，家庭收入不稳定",
        "found_in": "八一走访",
        "department": None,
        "assignee": None,
        "principal": STAFF,
        "actor": actor(STAFF),
        **overrides,
    }
    return app.register_request(**arguments)


def visit(app: OutreachApplication) -> UUID:
    """A home visit to PERSON today, as the contacts part records one."""
    contact = Contact(
        person_id=PERSON, region=VILLAGE, method="home_visit", contacted_on=TODAY, staff="staff-1", findings="",
        needs_follow_up=False, occasion=None, campaign_id=None, group_id=None, actor=actor(STAFF),
    )  # fmt: skip
    app.save(contact)
    return contact.id  # type: ignore[no-any-return]


def step(app: OutreachApplication, name: str, request_id: UUID, who: Principal = STAFF, **extra: Any) -> Any:
    """One step of the loop by `who`, with what each step needs besides."""
    defaults: dict[str, dict[str, Any]] = {
        "accept": {"department": None, "assignee": None, "note": "受理"},
        "assign": {"department": None, "assignee": "staff-9", "note": "改由接收地负责"},
        "start": {"note": "开始办理"},
        "progress": {"note": "上门走访，了解情况", "contact_id": None},
        "resolve": {"what_was_done": "协调企业安排就业"},
        "follow_up": {"satisfaction": Satisfaction.satisfied, "contact_id": None, "note": "回访满意"},
        "escalate": {"reason": "久拖不决"},
    }
    command = {
        "accept": app.accept_request,
        "assign": app.assign_request,
        "start": app.start_request,
        "progress": app.note_request_progress,
        "resolve": app.resolve_request,
        "follow_up": app.follow_up_request,
        "escalate": app.escalate_request,
    }[name]
    by = Acting(who, actor(who), extra.pop("expected_version", None))
    return command(request_id, by, **{**defaults[name], **extra})


def taken_to(app: OutreachApplication, request_id: UUID, last: str) -> None:
    for name in ("accept", "start", "resolve", "follow_up"):
        step(app, name, request_id)
        if name == last:
            return


# The deadline table ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "grade", "days"),
    [
        (RequestCategory.petition, RequestGrade.ordinary, 60),
        (RequestCategory.medical, RequestGrade.urgent, 3),
        (RequestCategory.policy_question, RequestGrade.ordinary, 7),
        (RequestCategory.housing, RequestGrade.major, 15),
    ],
)
def test_the_deadline_comes_from_the_category_and_grade(
    harness: ServiceHarness[OutreachApplication], category: RequestCategory, grade: RequestGrade, days: int
) -> None:
    request = harness.app.get_request(register(harness.app, category=category, grade=grade))
    assert request is not None
    assert request.deadline == TODAY + timedelta(days=days)
    assert request.rules_version == 0  # the defaults
    assert request.status == "registered"
    assert request.department == "翠香街道退役军人服务站"
    assert request.assignee == "staff-1"


def test_a_changed_table_applies_to_requests_registered_after_it(harness: ServiceHarness[OutreachApplication]) -> None:
    before = register(harness.app, category=RequestCategory.medical)
    days = {category: dict(row) for category, row in DEFAULT_DEADLINE_DAYS.items()}
    days["medical"]["ordinary"] = 10
    province = principal("44", Role.officer, "province-1")
    table = harness.app.set_deadline_table(
        days=days, supervision_days=dict(DEFAULT_SUPERVISION_DAYS), reason="省厅通知", principal=province,
        actor=actor(province), expected_version=0,
    )  # fmt: skip
    assert table.version == 1
    after = harness.app.get_request(register(harness.app, category=RequestCategory.medical))
    assert after is not None
    assert after.deadline == TODAY + timedelta(days=10)
    assert after.rules_version == 1
    unchanged = harness.app.get_request(before)
    assert unchanged is not None
    assert unchanged.deadline == TODAY + timedelta(days=15)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda days, _: days["petition"].pop("urgent"), "days.petition.urgent"),
        (lambda days, _: days["medical"].update(ordinary=0), "days.medical.ordinary"),
        (lambda _, supervision: supervision.update(major=400), "supervision_days.major"),
    ],
)
def test_a_table_with_a_gap_or_an_impossible_period_is_refused_and_records_nothing(
    harness: ServiceHarness[OutreachApplication], change: Any, field: str
) -> None:
    days = {category: dict(row) for category, row in DEFAULT_DEADLINE_DAYS.items()}
    supervision = dict(DEFAULT_SUPERVISION_DAYS)
    change(days, supervision)
    before = harness.recorded_count()
    province = principal("44", Role.officer)
    with pytest.raises(Invalid) as refused:
        harness.app.set_deadline_table(
            days=days, supervision_days=supervision, reason="", principal=province, actor=actor(province)
        )
    assert refused.value.field == field
    assert "天数" in refused.value.message
    assert harness.recorded_count() == before


def test_only_a_provincial_officer_changes_the_table(harness: ServiceHarness[OutreachApplication]) -> None:
    before = harness.recorded_count()
    with pytest.raises(Refused, match="只有省级业务科室人员"):
        harness.app.set_deadline_table(
            days=DEFAULT_DEADLINE_DAYS, supervision_days=DEFAULT_SUPERVISION_DAYS, reason="", principal=OFFICER,
            actor=actor(OFFICER),
        )  # fmt: skip
    assert harness.recorded_count() == before


# The closed loop --------------------------------------------------------------------------------------------------


def test_the_loop_from_registration_to_closing_records_who_when_and_why(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    app = harness.app
    request_id = register(app)
    contact = visit(app)
    step(app, "accept", request_id, assignee="staff-2", department="香洲区退役军人事务局")
    harness.clock.advance(days=2)
    step(app, "progress", request_id, contact_id=contact)
    step(app, "resolve", request_id)
    request = step(app, "follow_up", request_id, satisfaction=Satisfaction.basically_satisfied)
    assert request.status == "closed"
    assert request.closed_on == TODAY + timedelta(days=2)
    assert request.assignee == "staff-2"
    assert request.visits == [str(contact)]
    assert [(s["step"], s["on"], s["by"]) for s in request.history] == [
        ("registered", "2020-06-01", "staff-1"),
        ("accepted", "2020-06-01", "staff-1"),
        ("progress", "2020-06-03", "staff-1"),
        ("resolved", "2020-06-03", "staff-1"),
        ("followed_up", "2020-06-03", "staff-1"),
        ("closed", "2020-06-03", "staff-1"),
    ]
    assert request.history[3]["note"] == "协调企业安排就业"
    published = harness.published()
    assert [e.type for e in published if e.type.startswith("Request")] == [
        "RequestRegistered", "RequestAccepted", "RequestResolved", "RequestFollowedUp", "RequestClosed",
    ]  # fmt: skip
    followed_up = next(e for e in published if e.type == "RequestFollowedUp")
    assert followed_up.region == VILLAGE
    assert followed_up.data["satisfaction"] == "basically_satisfied"
    raw = b"".join(e.to_bytes() for e in published).decode()
    assert "妻子患病" not in raw
    assert "协调企业" not in raw


def test_a_dissatisfied_person_reopens_the_request_with_a_new_deadline(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    request_id = register(harness.app, category=RequestCategory.employment)
    taken_to(harness.app, request_id, "resolve")
    harness.clock.set(date(2020, 6, 20))
    request = step(harness.app, "follow_up", request_id, satisfaction=Satisfaction.dissatisfied, note="岗位太远")
    assert request.status == "in_progress"
    assert request.deadline == date(2020, 7, 20)
    assert request.resolved_on is None
    assert [s["step"] for s in request.history][-2:] == ["followed_up", "reopened"]
    assert [e.type for e in harness.published()][-2:] == ["RequestFollowedUp", "RequestReopened"]
    step(harness.app, "resolve", request_id)  # dealt with again, then followed up again
    assert step(harness.app, "follow_up", request_id).status == "closed"


@pytest.mark.parametrize(
    ("done", "attempt", "message"),
    [
        ("", "start", "该诉求当前为“已登记”，只有“已受理”的诉求才能开始办理 (the request is registered: only a "
         "request that is accepted can be started)"),
        ("", "resolve", "该诉求当前为“已登记”，只有“办理中”的诉求才能标记为已化解 (the request is registered: only a "
         "request that is in_progress can be resolved)"),
        ("accept", "accept", "该诉求当前为“已受理”，只有“已登记”的诉求才能受理 (the request is accepted: only a "
         "request that is registered can be accepted)"),
        ("start", "follow_up", "该诉求当前为“办理中”，只有“已化解待回访”的诉求才能回访 (the request is "
         "in_progress: only a request that is resolved can be followed up)"),
        ("follow_up", "progress", "该诉求当前为“已办结”，只有“已受理、办理中”的诉求才能记录办理进展 (the request is "
         "closed: only a request that is accepted or in_progress can be given progress)"),
    ],
)  # fmt: skip
def test_a_step_out_of_order_is_refused_saying_why_and_records_nothing(
    harness: ServiceHarness[OutreachApplication], done: str, attempt: str, message: str
) -> None:
    request_id = register(harness.app)
    if done:
        taken_to(harness.app, request_id, done)
    before = harness.recorded_count()
    with pytest.raises(StepOutOfOrder) as refused:
        step(harness.app, attempt, request_id)
    assert refused.value.message == message
    assert harness.recorded_count() == before


def test_a_step_from_a_stale_screen_is_refused_and_records_nothing(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    request_id = register(harness.app)
    step(harness.app, "accept", request_id, expected_version=1)
    before = harness.recorded_count()
    with pytest.raises(PreconditionFailed, match="当前第 2 版，您看到的是第 1 版"):
        step(harness.app, "start", request_id, expected_version=1)  # someone else accepted it meanwhile
    assert harness.recorded_count() == before


def test_a_request_outside_the_jurisdiction_looks_unknown(harness: ServiceHarness[OutreachApplication]) -> None:
    request_id = register(harness.app)
    with pytest.raises(NotFound, match="查无此诉求或不在本辖区"):
        step(harness.app, "accept", request_id, who=principal("440403001"))


def test_a_request_is_registered_only_for_a_living_person_outreach_knows(
    harness: ServiceHarness[OutreachApplication], feed: RegistryFeed
) -> None:
    before = harness.recorded_count()
    with pytest.raises(NotYetKnown):
        register(harness.app, person_id="00000000-0000-4000-8000-000000000001")
    with pytest.raises(NotFound):
        register(harness.app, principal=principal("440403001"))
    with pytest.raises(Invalid) as refused:
        register(harness.app, found_in="00000000-0000-4000-8000-000000000002")  # no such contact
    assert refused.value.field == "found_in"
    assert harness.recorded_count() == before
    harness.deliver(feed.died(PERSON))
    before = harness.recorded_count()
    with pytest.raises(PersonDeceased):
        register(harness.app)
    assert harness.recorded_count() == before


# Escalation (督办) ------------------------------------------------------------------------------------------------

DEADLINE = date(2020, 6, 30)


@pytest.mark.parametrize(
    ("state", "today", "due"),
    [
        ({"status": "registered"}, DEADLINE, False),  # on the deadline day it is not late yet
        ({"status": "registered"}, DEADLINE + timedelta(days=1), True),
        ({"status": "in_progress"}, DEADLINE + timedelta(days=1), True),
        ({"status": "resolved"}, DEADLINE + timedelta(days=30), False),  # resolved in time: awaiting follow-up
        ({"status": "closed"}, DEADLINE + timedelta(days=30), False),
        ({"status": "accepted", "next_level": None}, DEADLINE + timedelta(days=30), False),  # the province
        # Escalated on the 1st of July: the level above gives it 7 days before escalating again.
        ({"status": "accepted", "last_escalated_on": date(2020, 7, 1)}, date(2020, 7, 1), False),
        ({"status": "accepted", "last_escalated_on": date(2020, 7, 1)}, date(2020, 7, 8), False),
        ({"status": "accepted", "last_escalated_on": date(2020, 7, 1)}, date(2020, 7, 9), True),
        # Escalated by hand before its deadline: the deadline still counts.
        ({"status": "accepted", "last_escalated_on": date(2020, 6, 10)}, DEADLINE, False),
        ({"status": "accepted", "last_escalated_on": date(2020, 6, 10)}, DEADLINE + timedelta(days=1), True),
    ],
)
def test_the_escalation_rule(state: dict[str, Any], today: date, due: bool) -> None:
    facts = {"deadline": DEADLINE, "last_escalated_on": None, "next_level": "4404", "supervision_days": 7, **state}
    assert escalation_due(today, **facts) is due
    assert (escalate_after(**facts) is not None) is (facts["status"] not in ("resolved", "closed") and bool(
        facts["next_level"]))  # fmt: skip


def test_the_daily_run_escalates_an_overdue_request_once_a_day_one_level_at_a_time(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    app = harness.app
    request_id = register(app, category=RequestCategory.policy_question)  # deadline 8 June
    assert app.escalate_if_due(request_id, date(2020, 6, 8)) is False
    assert app.escalate_if_due(request_id, date(2020, 6, 9)) is True
    assert app.escalate_if_due(request_id, date(2020, 6, 9)) is False  # the second run of the day
    request = app.get_request(request_id)
    assert request is not None
    assert (request.supervised_by, request.escalation_level) == ("440402", 1)  # the district above the station
    assert app.escalate_if_due(request_id, date(2020, 6, 16)) is False  # the district's 7 days
    assert app.escalate_if_due(request_id, date(2020, 6, 17)) is True
    assert app.escalate_if_due(request_id, date(2020, 6, 25)) is True
    assert app.escalate_if_due(request_id, date(2020, 12, 1)) is False  # the province is the top
    request = app.get_request(request_id)
    assert request is not None
    assert (request.supervised_by, request.escalation_level) == ("44", 3)
    escalated = [e for e in harness.published() if e.type == "RequestEscalated"]
    assert [(e.data["supervised_by"], e.data["automatic"], e.actor.sub) for e in escalated] == [
        ("440402", True, "system"), ("4404", True, "system"), ("44", True, "system"),
    ]  # fmt: skip


def test_an_officer_escalates_by_hand_and_a_station_worker_cannot(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    request_id = register(harness.app)
    before = harness.recorded_count()
    with pytest.raises(Refused, match="只有业务科室人员可以督办"):
        step(harness.app, "escalate", request_id)
    assert harness.recorded_count() == before
    request = step(harness.app, "escalate", request_id, who=OFFICER, reason="群众多次反映")
    assert request.supervised_by == "440402"
    assert request.history[-1] | {"on": None, "at": None} == {
        "step": "escalated", "on": None, "at": None, "by": "officer-1", "note": "群众多次反映",
        "supervised_by": "440402", "level": 1, "automatic": False,
    }  # fmt: skip


def test_there_is_no_level_above_the_province(harness: ServiceHarness[OutreachApplication]) -> None:
    province = principal("44", Role.officer)
    request_id = register(harness.app, principal=province)
    before = harness.recorded_count()
    with pytest.raises(NoLevelAbove):
        step(harness.app, "escalate", request_id, who=province)
    assert harness.recorded_count() == before


def test_a_closed_request_is_not_escalated(harness: ServiceHarness[OutreachApplication]) -> None:
    request_id = register(harness.app)
    taken_to(harness.app, request_id, "follow_up")
    with pytest.raises(StepOutOfOrder, match="才能督办"):
        step(harness.app, "escalate", request_id, who=OFFICER)
    assert harness.app.escalate_if_due(request_id, date(2021, 1, 1)) is False


# Reactions to the registry's person events ------------------------------------------------------------------------


def test_a_death_marks_open_requests_once_and_keeps_them_visible(
    harness: ServiceHarness[OutreachApplication], feed: RegistryFeed
) -> None:
    open_one = register(harness.app)
    closed_one = register(harness.app)
    taken_to(harness.app, closed_one, "follow_up")
    died = feed.died(PERSON)
    harness.deliver(died)
    recorded = harness.recorded_count()
    harness.deliver(died)  # redelivered
    assert harness.recorded_count() == recorded
    request = harness.app.visible_request(open_one, STAFF)
    assert request.person_deceased is True
    assert request.status == "registered"
    assert [s["step"] for s in request.history] == ["registered", "person_deceased"]
    assert harness.app.get_request(closed_one).person_deceased is False  # type: ignore[union-attr]
    # The station closes it without the follow-up visit, saying why; a living person's request cannot be.
    by = Acting(STAFF, actor(STAFF))
    closed = harness.app.close_request_of_deceased(open_one, by, reason="家属表示无其他诉求")
    assert (closed.status, closed.history[-1]["step"], closed.history[-1]["note"]) == (
        "closed",
        "closed",
        "家属表示无其他诉求",
    )


def test_only_a_deceased_persons_request_is_closed_without_a_follow_up(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    request_id = register(harness.app)
    before = harness.recorded_count()
    with pytest.raises(NotDeceased, match="只有当事人已去世的诉求才能不经回访办结"):
        harness.app.close_request_of_deceased(request_id, Acting(STAFF, actor(STAFF)), reason="无法联系")
    assert harness.recorded_count() == before


def test_a_transfer_moves_open_requests_to_the_receiving_side(
    harness: ServiceHarness[OutreachApplication], feed: RegistryFeed
) -> None:
    app = harness.app
    open_one = register(app)
    step(app, "escalate", open_one, who=OFFICER)  # supervised by 香洲区
    closed_one = register(app)
    taken_to(app, closed_one, "follow_up")
    moved = feed.transferred(PERSON, OTHER_VILLAGE)
    harness.deliver(moved)
    recorded = harness.recorded_count()
    harness.deliver(moved)
    assert harness.recorded_count() == recorded
    receiving = principal("440403001")
    request = app.visible_request(open_one, receiving)
    assert (request.region, request.responsible_region, request.supervised_by) == (OTHER_VILLAGE, "440403001", "440403")
    assert request.assignee is None  # the receiving side assigns someone
    with pytest.raises(NotFound):
        app.visible_request(open_one, STAFF)
    assert app.visible_request(closed_one, STAFF).region == VILLAGE  # closed: it stays where it was handled
    # The receiving side names who is responsible now; a closed request has nobody to assign.
    assert step(app, "assign", open_one, who=receiving).assignee == "staff-9"
    with pytest.raises(StepOutOfOrder, match="才能指定责任人"):
        step(app, "assign", closed_one)


# Follow-up needed opens a request in one step ----------------------------------------------------------------------


def one_step(app: OutreachApplication, **request: Any) -> tuple[UUID, UUID]:
    contact = {
        "method": "home_visit", "contacted_on": TODAY, "staff": "staff-1",
        "findings": "住院押金无力支付", "occasion": "八一", "campaign_id": None,
    }  # fmt: skip
    wanted = {"category": RequestCategory.medical, "grade": RequestGrade.urgent, "summary": "住院押金"} | request
    return app.record_contact_with_request(
        person_id=PERSON,
        contact=contact,
        request=wanted | {"department": None, "assignee": None},
        principal=STAFF,
        actor=actor(STAFF),
    )


def test_a_contact_needing_follow_up_opens_a_request_in_one_transaction(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    before = harness.recorded_count()
    contact_id, request_id = one_step(harness.app)
    contact = harness.app.get_contact(contact_id)
    request = harness.app.get_request(request_id)
    assert contact is not None
    assert request is not None
    assert contact.needs_follow_up is True
    assert (request.found_in_contact, request.occasion, request.visits) == (str(contact_id), "八一", [str(contact_id)])
    assert request.deadline == TODAY + timedelta(days=3)
    recorded = {type(event).__qualname__ for event in harness.all_events()[before:]}
    assert {"Contact.Recorded", "Request.Registered", "PersonRequests.Started"} <= recorded
    assert [e.type for e in harness.published()][-2:] == ["ContactRecorded", "RequestRegistered"]


def test_the_visit_counts_toward_the_contact_rules_and_a_future_date_records_neither(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    one_step(harness.app)
    file = harness.app.get_or_none(ContactFile.create_id(PERSON))
    assert isinstance(file, ContactFile)
    assert file.last_home_visit == TODAY
    before = harness.recorded_count()
    with pytest.raises(Invalid) as refused:
        harness.app.record_contact_with_request(
            person_id=PERSON,
            contact={"method": "phone", "contacted_on": TODAY + timedelta(days=1), "staff": "staff-1"},
            request={"category": RequestCategory.medical, "grade": RequestGrade.urgent, "summary": "住院押金"}
            | {"department": None, "assignee": None},
            principal=STAFF,
            actor=actor(STAFF),
        )
    assert refused.value.field == "date"
    assert harness.recorded_count() == before


def test_neither_is_recorded_when_the_person_has_died(
    harness: ServiceHarness[OutreachApplication], feed: RegistryFeed
) -> None:
    harness.deliver(feed.died(PERSON))
    before = harness.recorded_count()
    with pytest.raises(PersonDeceased):
        one_step(harness.app)
    assert harness.recorded_count() == before


def test_two_people_accepting_at_once_record_one_acceptance(harness: ServiceHarness[OutreachApplication]) -> None:
    request_id = register(harness.app)
    officers = [principal("440402", Role.officer, f"officer-{n}") for n in (1, 2)]
    results = run_threads([lambda who=who: step(harness.app, "accept", request_id, who) for who in officers])
    losers = [result for result in results if isinstance(result, Exception)]
    # The loser either lost the save (the event store's version check) or loaded after the winner had saved.
    assert len(losers) == 1
    assert isinstance(losers[0], IntegrityError | StepOutOfOrder)
    steps = [s["step"] for s in harness.app.visible_request(request_id, STAFF).history]
    assert steps == ["registered", "accepted"]


def test_every_request_event_published_validates_against_its_schema(
    harness: ServiceHarness[OutreachApplication],
) -> None:
    request_id = register(harness.app)
    step(harness.app, "escalate", request_id, who=OFFICER)
    taken_to(harness.app, request_id, "resolve")
    step(harness.app, "follow_up", request_id, satisfaction=Satisfaction.dissatisfied)
    step(harness.app, "resolve", request_id)
    step(harness.app, "follow_up", request_id)
    published = [event for event in harness.published() if event.type.startswith("Request")]
    schemas = event_json_schemas(definition)
    assert {event.type for event in published} == {name for name in schemas if name.startswith("Request")}
    for event in published:
        jsonschema.validate(event.model_dump(mode="json"), schemas[event.type])
        assert event.region == VILLAGE
        assert "妻子患病" not in event.to_bytes().decode()
