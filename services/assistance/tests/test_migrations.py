"""`vet migrate-enrolment-roll`: enrolments stored before the payroll roll are entered in it once; a second run
records nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistance.application import AssistanceApplication
from assistance.domain import Enrolment, EnrolmentRoll
from assistance.migrations import migrate_enrolment_roll, migrate_roll_command
from assistance.rules import FundKind
from vet_common.domain import Actor
from vet_common.settings import Settings

OLD_CODE = Actor(sub="officer-1", role="officer")


def old_shape_enrolment(desk: Any, fund_id: Any, person_id: str, start: str, proposed: bool = False) -> Enrolment:
    """An enrolment the way it was saved before the roll: the enrolment and the person's file, no roll entry."""
    desk.person(person_id)
    enrolment = Enrolment(
        fund_id=str(fund_id),
        person_id=person_id,
        region="350102001001",
        monthly_fen=20_000,
        start_month=start,
        proposed=proposed,
        actor=OLD_CODE,
        yearly_fen=None,
        pay_month=None,
    )
    file = desk.app._person_file(person_id)
    file.file_enrolment(enrolment_id=str(enrolment.id))
    desk.app.save(enrolment, file)
    return enrolment


def test_an_old_store_is_migrated_once_and_its_enrolments_are_paid(desk: Any) -> None:
    fund_id = desk.fund(desk.MONTHLY_RULES, kind=FundKind.regular_entitlement, name="农村退役军人生活补助")
    old = old_shape_enrolment(desk, fund_id, "p-old", "2026-08")
    ended = old_shape_enrolment(desk, fund_id, "p-ended", "2026-08")
    ended.end("2026-09", "died", OLD_CODE)
    desk.app.save(ended)
    old_shape_enrolment(desk, fund_id, "p-proposed", "2026-08", proposed=True)
    desk.person("p-new")
    new = desk.app.enrol(
        fund_id=fund_id, person_id="p-new", monthly_fen=None, start_month="2026-08", principal=desk.OFFICER
    )
    assert str(old.id) not in desk.app.roll_share(old).entries  # not paid until migrated

    first = migrate_enrolment_roll(desk.app)
    assert (first.entered, first.already, first.proposed) == (2, 1, 1)
    september, _ = desk.app.compute_payroll(fund_id, "2026-09", desk.OFFICER)
    october, _ = desk.app.compute_payroll(fund_id, "2026-10", desk.OFFICER)
    assert sorted(line[1] for line in september.lines) == ["p-ended", "p-new", "p-old"]
    assert sorted(line[1] for line in october.lines) == ["p-new", "p-old"]  # the ended one: its last month is kept
    assert str(new) in {line[0] for line in october.lines}

    recorded = desk.app.recorder.max_notification_id()
    second = migrate_enrolment_roll(desk.app)
    assert (second.entered, second.already, second.proposed) == (0, 3, 1)
    assert desk.app.recorder.max_notification_id() == recorded  # the second run changed nothing


def test_the_operator_command_migrates_the_configured_store(tmp_path: Path, capsys: Any) -> None:
    settings = Settings.for_service("assistance", data_dir=tmp_path)
    app = AssistanceApplication(settings)
    try:
        enrolment = Enrolment(
            fund_id="f-1", person_id="p-1", region="350102", monthly_fen=20_000, start_month="2026-01",
            proposed=False, actor=OLD_CODE, yearly_fen=None, pay_month=None,
        )  # fmt: skip
        app.save(enrolment)
    finally:
        app.close()

    assert migrate_roll_command(settings, []) == 0
    assert "1 enrolments entered" in capsys.readouterr().out
    assert migrate_roll_command(settings, []) == 0
    assert "0 enrolments entered in the payroll roll, 1 were there already" in capsys.readouterr().out
    app = AssistanceApplication(settings)
    try:
        assert app.repository.get(EnrolmentRoll.id_for(enrolment)).payable_in("2026-03")[0][:2] == [
            str(enrolment.id),
            "p-1",
        ]
    finally:
        app.close()
