"""Registry domain: one record per person (一人一档), the guards that keep it clean, transfers and alerts."""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from vet_common.domain import Actor, Conflict, Invalid, NotFound, actor_from, derived_id


class Category(StrEnum):
    """The 12 national categories of veterans and beneficiaries (see DOMAIN.md)."""

    transferred_officer = "transferred_officer"  # 军队转业干部
    discharged_soldier = "discharged_soldier"  # 退役士兵
    retired_cadre = "retired_cadre"  # 军队离休退休干部和退休士官
    civilian_retiree = "civilian_retiree"  # 无军籍离退休退职职工
    demobilized_soldier = "demobilized_soldier"  # 复员军人
    red_army_veteran = "red_army_veteran"  # 退伍红军老战士和红军失散人员
    disabled_soldier = "disabled_soldier"  # 残疾军人
    disabled_militia = "disabled_militia"  # 伤残民兵民工
    martyr_survivor = "martyr_survivor"  # 烈士遗属
    duty_death_survivor = "duty_death_survivor"  # 因公牺牲军人遗属
    illness_death_survivor = "illness_death_survivor"  # 病故军人遗属
    active_duty_family = "active_duty_family"  # 现役军人家属


CATEGORY_NAMES = {
    Category.transferred_officer: "军队转业干部",
    Category.discharged_soldier: "退役士兵",
    Category.retired_cadre: "军队离休退休干部和退休士官",
    Category.civilian_retiree: "无军籍离退休退职职工",
    Category.demobilized_soldier: "复员军人",
    Category.red_army_veteran: "退伍红军老战士和红军失散人员",
    Category.disabled_soldier: "残疾军人",
    Category.disabled_militia: "伤残民兵民工",
    Category.martyr_survivor: "烈士遗属",
    Category.duty_death_survivor: "因公牺牲军人遗属",
    Category.illness_death_survivor: "病故军人遗属",
    Category.active_duty_family: "现役军人家属",
}


class IdNumberClaim(Aggregate):
    """Uniqueness guard: its id is derived from a keyed hash of the ID number, so a second registration
    of the same number collides on creation inside the same transaction as the new Person."""

    @staticmethod
    def create_id(id_number_hash: str) -> uuid.UUID:
        return derived_id("vet.registry.id-number", id_number_hash)

    class Claimed(Aggregate.Created):
        id_number_hash: str
        person_id: uuid.UUID

    @event(Claimed)
    def __init__(self, *, id_number_hash: str, person_id: uuid.UUID) -> None:
        self.person_id = person_id


class KeyContactReason(StrEnum):
    """Why someone is a key contact (重点联系对象). The first four are derived from the record."""

    aged_80_or_over = "aged_80_or_over"  # 80岁以上高龄 (derived from the birth date)
    severely_disabled = "severely_disabled"  # 伤残 1–6 级 (derived from the disability level)
    martyr_survivor = "martyr_survivor"  # 烈士遗属 (derived from the category)
    meritorious = "meritorious"  # 二等功以上 (derived from the honours)
    meritorious_model = "meritorious_model"  # 功臣模范
    extremely_poor = "extremely_poor"  # 特困
    unemployed = "unemployed"  # 下岗失业
    living_in_difficulty = "living_in_difficulty"  # 生活困难
    widowed_orphaned_alone = "widowed_orphaned_alone"  # 鳏寡孤独
    other = "other"


DERIVED_REASONS = frozenset(
    {
        KeyContactReason.aged_80_or_over,
        KeyContactReason.severely_disabled,
        KeyContactReason.martyr_survivor,
        KeyContactReason.meritorious,
    }
)
HIGH_MERITS = ("一等功", "二等功", "特等功", "一级英雄模范", "二级英雄模范")
SURVIVOR_CATEGORIES = frozenset(
    {Category.martyr_survivor, Category.duty_death_survivor, Category.illness_death_survivor}
)
PROFILE_DIMENSIONS = (
    "family_life",  # 家庭生活
    "medical_security",  # 医疗保障
    "housing",  # 住房
    "children_education",  # 子女教育
    "employment",  # 就业创业
    "difficulties",  # 困难诉求
)


class PersonStatus(StrEnum):
    """One vocabulary for a record's status, in the domain, the read models, the events and the API."""

    active = "active"
    deceased = "deceased"
    merged = "merged"  # a duplicate record, merged into the one that was kept


