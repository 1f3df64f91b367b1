"""The staff console in a real browser (Debian's chromium through Playwright) against the whole platform.

A station worker signs in, registers a person (first with a wrong ID number: the registry's message appears
beside the field), imports a roster and downloads the rejected rows; a station worker of another township
cannot reach the person; a phone-sized screen shows the pages without sideways scrolling, and a home visit is
recorded on it. An officer pairs the worker with a key contact; on the phone the worker goes from the to-do page
to their pairings, records a visit, registers the request found in it and accepts it from the to-do page.
Every page visited is saved under .local/screenshots/ and checked with axe-core (labels, contrast, names);
keyboard focus is checked by pressing Tab.

Select them with `-m browser`; they skip when /usr/bin/chromium is missing (.ci/run and `make test` install it).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from vet_common.domain import CHINA
from vet_common.idnumber import make_id_number
from vet_common.settings import SERVICES
from vet_devtools.stack.proc import free_port
from vet_devtools.testing.platform import Platform

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(300)]

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / ".local" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.11.0.min.js"
PHONE = {"width": 390, "height": 844}

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium: apt-get install -y chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def console_url(platform: Platform) -> Iterator[str]:
    """`python -m console web` on a free port, in front of the test platform's APIs."""
    port = free_port()
    env = {
        **os.environ,
        "VET_CONSOLE_PORT": str(port),
        **{f"VET_CONSOLE_{service.upper()}_URL": platform.url(service) for service in SERVICES},
    }
    log = (platform.workdir / "log" / "console.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "console", "web"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the console did not start; see {platform.workdir / 'log' / 'console.log'}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def people() -> dict[str, str]:
    """What one test leaves for the next (the person's page)."""
    return {}


def sign_in(browser: Browser, console_url: str, who: str, **context: Any) -> Page:
    page = browser.new_context(base_url=console_url, locale="zh-CN", **context).new_page()
    page.goto("/")
    expect(page).to_have_url(f"{console_url}/login?next=/")
    page.get_by_role("button", name=who).click()
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    return page


def reload_until(page: Page, path: str, text: str, timeout: float = 30) -> None:
    """Open `path` again until it shows `text`: lists come from read models, a moment after the change."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(path)
        if page.get_by_text(text).count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    expect(page.get_by_text(text).first).to_be_visible()


def visit(page: Page, name: str) -> None:
    """Save a screenshot and check the page with axe-core: no violation of WCAG 2 A/AA rules."""
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    problems = [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"][:3]])
        for violation in result["violations"]
    ]
    assert problems == [], f"{name}: {problems}"


def test_a_station_worker_registers_a_person_after_fixing_the_id_number(
    browser: Browser, console_url: str, people: dict[str, str]
) -> None:
    page = sign_in(browser, console_url, "王站长（服务站工作人员，350102001）")
    visit(page, "01-workbench")
    # Keyboard users start at the skip link, and it is visible when focused.
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    expect(page.locator(".skip")).to_be_in_viewport()

    page.get_by_role("link", name="登记建档").first.click()
    right = make_id_number("350102", date(1958, 3, 15), 7, "male")
    wrong = right[:-1] + ("0" if right[-1] != "0" else "1")
    page.get_by_label("身份证号码").fill(wrong)
    page.get_by_label("姓名").fill("赵建国")
    page.get_by_label("所在村（社区）代码").fill("350102001001")
    page.get_by_label("退役士兵").check()
    page.get_by_role("button", name="保存").click()
    beside = page.locator("#f-id_number-error")
    expect(beside).to_contain_text("校验位")
    expect(page.get_by_label("身份证号码")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("姓名")).to_have_value("赵建国")  # nothing typed is lost
    visit(page, "02-register-wrong-id-number")

    page.get_by_label("身份证号码").fill(right)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="赵建国")).to_be_visible()
    expect(page.locator("#id-number")).to_have_text(f"{right[:6]}********{right[-4:]}")
    people["page"] = page.url.split("?")[0]
    visit(page, "03-person")
    page.get_by_role("link", name="变更记录").click()
    expect(page.get_by_role("cell", name="登记建档")).to_be_visible()
    visit(page, "04-person-history")


def test_a_station_worker_imports_a_roster_and_downloads_the_rejected_rows(
    browser: Browser, console_url: str, tmp_path: Path
) -> None:
    page = sign_in(browser, console_url, "王站长（服务站工作人员，350102001）")
    page.get_by_role("link", name="花名册导入").first.click()
    visit(page, "05-import")
    with page.expect_download() as template:
        page.get_by_role("link", name="下载花名册模板").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(template.value.path()).read_bytes()))
    sheet = workbook.active
    assert sheet is not None
    headers = [str(cell.value).rstrip("*") for cell in sheet[1]]
    example = [cell.value for cell in sheet[2]]
    good = dict(zip(headers, example, strict=True))
    good.update(姓名="钱卫东", 公民身份号码=make_id_number("350102", date(1962, 5, 1), 9, "male"))
    good.update(联系电话="13912345678", 性别="男", 出生日期="1962-05-01")
    bad = {**good, "姓名": "孙有误", "公民身份号码": "350102196205010000"}
    sheet.delete_rows(2)
    for row in (good, bad):
        sheet.append([row[header] for header in headers])
    roster = tmp_path / "花名册.xlsx"
    workbook.save(roster)

    page.get_by_label("花名册文件").set_input_files(str(roster))
    page.get_by_role("button", name="开始导入").click()
    expect(page.locator("#import-bar")).to_be_visible()
    expect(page.locator("#import-status")).to_have_text("已完成", timeout=60_000)
    expect(page.get_by_text("新登记：1 人")).to_be_visible()
    expect(page.get_by_text("未导入：1 行")).to_be_visible()
    visit(page, "06-import-finished")
    with page.expect_download() as rejected:
        page.locator("#rejected-download").click()
    rows = list(openpyxl.load_workbook(io.BytesIO(Path(rejected.value.path()).read_bytes())).active.values)  # type: ignore[union-attr]
    text = " ".join(str(value) for row in rows for value in row if value is not None)
    assert "孙有误" in text
    assert "钱卫东" not in text
    assert "身份证" in text  # the reason says which field


def test_a_station_worker_of_another_township_cannot_reach_the_person(
    browser: Browser, console_url: str, people: dict[str, str]
) -> None:
    assert people.get("page"), "the registration test runs first"
    page = sign_in(browser, console_url, "林站长（服务站工作人员，350103001）")
    answer = page.goto(people["page"])
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", name="未找到")).to_be_visible()
    expect(page.get_by_text("赵建国")).to_have_count(0)
    visit(page, "07-other-township-not-found")
    page.goto("/persons")
    page.get_by_label("姓名或身份证号码").fill("赵")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("没有找到符合条件的人员")).to_be_visible()


def test_the_pages_fit_a_phone(browser: Browser, console_url: str, people: dict[str, str]) -> None:
    page = sign_in(browser, console_url, "王站长（服务站工作人员，350102001）", viewport=PHONE, is_mobile=True)
    visit(page, "08-phone-workbench")
    for path, name in ((people["page"], "09-phone-person"), ("/persons/new", "10-phone-register")):
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name}: the page is {width}px wide on a {PHONE['width']}px screen"
        visit(page, name)


def test_a_home_visit_is_recorded_on_a_phone(browser: Browser, console_url: str, people: dict[str, str]) -> None:
    page = sign_in(browser, console_url, "王站长（服务站工作人员，350102001）", viewport=PHONE, is_mobile=True)
    page.goto(people["page"])
    page.get_by_role("link", name="记录走访或电话").click()
    page.get_by_label("联系方式").select_option("home_visit")
    page.get_by_label("走访情况").fill("身体尚可，希望了解优待证办理")
    page.get_by_label("需要跟进").select_option("true")
    visit(page, "11-phone-record-visit")
    # Outreach knows the person once their registration reached it (its own replica): until then it says so.
    deadline = time.monotonic() + 30
    while True:
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state()
        if "/contacts/" in page.url or time.monotonic() > deadline:
            break
        expect(page.get_by_role("alert").first).to_contain_text("尚未同步")
    expect(page.get_by_text("已保存联系记录")).to_be_visible()
    expect(page.get_by_text("身体尚可，希望了解优待证办理")).to_be_visible()
    visit(page, "12-phone-visit-recorded")


def api_call(platform: Platform, service: str, method: str, path: str, role: str, region: str, **kwargs: Any) -> Any:
    """A call to a service's API as someone of `role` in `region` (what the test sets up outside the console)."""
    from vet_common.auth import issue_token

    token = issue_token(platform.settings(service), sub=f"setup-{role}", name="准备", roles=[role], region=region)
    answer = httpx.request(
        method, platform.url(service) + path, headers={"Authorization": f"Bearer {token}"}, timeout=10, **kwargs
    )
    return answer


def key_contact(platform: Platform, name: str, village: str, serial: int) -> str:
    """A martyr's survivor registered in `village` through the registry's API, once outreach knows them."""
    person = {
        "id_number": make_id_number("350102", date(1950, 4, 5), serial, "male"),
        "name": name,
        "region": village,
        "categories": ["martyr_survivor"],  # a key contact by the registry's own rule (烈士遗属)
    }
    created = api_call(platform, "registry", "POST", "/persons", "station_staff", village[:9], json=person)
    assert created.status_code == 201, created.text
    person_id = str(created.json()["id"])
    deadline = time.monotonic() + 60  # outreach knows the person once the registration's event reached it
    while api_call(platform, "outreach", "GET", f"/persons/{person_id}/schedule", "officer", "3501").status_code != 200:
        assert time.monotonic() < deadline, "the registration did not reach outreach"
        time.sleep(0.3)
    return person_id


def test_an_officer_pairs_a_worker_who_records_a_visit_on_a_phone_from_the_to_do_page(
    browser: Browser, console_url: str, platform: Platform
) -> None:
    key_contact(platform, "周德明", "350102001003", 21)

    officer = sign_in(browser, console_url, "陈科长（业务科室人员，3501）")
    officer.get_by_role("link", name="联系走访").first.click()
    officer.get_by_role("link", name="未结对的重点对象").click()
    officer.get_by_label("辖区代码").fill("350102001")
    officer.get_by_role("button", name="查询").click()
    officer.get_by_label("周德明").check()
    officer.get_by_label("结对工作人员账号").fill("station-gulou-1")
    visit(officer, "17-unpaired-key-contacts")
    officer.get_by_role("button", name="结对", exact=True).click()
    expect(officer.get_by_text("已结对。")).to_be_visible()

    page = sign_in(browser, console_url, "王站长（服务站工作人员，350102001）", viewport=PHONE, is_mobile=True)
    visit(page, "18-phone-workbench-pairings")
    page.get_by_role("link", name="查看全部：我结对的重点对象").click()
    reload_until(page, "/pairings", "周德明")  # the caseload comes from outreach's read model a moment later
    visit(page, "19-phone-my-pairings")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"my pairings are {width}px wide on a {PHONE['width']}px screen"
    page.get_by_role("link", name="记录走访或电话").first.click()
    page.get_by_label("联系方式").select_option("home_visit")
    page.get_by_label("走访情况").fill("身体硬朗，反映住房漏雨")
    page.get_by_label("需要跟进").select_option("true")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存联系记录")).to_be_visible()

    page.get_by_role("link", name="登记走访中发现的诉求").click()
    page.get_by_label("诉求类别").select_option("housing")
    page.get_by_label("诉求内容").fill("房屋漏雨，需要修缮")
    visit(page, "20-phone-register-request")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记诉求")).to_be_visible()
    expect(page.get_by_role("heading", name="受理", exact=True)).to_be_visible()  # the next step's form
    visit(page, "21-phone-request")
    reload_until(page, "/", "周德明 · 住房")  # the to-do page: the request I am responsible for
    visit(page, "22-phone-workbench-my-request")
    page.get_by_role("link", name="周德明 · 住房").first.click()
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_text("已受理。")).to_be_visible()
    expect(page.get_by_role("heading", name="开始办理", exact=True)).to_be_visible()


