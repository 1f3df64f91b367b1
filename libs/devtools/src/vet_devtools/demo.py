"""`vet demo`: a county's worth of demo data (鼓楼区, 350102) loaded through the services' HTTP APIs.

People in every township, the key contacts paired with their station's staff, visits and calls, requests at
several steps, two funds with applications at every step of the loop, a month's payroll, and a campaign that
is finished (launched, visited, the county's summary table submitted and approved by the city). Everything
goes through the APIs a running platform (`make up`) serves, with the tokens `vet token` makes, so it is what
the console and the reports then show.

It runs once: a second run finds the first demo person and refuses, changing nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from vet_common.auth import issue_token
from vet_common.domain import CHINA
from vet_common.idnumber import make_id_number
from vet_common.settings import DEFAULT_API_PORTS, Settings

COUNTY = "350102"  # 鼓楼区, Fuzhou: the console's development users work here
CITY = "3501"
TOWNSHIPS = ("001", "002", "003", "004", "005", "006", "007", "008", "009", "100")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = ("建国", "国强", "卫东", "志强", "文华", "秀英", "海燕", "明辉", "德胜", "玉兰", "春生", "红军", "振华", "桂芳")
# Most are discharged soldiers; every tenth a martyr's survivor (a key contact by the category itself).
CATEGORY_CYCLE = ("discharged_soldier",) * 6 + ("transferred_officer", "retired_cadre", "demobilized_soldier")
REQUEST_CATEGORIES = ("medical", "housing", "employment", "living_difficulty", "policy_question")
WAIT_SECONDS = 90


class DemoRefused(Exception):
    """The demo data is there already (or the platform is not): the message says what to do."""


@dataclass(frozen=True)
class DemoSize:
    people: int = 1000  # spread over the townships and three villages each
    townships: int = len(TOWNSHIPS)

    def __post_init__(self) -> None:
        if not 1 <= self.townships <= len(TOWNSHIPS):
            raise ValueError(f"townships must be 1..{len(TOWNSHIPS)}")
        if self.people < 10 * self.townships:
            raise ValueError("at least 10 people a township")


@dataclass(frozen=True)
class DemoPerson:
    index: int
    id_number: str
    name: str
    region: str
    categories: list[str]
    household: str

    @property
    def township(self) -> str:
        return self.region[:9]

    @property
    def key_contact(self) -> bool:
        """Every fifth is designated as living in difficulty; survivors are key contacts by category."""
        return self.index % 5 == 0 or "martyr_survivor" in self.categories


def demo_people(size: DemoSize) -> list[DemoPerson]:
    """The same people every time: valid ID numbers, names, villages, categories."""
    people = []
    for i in range(size.people):
        born = date(1940, 1, 1) + timedelta(days=(i * 37) % 20000)
        township = f"{COUNTY}{TOWNSHIPS[i % size.townships]}"
        category = "martyr_survivor" if i % 10 == 3 else CATEGORY_CYCLE[i % len(CATEGORY_CYCLE)]
        people.append(
            DemoPerson(
                index=i,
                id_number=make_id_number(COUNTY, born, i % 500, "male" if i % 4 else "female"),
                name=SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)],
                region=f"{township}{(i // size.townships) % 3 + 1:03d}",
                categories=[category],
                household="rural" if i % 3 else "urban",
            )
        )
    return people


def default_urls() -> dict[str, str]:
    return {service: f"http://127.0.0.1:{port}" for service, port in DEFAULT_API_PORTS.items()}


@dataclass
class Loaded:
    """What the demo loaded, counted for the summary it prints."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