# Age from which everyone is a key contact (80岁以上高龄); the alert rules announce it with the same number.
KEY_CONTACT_AGE = 80


class PersonDeceased(Conflict):
    """Only an officer's correction with a reason may change a deceased person's record."""


class NotActive(Conflict):
    """The record is deceased or merged: this change needs an active record."""


class TransferPending(Conflict):
    """A person has at most one transfer waiting for the receiving side."""


def birthday_in(year: int, birth_date: date) -> date:
    """The day in `year` on which someone born on `birth_date` is a year older.

    29 February is 28 February in a common year (Civil Code art. 202, as `registry.alerts.anniversary` counts).
    """
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - (birthday_in(day.year, birth_date) > day)


def born_on_or_before(today: date, age: int = KEY_CONTACT_AGE) -> date:
    """The latest birth date of someone `age` or older today."""
    year = today.year - age
    if (today.month, today.day) == (2, 28) and calendar.isleap(year) and not calendar.isleap(today.year):
        return date(year, 2, 29)  # born on 29 February: a year older today
    return birthday_in(year, today)


@dataclass(frozen=True, kw_only=True)
class Registration:
    """What registering a person records: the arguments of the Registered event (validated before)."""

    id_number: str
    name: str
    sex: str
    birth_date: date
    region: str
    categories: list[str]
    ethnicity: str | None = None
    phone: str | None = None
    address: str | None = None
    household: str | None = None
    service: dict[str, Any] | None = None

    def as_arguments(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


ACCOUNT_DIGITS = (12, 30)  # the lengths of Chinese bank card and account numbers
BANK_NAME_LENGTH = (2, 50)


@dataclass(frozen=True)
class PaymentAccount:
    """A payee's bank account (发放账户): the bank (开户银行) and the account number (账号), validated on creation.

    Spaces and hyphens, as people copy a card number, are dropped; what remains must be 12–30 digits."""

    bank: str
    account_number: str

    def __post_init__(self) -> None:
        bank = " ".join(self.bank.split())
        number = "".join(self.account_number.replace("-", " ").split())
        low, high = BANK_NAME_LENGTH
        if not low <= len(bank) <= high:
            raise Invalid("bank", f"开户银行名称须为 {low}–{high} 个字 (the bank name must be {low}-{high} characters)")
        low, high = ACCOUNT_DIGITS
        if not number.isascii() or not number.isdigit():
            raise Invalid("account_number", "账号只能由数字组成 (the account number must be digits only)")
        if not low <= len(number) <= high:
            raise Invalid(
                "account_number", f"账号须为 {low}–{high} 位数字，现为 {len(number)} 位 (must be {low}-{high} digits)"
            )
        object.__setattr__(self, "bank", bank)
        object.__setattr__(self, "account_number", number)


def mask_account_number(value: str) -> str:
    """Only the last four digits, as a bank prints a card: **** **** 1234."""
    return f"**** **** {value[-4:]}"


class Person(Aggregate):
    """A veteran or beneficiary: one record per person (一人一档).

    Identified by a random id, never by the national ID number. Every change is its own event and records
    who made it (`actor`); a change to a deceased person's record must be a correction with a reason.
    """

    @event("Registered")
    def __init__(
        self,
        id_number: str,
        name: str,
        sex: str,
        birth_date: date,
        region: str,
        categories: list[str],
        actor: Actor,
        ethnicity: str | None = None,
        phone: str | None = None,
        address: str | None = None,
        household: str | None = None,
        service: dict[str, Any] | None = None,
        import_job_id: str | None = None,
    ) -> None:
        self.id_number = id_number
        self.name = name
        self.sex = sex
        self.birth_date = birth_date
        self.region = region
        self.categories = list(categories)
        self.ethnicity = ethnicity
        self.phone = phone
        self.address = address
        self.household = household
        self.service = service
        self.registered_by = actor
        self.status = PersonStatus.active
        self.died_on: date | None = None
        self.merged_into: str | None = None
        self.honours: list[dict[str, Any]] = []
        self.disability: dict[str, Any] | None = None
        self.profile: dict[str, str] = {}
        self.designations: dict[str, str] = {}  # manual key-contact reason -> note
        self.survivor_of: list[dict[str, str]] = []
        self.preferential_card: dict[str, Any] = {"status": "none"}
        self.confirmations: list[dict[str, Any]] = []
        self.pending_transfer: str | None = None
        self.payment_account: dict[str, str] | None = None  # {"bank", "account_number"}: where payments go

    # Guards -------------------------------------------------------------------------------------------------

    def check_can_change(self, correction_reason: str | None) -> None:
        if self.status == PersonStatus.deceased and not (correction_reason or "").strip():
            raise PersonDeceased(
                "该人员已去世，档案只能由工作人员以更正方式修改并注明原因 (record is closed: deceased)"
            )
        if self.status == PersonStatus.merged:
            raise NotActive(f"该档案已合并到 {self.merged_into} (record merged into another)")

    def check_active(self) -> None:
        if self.status != PersonStatus.active:
            raise NotActive(f"该人员当前状态为 {self.status}，不能办理 (person is not active)")

    # Changes --------------------------------------------------------------------------------------------------

    def update_profile(self, changes: dict[str, str], actor: Actor, correction_reason: str | None = None) -> None:
        self.check_can_change(correction_reason)
        self._update_profile(changes=changes, actor=actor, correction_reason=correction_reason)

    @event("ProfileUpdated")
    def _update_profile(self, changes: dict[str, str], actor: Actor, correction_reason: str | None) -> None:
        self.profile.update(changes)

    def change_contact(
        self, phone: str | None, address: str | None, actor: Actor, correction_reason: str | None = None
    ) -> None:
        self.check_can_change(correction_reason)
        self._change_contact(phone=phone, address=address, actor=actor, correction_reason=correction_reason)

    @event("ContactChanged")
    def _change_contact(
        self, phone: str | None, address: str | None, actor: Actor, correction_reason: str | None
    ) -> None:
        self.phone = phone
        self.address = address

    def change_categories(self, categories: list[str], actor: Actor, correction_reason: str | None = None) -> None:
        self.check_can_change(correction_reason)
        self._change_categories(categories=list(categories), actor=actor, correction_reason=correction_reason)

    @event("CategoriesChanged")
    def _change_categories(self, categories: list[str], actor: Actor, correction_reason: str | None) -> None:
        self.categories = list(categories)  # link_survivor appends to it; the event's own list must stay as it was

    def change_service_record(
        self, service: dict[str, Any], actor: Actor, correction_reason: str | None = None
    ) -> None:
        self.check_can_change(correction_reason)
        self._change_service_record(service=service, actor=actor, correction_reason=correction_reason)

    @event("ServiceRecordChanged")
    def _change_service_record(self, service: dict[str, Any], actor: Actor, correction_reason: str | None) -> None:
        self.service = service

    def add_honour(self, honour: dict[str, Any], actor: Actor, correction_reason: str | None = None) -> None:
        self.check_can_change(correction_reason)
        self._add_honour(honour=honour, actor=actor, correction_reason=correction_reason)

    @event("HonourAdded")
    def _add_honour(self, honour: dict[str, Any], actor: Actor, correction_reason: str | None) -> None:
        self.honours.append(honour)

    def assess_disability(
        self, level: int, cause: str, certificate_no: str, actor: Actor, correction_reason: str | None = None
    ) -> None:
        self.check_can_change(correction_reason)
        self._assess_disability(
            level=level, cause=cause, certificate_no=certificate_no, actor=actor, correction_reason=correction_reason
        )

    @event("DisabilityAssessed")
    def _assess_disability(
        self, level: int, cause: str, certificate_no: str, actor: Actor, correction_reason: str | None
    ) -> None:
        style = (self.disability or {}).get("certificate_style", "old")
        self.disability = {"level": level, "cause": cause, "certificate_no": certificate_no, "certificate_style": style}

    def designate_key_contact(self, reason: str, note: str, actor: Actor) -> None:
        self.check_active()
        if reason in DERIVED_REASONS:
            raise Invalid("reason", f"{reason} 由档案自动判定，无需手工指定 (derived automatically)")
        self._designate(reason=reason, note=note, actor=actor)

    @event("KeyContactDesignated")
    def _designate(self, reason: str, note: str, actor: Actor) -> None:
        self.designations[reason] = note

    def remove_key_contact(self, reason: str, note: str, actor: Actor) -> None:
        self.check_active()
        if reason not in self.designations:
            raise Invalid("reason", f"该人员没有“{reason}”的重点联系对象认定 (no such designation)")
        self._remove_designation(reason=reason, note=note, actor=actor)

    @event("KeyContactRemoved")
    def _remove_designation(self, reason: str, note: str, actor: Actor) -> None:
        self.designations.pop(reason, None)

    def record_payment_account(self, account: PaymentAccount, reason: str, actor: Actor) -> None:
        """发放账户: recorded again when it changes; each account stays in the history as its own event."""
        self.check_active()
        if not reason.strip():
            raise Invalid("reason", "请说明录入或变更发放账户的原因 (state why the account is recorded or changed)")
        self._record_payment_account(
            bank=account.bank, account_number=account.account_number, reason=reason.strip(), actor=actor
        )

    @event("PaymentAccountRecorded")
    def _record_payment_account(self, bank: str, account_number: str, reason: str, actor: Actor) -> None:
        self.payment_account = {"bank": bank, "account_number": account_number}

    def apply_for_preferential_card(self, actor: Actor) -> None:
        self.check_active()
        if self.preferential_card["status"] != "none":
            raise Invalid("action", "优待证已申请或已发放 (the preferential card was already applied for)")
        self._apply_for_card(actor=actor)

    @event("PreferentialCardApplied")
    def _apply_for_card(self, actor: Actor) -> None:
        self.preferential_card = {"status": "applied"}

    def issue_preferential_card(self, card_no: str, issued_on: date, actor: Actor) -> None:
        self.check_active()
        if self.preferential_card["status"] != "applied":
            raise Invalid("action", "请先申请优待证再发放 (apply for the card before issuing it)")
        self._issue_card(card_no=card_no, issued_on=issued_on, actor=actor)

    @event("PreferentialCardIssued")
    def _issue_card(self, card_no: str, issued_on: date, actor: Actor) -> None:
        self.preferential_card = {"status": "issued", "card_no": card_no, "issued_on": issued_on.isoformat()}

    def replace_disability_certificate(self, certificate_no: str, actor: Actor) -> None:
        self.check_active()
        if not self.disability:
            raise Invalid("action", "该人员没有伤残评定，无需换发证件 (no disability assessed)")
        self._replace_certificate(certificate_no=certificate_no, actor=actor)

    @event("DisabilityCertificateReplaced")
    def _replace_certificate(self, certificate_no: str, actor: Actor) -> None:
        assert self.disability is not None
        self.disability = {**self.disability, "certificate_no": certificate_no, "certificate_style": "new"}

    def record_annual_confirmation(self, year: int, confirmed_on: date, note: str, actor: Actor) -> None:
        self.check_active()
        if any(c["year"] == year for c in self.confirmations):
            raise Invalid("year", f"{year} 年度已确认 (already confirmed for {year})")
        self._confirm(year=year, confirmed_on=confirmed_on, note=note, actor=actor)

    @event("AnnualConfirmationRecorded")
    def _confirm(self, year: int, confirmed_on: date, note: str, actor: Actor) -> None:
        self.confirmations.append(
            {
                "year": year,
                "confirmed_on": confirmed_on.isoformat(),
                "note": note,
                "confirmed_by": actor_from(actor).sub,
            }
        )

    def link_survivor(
        self, veteran_id: str, relation: str, category: str, actor: Actor, *, veteran_registered: bool
    ) -> None:
        self.check_can_change(None)
        if category not in SURVIVOR_CATEGORIES:
            raise Invalid("category", "遗属关联只适用于烈士、因公牺牲、病故军人遗属类别 (not a survivor category)")
        if veteran_id == str(self.id):
            raise Invalid("veteran_id", "不能关联本人 (a person cannot be their own survivor)")
        if not veteran_registered:
            raise NotFound("查无此军人档案 (no such veteran in the registry: register the veteran first)")
        self._link_survivor(veteran_id=veteran_id, relation=relation, category=category, actor=actor)

    @event("SurvivorLinked")
    def _link_survivor(self, veteran_id: str, relation: str, category: str, actor: Actor) -> None:
        self.survivor_of.append({"veteran_id": veteran_id, "relation": relation, "category": category})
        if category not in self.categories:
            self.categories.append(category)

    def record_death(self, died_on: date, actor: Actor) -> None:
        if self.status == PersonStatus.deceased:
            raise PersonDeceased("该人员已登记去世 (already recorded as deceased)")
        self.check_can_change(None)  # a merged record: the death belongs on the record it was merged into
        if died_on < self.birth_date:
            raise Invalid("date", "去世日期早于出生日期 (date of death before birth)")
        self._record_death(died_on=died_on, actor=actor)

    @event("Died")
    def _record_death(self, died_on: date, actor: Actor) -> None:
        self.status = PersonStatus.deceased
        self.died_on = died_on
        self.pending_transfer = None

    def correct_death(self, died_on: date | None, reason: str, actor: Actor) -> None:
        """An officer's correction: another date of death, or (None) the death was recorded in error."""
        if self.status != PersonStatus.deceased:
            raise Invalid("date", "该人员未登记去世，无需更正 (no death recorded)")
        if not reason.strip():
            raise Invalid("correction_reason", "更正须注明原因 (a correction needs a reason)")
        if died_on is not None and died_on < self.birth_date:
            raise Invalid("date", "去世日期早于出生日期 (date of death before birth)")
        self._correct_death(died_on=died_on, actor=actor, correction_reason=reason)

    @event("DeathCorrected")
    def _correct_death(self, died_on: date | None, actor: Actor, correction_reason: str) -> None:
        self.died_on = died_on
        self.status = PersonStatus.deceased if died_on else PersonStatus.active

    def request_transfer(self, transfer_id: str, to_region: str, actor: Actor) -> None:
        self.check_active()
        if self.pending_transfer:
            raise TransferPending(f"已有待接收的迁移申请 {self.pending_transfer} (a transfer is already pending)")
        if to_region == self.region:
            raise Invalid("to_region", "迁入地与现所在地相同 (the destination is the current region)")
        self._request_transfer(transfer_id=transfer_id, to_region=to_region, actor=actor)

    @event("TransferRequested")
    def _request_transfer(self, transfer_id: str, to_region: str, actor: Actor) -> None:
        self.pending_transfer = transfer_id

    def complete_transfer(self, transfer_id: str, to_region: str, actor: Actor) -> None:
        if self.pending_transfer != transfer_id:
            raise Invalid("transfer_id", "迁移申请已失效 (this transfer is no longer pending)")
        self._transfer(transfer_id=transfer_id, from_region=self.region, to_region=to_region, actor=actor)

    @event("Transferred")
    def _transfer(self, transfer_id: str, from_region: str, to_region: str, actor: Actor) -> None:
        self.region = to_region
        self.pending_transfer = None

    def cancel_transfer(self, transfer_id: str, actor: Actor) -> None:
        if self.pending_transfer == transfer_id:
            self._cancel_transfer(transfer_id=transfer_id, actor=actor)

    @event("TransferCancelled")
    def _cancel_transfer(self, transfer_id: str, actor: Actor) -> None:
        self.pending_transfer = None

    def merge_into(self, survivor_id: str, actor: Actor) -> None:
        self.check_can_change(None)
        self._merge_into(survivor_id=survivor_id, actor=actor)

    @event("MergedInto")
    def _merge_into(self, survivor_id: str, actor: Actor) -> None:
        self.status = PersonStatus.merged
        self.merged_into = survivor_id
        self.pending_transfer = None  # the kept record is the one to transfer

    # Derived ------------------------------------------------------------------------------------------------

    def key_contact_reasons(self, today: date) -> list[str]:
        reasons = self.standing_key_contact_reasons()
        if self.birth_date <= born_on_or_before(today):
            reasons.append(KeyContactReason.aged_80_or_over)
        return sorted(set(reasons))

    def standing_key_contact_reasons(self) -> list[str]:
        """Designations and the derived reasons that do not change with the date."""
        reasons = list(self.designations)
        if self.disability and int(self.disability["level"]) <= 6:
            reasons.append(KeyContactReason.severely_disabled)
        if Category.martyr_survivor in self.categories:
            reasons.append(KeyContactReason.martyr_survivor)
        if any(h.get("title") in HIGH_MERITS for h in self.honours):
            reasons.append(KeyContactReason.meritorious)
        return sorted(set(reasons))


class Transfer(Aggregate):
    """A person's move to another jurisdiction: requested by the sending side, accepted by the receiving one."""

    @event("Requested")
    def __init__(self, *, person_id: str, from_region: str, to_region: str, reason: str, actor: Actor) -> None:
        self.person_id = person_id
        self.from_region = from_region
        self.to_region = to_region
        self.reason = reason
        self.requested_by = actor
        self.status = "pending"
        self.decided_by: Actor | None = None
        self.decision_note = ""

    def check_pending(self) -> None:
        if self.status != "pending":
            raise Invalid(
                "transfer_id",
                f"该迁移申请已{ {'accepted': '接收', 'rejected': '退回'}[self.status] } (already decided)",
            )

    def accept(self, actor: Actor) -> None:
        self.check_pending()
        self._accept(actor=actor)

    @event("Accepted")
    def _accept(self, actor: Actor) -> None:
        self.status = "accepted"
        self.decided_by = actor

    def reject(self, note: str, actor: Actor) -> None:
        self.check_pending()
        self._reject(note=note, actor=actor)

    @event("Rejected")
    def _reject(self, note: str, actor: Actor) -> None:
        self.status = "rejected"
        self.decided_by = actor
        self.decision_note = note


class DataAccess(Aggregate):
    """One read of personal data in clear (ID or phone number): who, which fields, for what purpose.

    Either of one person's record, or (`import_job_id`, `person_id` empty) of the rows an import rejected."""

    @event("PersonalDataRevealed")
    def __init__(  # not keyword-only: eventsourcing fills defaults only for positional-or-keyword arguments,
        # and reveals recorded before import_job_id existed replay with its default
        self,
        person_id: str,
        region: str,
        fields: list[str],
        purpose: str,
        actor: Actor,
        import_job_id: str | None = None,
    ) -> None:
        self.person_id = person_id
        self.import_job_id = import_job_id
        self.region = region
        self.fields = fields
        self.purpose = purpose
        self.actor = actor


class DuplicateCase(Aggregate):
    """Two records with the same name and birth date but different ID numbers, waiting for review."""

    @staticmethod
    def create_id(person_ids: list[str]) -> uuid.UUID:
        return derived_id("vet.registry.duplicate", ",".join(sorted(person_ids)))

    @event("Flagged")
    def __init__(self, *, person_ids: list[str], region: str, name: str, birth_date: date) -> None:
        self.person_ids = person_ids
        self.region = region
        self.name = name
        self.birth_date = birth_date
        self.status = "open"
        self.outcome: str | None = None

    def check_open(self) -> None:
        if self.status != "open":
            raise Invalid("case_id", "该疑似重复已处理 (already resolved)")

    @event("Resolved")
    def resolve(self, outcome: str, kept_id: str | None, note: str, actor: Actor) -> None:
        self.check_open()
        self.status = "resolved"
        self.outcome = outcome


class AlertOccasion(Aggregate):
    """An eligibility alert, raised once per person and occasion (its id is derived from both)."""

    @staticmethod
    def create_id(person_id: str, kind: str, occasion: str) -> uuid.UUID:
        return derived_id("vet.registry.alert", person_id, kind, occasion)

    @event("EligibilityAlertRaised")
    def __init__(self, *, person_id: str, region: str, kind: str, occasion: str, due_on: date, message: str) -> None:
        self.person_id = person_id
        self.region = region
        self.kind = kind
        self.occasion = occasion
        self.due_on = due_on
        self.message = message


class ImportJob(Aggregate):
    """A roster import: progress is saved per batch, so a restarted process continues where it stopped."""

    @event("Started")
    def __init__(self, *, filename: str, file_hash: str, region: str, actor: Actor) -> None:
        self.filename = filename
        self.file_hash = file_hash
        self.region = region
        self.actor = actor
        self.status = "running"
        self.rows = 0
        self.registered = 0
        self.already_registered = 0
        self.rejected: list[dict[str, Any]] = []
        self.next_row = 0  # index into the parsed rows

    @event("BatchRecorded")
    def record_batch(
        self, next_row: int, registered: int, already_registered: int, rejected: list[dict[str, Any]]
    ) -> None:
        self.next_row = next_row
        self.rows = next_row
        self.registered += registered
        self.already_registered += already_registered
        self.rejected.extend(rejected)

    @event("Finished")
    def finish(self, status: str, message: str = "") -> None:
        self.status = status
        self.message = message