def test_a_campaign_is_followed_down_to_a_township_and_a_county_table_is_submitted_and_approved(
    browser: Browser, console_url: str, platform: Platform
) -> None:
    key_contact(platform, "吴秀兰", "350102001004", 23)
    today = datetime.now(CHINA).date()
    drive = {
        "name": "福州市新春走访慰问",
        "occasion": "春节",
        "region": "3501",
        "targets": {"groups": [{"code": "martyr_survivor", "key_contact_reasons": ["martyr_survivor"]}]},
        "deadlines": {
            "plan": str(today),
            "visits": str(today + timedelta(days=10)),
            "report": str(today + timedelta(days=20)),
        },
    }
    planned = api_call(platform, "outreach", "POST", "/campaigns", "officer", "3501", json=drive)
    assert planned.status_code == 201, planned.text
    campaign = planned.json()["id"]
    launched = api_call(platform, "outreach", "POST", f"/campaigns/{campaign}/launch", "officer", "3501")
    assert launched.status_code == 200, launched.text

    city = sign_in(browser, console_url, "陈科长（业务科室人员，3501）")
    reload_until(city, "/campaigns", "福州市新春走访慰问")
    visit(city, "23-campaigns")
    city.get_by_role("link", name="福州市新春走访慰问").click()
    reload_until(city, f"/campaigns/{campaign}", "鼓楼区")  # progress is counted by the projector
    visit(city, "24-campaign-progress")
    city.get_by_role("link", name="鼓楼区").click()
    expect(city).to_have_url(f"{console_url}/campaigns/{campaign}?region=350102")
    reload_until(city, f"/campaigns/{campaign}?region=350102", "鼓东街道")  # the township's count, a moment later
    city.get_by_role("link", name="鼓东街道").click()
    expect(city.get_by_text("吴秀兰")).to_be_visible()  # not reached yet
    visit(city, "25-campaign-township-not-reached")

    county = browser.new_context(base_url=console_url, locale="zh-CN").new_page()
    county.goto(f"/login?next=/campaigns/{campaign}")
    county.get_by_label("账号").fill("officer-gulou")
    county.get_by_label("姓名").fill("郑科长")
    county.get_by_label("角色").select_option("officer")
    county.get_by_label("辖区代码").fill("350102")
    county.get_by_role("button", name="登录", exact=True).click()
    expect(county.get_by_role("heading", name="填报本县（区）情况汇总表")).to_be_visible()
    county.get_by_label("烈士遗属").fill("1")
    county.get_by_label("慰问金（元）").fill("12.345")
    county.get_by_label("慰问品折合（元）").fill("200")
    county.get_by_label("发现问题（个）").fill("1")
    county.get_by_label("解决问题（个）").fill("0")
    county.get_by_role("button", name="上报汇总表").click()
    expect(county.locator("#f-money-error")).to_contain_text("请填写金额")
    visit(county, "26-county-summary-refused")
    county.get_by_label("慰问金（元）").fill("1000")
    county.get_by_role("button", name="上报汇总表").click()
    expect(county.get_by_text("已上报汇总表。")).to_be_visible()

    reload_until(city, f"/campaigns/{campaign}", "待审核")
    visit(city, "27-campaign-summaries-to-review")
    city.get_by_role("button", name="审核通过").click()
    expect(city.get_by_text("已审核通过。")).to_be_visible()
    for path, name in (("/requests", "28-request-ledger"), ("/visits/overdue", "29-overdue"),
                       ("/visits/due", "30-due"), ("/pairings/manage", "31-pairings-manage")):  # fmt: skip
        city.goto(path)
        visit(city, name)


