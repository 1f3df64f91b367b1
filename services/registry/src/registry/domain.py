"""Registry domain: one record per person (一人一档) and the guard that keeps ID numbers unique."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event


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


class Person(Aggregate):
    """A veteran or beneficiary. Identified by a random id, never by the national ID number."""

    class Registered(Aggregate.Created):
        id_number: str
        name: str
        sex: str
        birth_date: date
        region: str
        categories: list[str]
        actor: dict[str, str]

    @event(Registered)
    def __init__(
        self,
        *,
        id_number: str,
        name: str,
        sex: str,
        birth_date: date,
        region: str,
        categories: list[str],
        actor: dict[str, str],
    ) -> None:
        self.id_number = id_number
        self.name = name
        self.sex = sex
        self.birth_date = birth_date
        self.region = region
        self.categories = list(categories)
        self.status = "active"
        self.registered_by = actor


class IdNumberClaim(Aggregate):
    """Uniqueness guard: its id is derived from a keyed hash of the ID number, so a second registration
    of the same number collides on creation inside the same transaction as the new Person."""

    @staticmethod
    def create_id(id_number_hash: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_OID, f"vet.registry.id-number:{id_number_hash}")

    class Claimed(Aggregate.Created):
        id_number_hash: str
        person_id: uuid.UUID

    @event(Claimed)
    def __init__(self, *, id_number_hash: str, person_id: uuid.UUID) -> None:
        self.person_id = person_id


def person_summary(person: Person) -> dict[str, Any]:
    return {
        "id": str(person.id),
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "region": person.region,
        "categories": person.categories,
        "status": person.status,
        "version": person.version,
    }
