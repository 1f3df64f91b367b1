"""What assistance publishes: every step of the loop, an enrolment and a payroll reach vet.assistance.v1 as events
of the contracts package that validate against their JSON Schemas, in the right region, with no personal data."""

from __future__ import annotations

import json
from datetime import date

import jsonschema

from assistance.application import AssistanceApplication
from assistance.contract import by_county
from assistance.policies import reactions
from assistance.rules import Facts, FundKind, Rules
from assistance.service import definition
from vet_common.auth import Principal, Role
from vet_common.domain import Actor
from vet_contracts import json_schemas
from vet_devtools.testing.harness import ServiceHarness
from vet_devtools.testing.people import RegistryFeed

STATION = Principal(sub="s", name="站", roles=frozenset({Role.station_staff}), region="350102001")
APPROVER = Principal(sub="a", name="审", roles=frozenset({Role.approver}), region="350102")
OFFICER = Principal(sub="o", name="局", roles=frozenset({Role.officer}), region="350102")
SECRET_FINDING = "张三家住鼓楼区某路1号，电话13800000000"


def test_every_step_is_published_validating_its_schema_without_the_free_text() -> None:
    harness = ServiceHarness[AssistanceApplication](definition, today=date(2026, 8, 3))
    app, feed = harness.app, RegistryFeed()
    for person in ("p-1", "p-2", "p-3"):
        reactions.process(app, feed.registered(person, "350102001001"))
    rules = Rules.model_validate({"amount": {"kind": "fixed", "amount_fen": 160_000}})
    actor = Actor(sub="o", role="officer")
    kind = FundKind.temporary_hardship_aid
    fund = app.create_fund(
        name="临时救助", kind=kind, region="350102", year=2026, budget_fen=10**7, rules=rules, actor=actor
    )
    app.change_budget(fund, 2 * 10**7, "追加", OFFICER)
    app.version_rules(fund, rules, "复核", OFFICER)
    paid = app.submit(fund_id=fund, person_id="p-1", on_behalf_of=True, facts=Facts(), documents=[], principal=STATION)
    app.accept(paid, STATION)
    app.approve(paid, SECRET_FINDING, APPROVER)
    app.notify_person(paid, "visit", date(2026, 8, 3), STATION)
    app.disburse(paid, "B-1", "k-1", date(2026, 8, 3), OFFICER)
    app.evaluate(paid, SECRET_FINDING, STATION)
    denied = app.submit(
        fund_id=fund, person_id="p-2", on_behalf_of=False, facts=Facts(), documents=[], principal=STATION
    )
    app.return_application(denied, [SECRET_FINDING], SECRET_FINDING, STATION)
    app.resubmit(denied, Facts(), [], STATION)
    app.accept(denied, STATION)
    app.deny(denied, SECRET_FINDING, APPROVER)
    suspended = app.submit(
        fund_id=fund, person_id="p-3", on_behalf_of=True, facts=Facts(), documents=[], principal=STATION
    )
    monthly = Rules.model_validate({"amount": {"kind": "monthly"}})
    regular = app.create_fund(
        name="生活补助",
        kind=FundKind.regular_entitlement,
        region="350102",
        year=2026,
        budget_fen=10**7,
        rules=monthly,
        actor=actor,
    )
    enrolment = app.enrol(fund_id=regular, person_id="p-3", monthly_fen=None, start_month="2026-08", principal=OFFICER)
    payroll, _ = app.compute_payroll(regular, "2026-08", OFFICER)
    assert [line[0] for line in payroll.lines] == [str(enrolment)]
    app.approve_payroll(payroll.id, APPROVER)
    app.release_payroll(payroll.id, OFFICER)
    reactions.process(app, feed.died("p-3", "2026-08-20"))

    published = harness.published()

    assert [e.type for e in published if e.aggregate_id == str(paid)] == [
        "ApplicationSubmitted",
        "ApplicationAccepted",
        "ApplicationApproved",
        "ApplicationNotified",
        "ApplicationDisbursed",
        "ApplicationEvaluated",
    ]
    assert [e.type for e in published if e.aggregate_id == str(denied)] == [
        "ApplicationSubmitted",
        "ApplicationReturned",
        "ApplicationAccepted",
        "ApplicationDenied",
    ]
    assert [e.type for e in published if e.aggregate_id == str(suspended)][-1] == "ApplicationSuspended"
    types = {e.type for e in published}
    assert {
        "FundCreated",
        "FundBudgetChanged",
        "FundRulesVersioned",
        "EnrolmentStarted",
        "EnrolmentEnded",
        "PayrollComputed",
        "PayrollApproved",
        "PayrollReleased",
    } <= types
    schemas = json_schemas("assistance")
    for event in published:
        body = event.to_bytes()
        jsonschema.validate(json.loads(body), schemas[event.type])
        assert SECRET_FINDING.encode() not in body
        assert "张三".encode() not in body
        assert event.region in ("350102", "350102001001"), event
    approved = next(e for e in published if e.type == "ApplicationApproved")
    assert approved.data["amount_fen"] == 160_000
    assert approved.data["level"] == "county"
    released = next(e for e in published if e.type == "PayrollReleased")
    assert released.data["by_county"] == {"350102": {"lines": 1, "total_fen": released.data["total_fen"]}}


def test_a_payroll_says_its_lines_and_amount_per_county_of_the_people_paid() -> None:
    lines = [["e-1", "p-1", "350102001001", 50_000], ["e-2", "p-2", "350103002003", 40_000]]
    lines.append(["e-3", "p-3", "350102005", 30_000])
    assert by_county(lines) == {
        "350102": {"lines": 2, "total_fen": 80_000},
        "350103": {"lines": 1, "total_fen": 40_000},
    }