def test_a_record_is_changed_and_transferred_to_another_township_which_accepts_it(
    browser: Browser, console_url: str, people: dict[str, str]
) -> None:
    page = sign_in(browser, console_url, "王站长（服务站工作人员，350102001）")
    page.goto(f"{people['page']}?tab=disability")
    page.get_by_role("link", name="评定或调整伤残等级").click()
    page.get_by_label("伤残等级").fill("11")
    page.get_by_label("致残原因").fill("因战")
    page.get_by_label("残疾军人证编号").fill("闽残000123")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#f-level-error")).to_contain_text("不能大于 10")
    visit(page, "13-edit-disability-refused")
    page.get_by_label("伤残等级").fill("5")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="伤残情况").click()
    expect(page.get_by_text("5级")).to_be_visible()
    page.get_by_role("link", name="重点联系", exact=True).click()
    expect(page.get_by_text("伤残1至6级")).to_be_visible()  # the registry derives the reason

    page.get_by_role("link", name="基本信息").click()
    page.get_by_text("迁出", exact=True).click()
    page.get_by_label("迁入地村（社区）代码").fill("350103001002")
    page.get_by_label("迁移原因").fill("随子女居住")
    page.get_by_role("button", name="申请迁出").click()
    expect(page.get_by_text("已申请迁出，等待迁入地接收")).to_be_visible()
    expect(page.get_by_text("迁移申请待迁入地接收")).to_be_visible()
    visit(page, "14-transfer-requested")

    other = sign_in(browser, console_url, "林站长（服务站工作人员，350103001）")
    reload_until(other, "/", "随子女居住")  # the to-do page, from the registry's read model a moment later
    visit(other, "15-workbench-incoming-transfer")
    other.get_by_role("link", name="迁移").first.click()
    visit(other, "16-transfers-incoming")
    other.get_by_role("button", name="接收").click()
    expect(other).to_have_url(f"{console_url}/transfers")
    answer = other.goto(people["page"])
    assert answer is not None
    assert answer.status == 200
    expect(other.get_by_role("heading", name="赵建国")).to_be_visible()