class Demo:
    """The loader: one HTTP client per service, a token per role it acts as."""

    def __init__(self, urls: dict[str, str], settings: Settings, say: Callable[[str], None] = print) -> None:
        self.urls, self.settings, self.say = urls, settings, say
        self.http = httpx.Client(timeout=30)
        self.today = datetime.now(CHINA).date()
        self.loaded = Loaded()

    def token(self, sub: str, role: str, region: str, name: str | None = None) -> str:
        return issue_token(self.settings, sub=sub, name=name or sub, roles=[role], region=region)

    def station(self, township: str) -> tuple[str, str]:
        """The station's staff account of a township (station-gulou-1 is 鼓东街道's, as the console offers)."""
        number = TOWNSHIPS.index(township[6:9]) + 1
        sub = f"station-gulou-{number}"
        return sub, self.token(sub, "station_staff", township, f"服务站{number}")

    def call(
        self,
        method: str,
        service: str,
        path: str,
        token: str,
        body: Any = None,
        *,
        wait_for: tuple[int, ...] = (),
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """One API call; `wait_for` statuses are retried (a record not yet replicated answers 404 or 409)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                answer = self.http.request(
                    method,
                    f"{self.urls[service]}{path}",
                    json=body,
                    params=params,
                    headers={"Authorization": f"Bearer {token}", **(headers or {})},
                )
            except httpx.HTTPError as error:
                raise DemoRefused(
                    f"{service} 无法访问（{self.urls[service]}）：请先运行 make up (is the platform up?)"
                ) from error
            if answer.status_code in wait_for and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            if answer.status_code >= 400:
                raise DemoRefused(f"{method} {service}{path} 被拒绝 {answer.status_code}: {answer.text[:300]}")
            return answer.json() if answer.content else None

    def load(self, size: DemoSize) -> dict[str, int]:
        officer = self.token("officer-gulou", "officer", COUNTY, "郑科长")
        people = demo_people(size)
        self.refuse_if_loaded(officer, people[0])
        ids = self.register(people)
        self.say(f"人员：{len(ids)} 人")
        key = [person for person in people if person.key_contact]
        campaign = self.plan_campaign(officer)
        self.pair(key, ids)
        self.launch(officer, campaign)
        self.visit(key, ids, campaign)
        self.requests(people, ids, officer)
        self.assistance(people, ids, officer)
        self.finish_campaign(officer, campaign, key)
        return self.loaded.counts

    def refuse_if_loaded(self, officer: str, first: DemoPerson) -> None:
        found = self.call("POST", "registry", "/persons/search", officer, {"q": first.id_number, "page_size": 1})
        if found["items"]:
            raise DemoRefused(
                "演示数据已经加载过（鼓楼区已有演示人员），未做任何改动；如需重来请先清空数据 "
                "(the demo data is loaded already: nothing was changed)"
            )

    def register(self, people: list[DemoPerson]) -> dict[int, str]:
        def one(person: DemoPerson) -> tuple[int, str]:
            _, token = self.station(person.township)
            body = {
                "id_number": person.id_number,
                "name": person.name,
                "region": person.region,
                "categories": person.categories,
                "household": person.household,
                "phone": f"139{person.index:08d}",
                "address": f"福州市鼓楼区演示路{person.index + 1}号",
            }
            created = self.call("POST", "registry", "/persons", token, body)
            if person.index % 5 == 0:
                self.call(
                    "POST",
                    "registry",
                    f"/persons/{created['id']}/key-contacts",
                    token,
                    {"reason": "living_in_difficulty"},
                )
            return person.index, str(created["id"])

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = dict(pool.map(one, people))
        self.loaded.add("people", len(ids))
        return ids

    def by_township(self, people: list[DemoPerson]) -> Iterator[tuple[str, list[DemoPerson]]]:
        townships: dict[str, list[DemoPerson]] = {}
        for person in people:
            townships.setdefault(person.township, []).append(person)
        yield from townships.items()

    def pair(self, key: list[DemoPerson], ids: dict[int, str]) -> None:
        """Each township's key contacts with its station's staff (一对多), once outreach knows them all."""
        for township, members in self.by_township(key):
            staff, token = self.station(township)
            wanted = {ids[person.index] for person in members}
            self.wait_until_unpaired(token, wanted)
            self.call("POST", "outreach", "/pairings", token, {"staff": staff, "person_ids": sorted(wanted)})
            self.loaded.add("pairings", len(wanted))

    def wait_until_unpaired(self, token: str, wanted: set[str]) -> None:
        """Outreach lists someone as unpaired once their registration (and key-contact reason) reached it."""
        self.wait_until(lambda: wanted <= self.unpaired(token))

    def unpaired(self, token: str) -> set[str]:
        seen: set[str] = set()
        after = None
        while True:
            params = {"limit": 200, **({"after": after} if after else {})}
            page = self.call("GET", "outreach", "/pairings/unpaired", token, params=params)
            seen |= {str(row["person_id"]) for row in page["items"]}
            after = page["next"]
            if not after:
                return seen

    def plan_campaign(self, officer: str) -> str:
        body = {
            "name": f"{self.today.year}年重点对象走访慰问（演示）",
            "occasion": "走访慰问",
            "region": COUNTY,
            "targets": {
                "groups": [
                    {"code": "living_in_difficulty", "key_contact_reasons": ["living_in_difficulty"]},
                    {"code": "martyr_survivor", "categories": ["martyr_survivor"]},
                ]
            },
            "deadlines": {
                "plan": (self.today + timedelta(days=1)).isoformat(),
                "visits": (self.today + timedelta(days=14)).isoformat(),
                "report": (self.today + timedelta(days=30)).isoformat(),
            },
        }
        created = self.call("POST", "outreach", "/campaigns", officer, body)
        return str(created["id"])

    def launch(self, officer: str, campaign: str) -> None:
        launched = self.call("POST", "outreach", f"/campaigns/{campaign}/launch", officer)
        self.loaded.add("campaign_targets", int(launched["target_count"]))

    def visit(self, key: list[DemoPerson], ids: dict[int, str], campaign: str) -> None:
        """A home visit to most key contacts, a call to the rest but every seventh (left overdue-ish)."""

        def one(person: DemoPerson) -> None:
            if person.index % 7 == 6:
                return
            _, token = self.station(person.township)
            body = {
                "person_id": ids[person.index],
                "method": "phone" if person.index % 3 == 2 else "home_visit",
                "date": self.today.isoformat(),
                "findings": "身体尚可，生活基本稳定" if person.index % 2 else "行动不便，希望多来看看",
                "needs_follow_up": person.index % 4 == 0,
                "campaign_id": campaign,
            }
            self.call("POST", "outreach", "/contacts", token, body, wait_for=(404, 409))
            self.loaded.add("contacts")

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(one, key))

    def requests(self, people: list[DemoPerson], ids: dict[int, str], officer: str) -> None:
        """Every tenth person raised a need on a visit; the county accepted every other one."""
        for person in people[1::10]:
            _, token = self.station(person.township)
            body = {
                "contact": {"person_id": ids[person.index], "method": "home_visit", "date": self.today.isoformat()},
                "request": {
                    "category": REQUEST_CATEGORIES[person.index % len(REQUEST_CATEGORIES)],
                    "grade": "urgent" if person.index % 3 == 0 else "ordinary",
                    "summary": "希望协调解决看病报销问题" if person.index % 2 else "房屋漏雨，需要修缮",
                },
            }
            found = self.call("POST", "outreach", "/requests/with-contact", token, body, wait_for=(404, 409))
            self.loaded.add("requests")
            if person.index % 20 == 1:
                path = f"/requests/{found['request_id']}/accept"
                self.call("POST", "outreach", path, officer, {"note": "已受理"}, headers={"If-Match": '"1"'})
                self.loaded.add("requests_accepted")

    def assistance(self, people: list[DemoPerson], ids: dict[int, str], officer: str) -> None:
        year = self.today.year
        approver = self.token("approver-gulou", "approver", COUNTY, "吴局长")
        fund = self.call(
            "POST",
            "assistance",
            "/funds",
            officer,
            {
                "name": f"{year}年临时困难救助",
                "kind": "temporary_hardship_aid",
                "region": COUNTY,
                "year": year,
                "budget_fen": 50_000_000,
                "rules": {
                    "amount": {"kind": "fixed", "amount_fen": 160_000},
                    "yearly_ceiling_fen": 300_000,
                    "approval": {"accept": "township", "levels": [{"level": "county"}]},
                },
            },
        )["id"]
        self.loaded.add("funds")
        # Applications stop at every step of the loop: 0 submitted ... 5 evaluated.
        for n, person in enumerate(people[2::12]):
            self.application(fund, person, ids[person.index], n % 6, officer, approver)
        monthly = self.call(
            "POST",
            "assistance",
            "/funds",
            officer,
            {
                "name": f"{year}年农村退役士兵生活补助",
                "kind": "regular_entitlement",
                "region": COUNTY,
                "year": year,
                "budget_fen": 100_000_000,
                "rules": {"amount": {"kind": "monthly", "monthly_fen": 20_000}},
            },
        )["id"]
        self.loaded.add("funds")
        rural = [p for p in people[4::25] if p.household == "rural"]
        enrolled = [ids[p.index] for p in rural]
        for person in rural:  # where the payroll pays them: the bank file needs every payee's account
            account = {
                "bank": "中国农业银行福州鼓楼支行",
                "account_number": f"6228480{person.index:012d}",
                "reason": "演示数据",
            }
            self.call("POST", "registry", f"/persons/{ids[person.index]}/payment-account", officer, account)
        self.loaded.add("payment_accounts", len(rural))
        month = self.today.strftime("%Y-%m")
        for person_id in enrolled:
            body = {"fund_id": monthly, "person_id": person_id, "start_month": month}
            self.call("POST", "assistance", "/enrolments", officer, body, wait_for=(404, 409))
        self.loaded.add("enrolments", len(enrolled))
        self.wait_until(
            lambda: (
                len(
                    self.call(
                        "GET",
                        "assistance",
                        "/enrolments",
                        officer,
                        params={"fund_id": monthly, "status": "active", "page_size": 100},
                    )["items"]
                )
                >= len(enrolled)
            )
        )
        self.call("POST", "assistance", "/payrolls", officer, {"fund_id": monthly, "month": month})
        self.loaded.add("payrolls")

    def application(
        self, fund: str, person: DemoPerson, person_id: str, stage: int, officer: str, approver: str
    ) -> None:
        _, station = self.station(person.township)
        body = {"fund_id": fund, "person_id": person_id, "on_behalf_of": True, "documents": ["申请表", "困难情况说明"]}
        application = self.call("POST", "assistance", "/applications", station, body, wait_for=(404, 409))["id"]
        self.loaded.add("applications")
        path = f"/applications/{application}"
        today = self.today.isoformat()
        steps: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
            ("accept", station, {}, {}),
            ("approve", approver, {"reason": "困难属实，同意救助"}, {}),
            ("notify", station, {"method": "visit", "notified_on": today}, {}),
            (
                "disburse",
                officer,
                {"payment_reference": f"GL-{person.index:05d}", "paid_on": today},
                {"Idempotency-Key": f"demo-pay-{application}"},
            ),
            ("evaluate", station, {"finding": "救助金已用于生活开支，困难缓解"}, {}),
        ]
        for name, token, step_body, headers in steps[:stage]:
            self.call("POST", "assistance", f"{path}/{name}", token, step_body, headers=headers)

    def finish_campaign(self, officer: str, campaign: str, key: list[DemoPerson]) -> None:
        """The county's summary table, submitted and approved by the city: the campaign is done."""
        city = self.token("officer-fuzhou", "officer", CITY, "陈科长")
        visited = {"living_in_difficulty": 0, "martyr_survivor": 0}
        for person in key:
            if person.index % 7 != 6:
                group = "martyr_survivor" if "martyr_survivor" in person.categories else "living_in_difficulty"
                visited[group] += 1
        body = {
            "county": COUNTY,
            "visited_by_group": visited,
            "money_fen": 500_00 * sum(visited.values()),
            "goods_fen": 200_00 * sum(visited.values()),
            "problems_found": len(key) // 10,
            "problems_solved": len(key) // 20,
        }
        self.call("POST", "outreach", f"/campaigns/{campaign}/summaries", officer, body)
        self.call("POST", "outreach", f"/campaigns/{campaign}/summaries/{COUNTY}/approve", city)
        self.loaded.add("campaigns_finished")

    def wait_until(self, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not done():
            if time.monotonic() > deadline:
                raise DemoRefused("等待读模型更新超时，请检查各服务的 worker 是否在运行 (read models did not catch up)")
            time.sleep(0.5)


def load_demo(size: DemoSize, urls: dict[str, str] | None = None, say: Callable[[str], None] = print) -> dict[str, int]:
    """Load the demo county through the APIs at `urls` (make up's by default); DemoRefused when it is there."""
    demo = Demo(urls or default_urls(), Settings(), say)
    try:
        return demo.load(size)
    finally:
        demo.http.close()