def test_an_application_goes_through_its_steps_each_by_the_role_and_level_that_takes_it(
    browser: Browser, console_url: str, platform: Platform
) -> None:
    from vet_common.auth import issue_token
    from vet_common.settings import Settings

    officer = sign_in(browser, console_url, "郑科长（业务科室人员，350102）")
    officer.get_by_role("link", name="帮扶资金").first.click()
    officer.get_by_role("link", name="设立资金").click()
    officer.get_by_label("资金名称").fill("2026年临时困难救助")
    officer.get_by_label("资金类别").select_option("temporary_hardship_aid")
    officer.get_by_label("预算（元）").fill("五十万")
    officer.get_by_label("每次救助金额（元）").fill("1600")
    officer.get_by_role("button", name="保存").click()
    expect(officer.locator("#f-budget_fen-error")).to_contain_text("金额格式不正确")
    visit(officer, "20-fund-new-refused")
    officer.get_by_label("预算（元）").fill("500,000")
    officer.get_by_role("button", name="保存").click()
    expect(officer.get_by_text("资金已设立")).to_be_visible()
    expect(officer.locator("#fund-remaining")).to_have_text("500,000.00 元")
    fund_page = officer.url.split("?")[0]
    visit(officer, "21-fund")

    # The person, registered through the API (the registration form has its own test above).
    token = issue_token(Settings(), sub="station-gulou-1", name="王站长", roles=["station_staff"], region="350102001")
    person_id = httpx.post(
        f"{platform.url('registry')}/persons",
        json={
            "id_number": make_id_number("350102", date(1950, 8, 1), 11, "male"),
            "name": "孙德胜",
            "region": "350102001002",
            "categories": ["discharged_soldier"],
        },
        headers={"Authorization": f"Bearer {token}"},
    ).json()["id"]

    station = sign_in(browser, console_url, "王站长（服务站工作人员，350102001）")
    station.goto(f"/persons/{person_id}")
    station.get_by_role("link", name="代办帮扶申请").click()
    station.get_by_label("已收材料").fill("申请表\n困难情况说明")
    visit(station, "22-application-new")
    deadline = time.monotonic() + 30  # assistance knows the person a moment after the registration
    while True:
        station.get_by_role("button", name="提交申请").click()
        station.wait_for_load_state()
        if "/applications/" in station.url or time.monotonic() > deadline:
            break
    expect(station.locator("#application-waiting")).to_have_text("待受理")
    application = station.url.split("?")[0]
    station.get_by_role("button", name="受理").click()
    expect(station.locator("#application-waiting")).to_have_text("待县级审批")
    expect(station.get_by_role("heading", name="决定依据（受理时的快照）")).to_be_visible()
    expect(station.get_by_role("button", name="同意")).to_have_count(0)  # a station does not approve
    visit(station, "23-application-accepted")

    approver = sign_in(browser, console_url, "吴局长（审批人员，350102）")
    reload_until(approver, "/", "孙德胜 · 待县级审批 · 1,600.00 元")
    approver.get_by_role("link", name="孙德胜 · 待县级审批 · 1,600.00 元").click()
    approver.get_by_label("审批意见").fill(" ")
    approver.get_by_role("button", name="同意").click()
    expect(approver.locator("#f-reason-error").first).to_be_visible()
    approver.get_by_label("审批意见").fill("困难属实，同意救助")
    approver.get_by_role("button", name="同意").click()
    expect(approver.locator("#application-status")).to_have_text("已审批")
    visit(approver, "24-application-approved")

    station.goto(application)
    station.get_by_label("告知方式").select_option("visit")
    station.get_by_role("button", name="已告知").click()
    expect(station.locator("#application-waiting")).to_have_text("待拨付")

    officer.goto(application)
    officer.get_by_label("支付凭证号").fill("GL-0001")
    officer.get_by_role("button", name="确认拨付").click()
    expect(officer.locator("#application-waiting")).to_have_text("待跟踪回访")
    expect(officer.get_by_text("凭证 GL-0001，1,600.00 元")).to_be_visible()
    officer.goto(fund_page)
    expect(officer.locator("#fund-disbursed")).to_have_text("1,600.00 元")
    expect(officer.locator("#fund-remaining")).to_have_text("498,400.00 元")

    auditor = sign_in(browser, console_url, "黄审计（审计人员，35）")
    reload_until(auditor, "/audit?actor=approver-gulou", "ApplicationApproved")
    expect(auditor.get_by_text("列出的记录与审计档案一致")).to_be_visible()
    visit(auditor, "25-audit-approver")
    auditor.get_by_role("link", name="核验审计档案").click()
    expect(auditor.locator("#verdict")).to_contain_text("审计档案完整")
    visit(auditor, "26-audit-verified")

    officer.goto("/stats?topic=funds")
    expect(officer.locator("#chart-regions canvas")).to_have_count(1)  # ECharts drew it
    visit(officer, "27-stats-funds")

    # The pages the README shows (docs/console-*.png are copies of these, one screen high).
    station.goto("/")
    expect(station.get_by_role("heading", name="待我办理的帮扶申请")).to_be_visible()
    station.screenshot(path=str(SCREENSHOTS / "small-workbench.png"))
    visit(station, "28-workbench-station")
    station.goto(f"/persons/{person_id}")
    station.screenshot(path=str(SCREENSHOTS / "small-person.png"))
