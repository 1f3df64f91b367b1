"""The assistance and reporting pages over fake services: funds in yuan, an application through each step with
the form only for the role and level that takes it, payrolls and their bank file, statistics side by side with
charts and downloads, the audit search and the archive's verdict."""

from __future__ import annotations

import json
import re
from typing import Any

from console.web import CSRF_COOKIE

HARDSHIP = {
    "name": "2026年临时困难救助",
    "kind": "temporary_hardship_aid",
    "region": "350102",
    "year": "2026",
    "budget_fen": "500,000",
    "rules.amount.kind": "fixed",
    "rules.amount.amount_fen": "1600",
    "rules.approval.accept": "township",
    "rules.approval.levels.0.level": "county",
}


def csrf_of(client: Any) -> str:
    return str(client.cookies.get(CSRF_COOKIE))


def post(client: Any, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_of(client), **data})


def error_beside(html: str, field: str) -> str | None:
    found = re.search(rf'id="f-{re.escape(field)}-error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else None


def create_fund(money: Any, **fields: Any) -> str:
    officer = money.sign_in("officer", fields.get("region", "350102"))  # a county's officer sets up its funds
    answer = post(officer, "/funds/new", **{**HARDSHIP, **fields})
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"].split("/")[-1].split("?")[0])


def person(money: Any, region: str = "350102001001", categories: tuple[str, ...] = ("discharged_soldier",)) -> str:
    worker = money.sign_in(region=region[:9])
    answer = post(
        worker, "/persons/new", id_number="350102196008010031", name="张三", region=region, categories=categories[0]
    )
    assert answer.status_code == 303, answer.text
    person_id = answer.headers["location"].split("/")[-1].split("?")[0]
    money.registry.state.people[person_id]["categories"] = list(categories)
    return str(person_id)


def test_an_officer_sets_up_a_fund_in_yuan_and_sees_budget_committed_paid_and_remaining(money: Any) -> None:
    officer = money.sign_in("officer", "350102")
    assert 'href="/funds/new"' in officer.get("/funds").text
    typo = post(officer, "/funds/new", **{**HARDSHIP, "budget_fen": "五十万"})
    assert typo.status_code == 422
    assert "金额格式不正确" in (error_beside(typo.text, "budget_fen") or "")
    blank = post(officer, "/funds/new", **{**HARDSHIP, "name": " ", "rules.amount.amount_fen": ""})
    assert blank.status_code == 422
    assert error_beside(blank.text, "name") == "请填写资金名称 (name is required)"  # the API's words
    assert money.assistance.state.funds == {}
    assert 'value="500,000"' in blank.text  # nothing typed is lost

    created = post(officer, "/funds/new", **HARDSHIP)
    assert created.status_code == 303
    [fund] = money.assistance.state.funds.values()
    assert fund["budget_fen"] == 50_000_000
    assert fund["rules"]["amount"] == {"kind": "fixed", "amount_fen": 160_000}
    assert fund["rules"]["approval"] == {"accept": "township", "levels": [{"level": "county"}]}
    page = officer.get(created.headers["location"])
    assert "资金已设立" in page.text
    assert re.search(r'id="fund-budget">500,000.00 元<', page.text)
    assert re.search(r'id="fund-remaining">500,000.00 元<', page.text)
    assert "每次 1,600.00 元" in page.text
    listed = officer.get("/funds").text
    assert "2026年临时困难救助" in listed
    assert "500,000.00 元" in listed


def test_an_officer_sets_up_a_fund_paid_once_a_year(money: Any) -> None:
    officer = money.sign_in("officer", "350102")
    yearly = {**HARDSHIP, "name": "2026年义务兵家庭优待金", "kind": "regular_entitlement"}
    yearly |= {"rules.amount.kind": "yearly", "rules.amount.yearly_fen": "2,400", "rules.amount.pay_month": "3"}
    created = post(officer, "/funds/new", **yearly)
    assert created.status_code == 303
    [fund] = money.assistance.state.funds.values()
    assert fund["rules"]["amount"] == {"kind": "yearly", "yearly_fen": 240_000, "pay_month": 3}
    assert "每年 2,400.00 元，于每年 3 月发放" in officer.get(created.headers["location"]).text


def test_an_amount_rule_the_api_refuses_is_shown_beside_its_input(money: Any) -> None:
    officer = money.sign_in("officer", "350102")
    answer = post(officer, "/funds/new", **{**HARDSHIP, "rules.amount.amount_fen": ""})
    assert answer.status_code == 422
    # rules.amount.fixed.amount_fen: the rule's tag is no input of the form
    assert error_beside(answer.text, "rules-amount-amount_fen") == "必填项，请填写 (required)"


def test_a_station_worker_is_not_offered_setting_up_a_fund_and_is_refused_it(money: Any) -> None:
    worker = money.sign_in()
    assert 'href="/funds/new"' not in worker.get("/funds").text
    assert worker.get("/funds/new").status_code == 403
    refused = post(worker, "/funds/new", **HARDSHIP)
    assert refused.status_code == 403
    assert "您的账号没有此操作的权限" in refused.text
    assert money.assistance.state.funds == {}


def test_an_application_is_filed_on_the_persons_behalf_and_a_refusal_keeps_what_was_typed(money: Any) -> None:
    fund_id = create_fund(money, **{"rules.eligibility.categories": "martyr_survivor"})
    person_id = person(money)
    worker = money.sign_in()
    page = worker.get(f"/persons/{person_id}")
    assert f'href="/persons/{person_id}/applications/new"' in page.text
    form = worker.get(f"/persons/{person_id}/applications/new")
    assert "2026年临时困难救助" in form.text
    not_eligible = post(
        worker, f"/persons/{person_id}/applications/new", fund_id=fund_id, on_behalf_of="true", documents="申请表"
    )
    assert not_eligible.status_code == 409
    assert "不符合本资金条件" in not_eligible.text
    assert "申请表" in not_eligible.text
    assert money.assistance.state.applications == {}

    money.registry.state.people[person_id]["categories"] = ["martyr_survivor"]
    filed = post(
        worker,
        f"/persons/{person_id}/applications/new",
        fund_id=fund_id,
        on_behalf_of="true",
        documents="申请表\n困难情况说明\n",
    )
    assert filed.status_code == 303
    [application] = money.assistance.state.applications.values()
    assert application["documents"] == ["申请表", "困难情况说明"]
    assert application["on_behalf_of"] is True
    shown = worker.get(filed.headers["location"])
    assert "申请已提交，等待受理" in shown.text
    assert "待受理" in shown.text
    assert "张三" in shown.text


def test_each_step_is_offered_only_to_the_role_and_level_that_takes_it(money: Any) -> None:
    fund_id = create_fund(money)
    person_id = person(money)
    worker = money.sign_in()
    filed = post(worker, f"/persons/{person_id}/applications/new", fund_id=fund_id, on_behalf_of="true")
    path = filed.headers["location"].split("?")[0]
    application = next(iter(money.assistance.state.applications.values()))

    assert 'action="' + path + '/accept"' in worker.get(path).text
    assert 'action="' + path + '/return"' in worker.get(path).text
    county_officer = money.sign_in("officer", "350102")  # the fund's rules: the township accepts
    assert "/accept" not in county_officer.get(path).text
    accepted = post(worker, f"{path}/accept", version="1")
    assert accepted.status_code == 303
    page = worker.get(path).text
    assert "待县级审批" in page
    assert "决定依据" in page  # the decision snapshot
    assert "第 1 版" in page
    assert "/approve" not in page  # a station does not approve

    city = money.sign_in("approver", "3501")
    assert "/approve" not in city.get(path).text  # waiting for the county, not the city
    wrong_level = post(city, f"{path}/approve", reason="同意", version="2")
    assert wrong_level.status_code == 403
    assert "本步骤须由县级审批，您是市级" in wrong_level.text
    county = money.sign_in("approver", "350102")
    assert 'action="' + path + '/approve"' in county.get(path).text
    no_reason = post(county, f"{path}/approve", reason=" ", version="2")
    assert no_reason.status_code == 422
    assert error_beside(no_reason.text, "reason") == "请填写理由 (a reason is required)"
    assert application["status"] == "accepted"
    assert post(county, f"{path}/approve", reason="困难属实，同意", version="2").status_code == 303
    assert application["status"] == "approved"
    assert 'action="' + path + '/notify"' in worker.get(path).text

    assert post(worker, f"{path}/notify", method="visit", notified_on="2026-12-01", version="3").status_code == 303
    pay = money.sign_in("officer", "350102")
    paid = post(pay, f"{path}/disburse", payment_reference="GL-0001", paid_on="2026-12-01", version="4")
    assert paid.status_code == 303
    [(_, headers)] = [call for call in money.assistance.state.calls if call[0].endswith("/disburse")]
    assert headers["idempotency-key"] == f"console-pay-{application['id']}"  # the same form again: one payment
    assert post(worker, f"{path}/evaluate", finding="救助金已用于生活", version="5").status_code == 303
    final = worker.get(path).text
    assert "已回访" in final
    assert "GL-0001" in final
    assert "1,600.00 元" in final
    fund = money.assistance.state.funds[fund_id]
    assert (fund["committed_fen"], fund["disbursed_fen"]) == (0, 160_000)


def test_a_step_from_a_stale_page_says_reload_and_changes_nothing(money: Any) -> None:
    fund_id = create_fund(money)
    person_id = person(money)
    worker = money.sign_in()
    path = post(worker, f"/persons/{person_id}/applications/new", fund_id=fund_id).headers["location"].split("?")[0]
    assert post(worker, f"{path}/accept", version="1").status_code == 303
    again = post(worker, f"{path}/return", missing="身份证复印件", reason="材料不全", version="1")
    assert again.status_code == 409
    assert "不能return" in again.text
    assert next(iter(money.assistance.state.applications.values()))["status"] == "accepted"


def test_the_to_do_page_lists_applications_waiting_on_my_step(money: Any) -> None:
    fund_id = create_fund(money)
    person_id = person(money)
    worker = money.sign_in()
    path = post(worker, f"/persons/{person_id}/applications/new", fund_id=fund_id).headers["location"].split("?")[0]
    assert f'href="{path}"' in worker.get("/").text.split("待我办理的帮扶申请")[1]
    post(worker, f"{path}/accept", version="1")
    assert f'href="{path}"' not in worker.get("/").text
    county = money.sign_in("approver", "350102")
    home = county.get("/").text.split("待我办理的帮扶申请")[1]
    assert f'href="{path}"' in home
    assert "张三 · 待县级审批 · 1,600.00 元" in home  # the applicant by name (the registry's), not a region code
    listed = county.get("/applications").text
    assert f'href="{path}"' in listed
    assert f'<a href="/persons/{person_id}">张三</a>' in listed
    assert f'<a href="/persons/{person_id}">张三</a>' in county.get(f"/funds/{fund_id}").text
    assert f'href="{path}"' not in money.sign_in("approver", "3501").get("/applications").text


def test_after_a_transfer_the_receiving_county_assigns_one_of_its_funds_and_acceptance_starts_again(
    money: Any,
) -> None:
    sending = create_fund(money)
    receiving = create_fund(money, name="2026年仓山区临时困难救助", region="350104")
    create_fund(money, name="仓山区关爱基金", kind="care_fund", region="350104")  # another kind: not offered
    person_id = person(money)
    worker = money.sign_in()
    path = post(worker, f"/persons/{person_id}/applications/new", fund_id=sending).headers["location"].split("?")[0]
    application = next(iter(money.assistance.state.applications.values()))
    # The person moved to 仓山区, where assistance found no fund of the kind of the same year (as its policy does).
    application.update(region="350104002001", status="transfer_pending", waiting_for="transfer")
    money.registry.state.people[person_id]["region"] = "350104002001"

    officer = money.sign_in("officer", "350104")
    assert f'href="{path}"' in officer.get("/").text.split("待我办理的帮扶申请")[1]
    assert f'href="{path}"' in officer.get("/applications?show=transfer").text
    page = officer.get(path).text
    assert "待迁入地县级指定资金" in page
    assert f'action="{path}/assign"' in page
    assert f'<option value="{receiving}"' in page
    assert "仓山区关爱基金" not in page  # not of the application's kind
    assert f'<option value="{sending}"' not in page  # the fund it left does not cover where the person lives now
    assert f'action="{path}/assign"' not in money.sign_in(region="350104002").get(path).text  # a station does not

    wrong = post(officer, f"{path}/assign", fund_id=sending, version=str(application["version"]))
    assert wrong.status_code == 422
    assert error_beside(wrong.text, "fund_id") == (
        "该资金不覆盖申请人现居地区 (the fund does not cover where the person lives now)"
    )
    assert application["status"] == "transfer_pending"
    assigned = post(officer, f"{path}/assign", fund_id=receiving, version=str(application["version"]))
    assert assigned.status_code == 303
    assert (application["fund_id"], application["waiting_for"]) == (receiving, "accept")
    assert "已办理：指定迁入地资金" in officer.get(assigned.headers["location"]).text


def test_a_payroll_is_run_approved_and_its_bank_file_downloaded(money: Any) -> None:
    fund_id = create_fund(
        money,
        name="2026年定期生活补助",
        kind="regular_entitlement",
        **{"rules.amount.kind": "monthly", "rules.amount.monthly_fen": "200"},
    )
    officer = money.sign_in("officer", "350102")
    page = officer.get(f"/funds/{fund_id}")
    assert "每月 200.00 元" in page.text
    assert f'action="/funds/{fund_id}/payrolls"' in page.text
    bad = post(officer, f"/funds/{fund_id}/payrolls", month="2026-13")
    assert bad.status_code == 422
    assert "月份格式应为 YYYY-MM" in bad.text
    assert money.assistance.state.payrolls == {}
    ran = post(officer, f"/funds/{fund_id}/payrolls", month="2026-12")
    assert ran.status_code == 303
    payroll = officer.get(ran.headers["location"])
    assert "已生成待审批" in payroll.text
    assert "400.00 元" in payroll.text
    assert "/bank-file." not in payroll.text  # the bank file is for a released payroll (assistance answers 409)
    assert "审批并发放（交银行）后可下载银行代发文件" in payroll.text
    assert "/approve" not in payroll.text  # an officer does not approve it
    approver = money.sign_in("approver", "350102")
    assert post(approver, f"{ran.headers['location']}/approve").status_code == 303
    assert "已审批待发放" in approver.get(ran.headers["location"]).text
    again = post(approver, f"{ran.headers['location']}/approve")
    assert again.status_code == 409
    assert "不能approve" in again.text
    assert post(officer, f"{ran.headers['location']}/release").status_code == 303
    assert f'href="{ran.headers["location"]}/bank-file.xlsx"' in officer.get(ran.headers["location"]).text
    csv = officer.get(f"{ran.headers['location']}/bank-file.csv")
    assert csv.status_code == 200
    assert "200.00" in csv.text
    assert csv.headers["content-disposition"] == 'attachment; filename="payroll.csv"'


def test_statistics_show_the_next_level_down_side_by_side_with_charts_and_downloads(money: Any) -> None:
    officer = money.sign_in("officer", "350102")
    page = officer.get("/stats", params={"topic": "people", "period": "2026-Q3"})
    assert page.status_code == 200
    assert "鼓东街道" in page.text
    assert "鼓西街道" in page.text
    assert "8,000.00 元" in page.text  # money in yuan
    assert 'href="/stats?topic=people&amp;period=2026-Q3&amp;region=350102001"' in page.text  # drill down
    data = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page.text)[1])  # type: ignore[index]
    assert data["regions"] == ["鼓东街道", "鼓西街道"]
    assert data["by_region"] == [3, 2]
    trend = re.search(r'hx-get="(/stats/trend\?[^"]*)"', page.text)[1].replace("&amp;", "&")  # type: ignore[index]
    assert trend == "/stats/trend?topic=people&measure=&period=2026-Q3"
    money.reporting.state.calls.clear()
    fragment = officer.get(trend, params={"measure": "budget_fen"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    quarters = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert money.reporting.state.calls == [{"topic": "people", "region": None, "periods": quarters}]  # one call
    quarterly = json.loads(re.search(r'class="trend-data">(.*?)</script>', fragment.text)[1])  # type: ignore[index]
    assert quarterly == {
        "label": "预算（元）",
        "periods": ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"],
        "by_period": [8000.0] * 4,  # yuan
    }
    assert "/static/vendor/echarts-6.1.0.min.js" in page.text
    assert 'href="/stats/people/export.xlsx?period=2026-Q3"' in page.text
    exported = officer.get("/stats/people/export.xlsx", params={"period": "2026-Q3", "as_of": "2026-11-30"})
    assert exported.content == b"export people [('as_of', '2026-11-30'), ('format', 'xlsx'), ('period', '2026-Q3')]"
    assert exported.headers["content-disposition"] == 'attachment; filename="people.xlsx"'

    down = officer.get("/stats", params={"topic": "people", "region": "350102001"})
    assert 'href="/stats?topic=people&amp;region=350102"' in down.text  # back up, within the jurisdiction
    as_of = officer.get("/stats", params={"topic": "people", "as_of": "2026-11-30"})
    assert "数据截至 2026-11-30 24:00" in as_of.text
    assert "/stats/trend" not in as_of.text  # as of a past day, no quarterly replays of the archive


def test_a_campaigns_summary_table_shows_the_counties_side_by_side_as_of_a_day_and_as_xlsx(money: Any) -> None:
    campaign = "6f1c2a52-8d1e-4d55-9a57-1d0b7c1f0a11"
    city = money.sign_in("officer", "3501")
    assert 'href="/stats/campaigns"' in city.get("/stats").text  # offered beside the topics
    page = city.get(f"/stats/campaigns/{campaign}")
    assert page.status_code == 200
    assert "走访慰问情况汇总表" in page.text
    assert f'<a href="/stats/campaigns/{campaign}?region=350102">鼓楼区</a>' in page.text  # a county: drill down
    assert "1,500.00 元" in page.text  # 慰问金 in yuan
    assert "未报送" in page.text
    assert f'href="/stats/campaigns/{campaign}/export.xlsx"' in page.text
    workbook = city.get(f"/stats/campaigns/{campaign}/export.xlsx", params={"as_of": "2026-11-30"})
    assert workbook.content == f"summary {campaign} [('as_of', '2026-11-30')]".encode()
    assert workbook.headers["content-disposition"] == f'attachment; filename="summary-{campaign}.xlsx"'

    later = city.get(f"/stats/campaigns/{campaign}", params={"as_of": "2027-01-05"})
    assert later.status_code == 422
    assert "截至日期不能晚于今天" in (re.search(r'id="as_of-error"[^>]*>([^<]*)<', later.text) or [""])[0]
    outside = money.sign_in("officer", "350102").get(f"/stats/campaigns/{campaign}", params={"region": "3502"})
    assert outside.status_code == 403
    assert "不在您的辖区内" in outside.text


def test_a_bad_period_is_refused_beside_the_picker_and_a_region_outside_is_403(money: Any) -> None:
    officer = money.sign_in("officer", "350102")
    bad = officer.get("/stats", params={"topic": "people", "period": "2026-13"})
    assert bad.status_code == 422
    assert "统计期应为年" in (re.search(r'id="period-error"[^>]*>([^<]*)<', bad.text) or [""])[0]
    outside = officer.get("/stats", params={"topic": "people", "region": "350103"})
    assert outside.status_code == 403
    assert "不在您的辖区内" in outside.text
    assert officer.get("/stats", params={"topic": "nothing"}).status_code == 404
    money.services.down.add("reporting")
    down = officer.get("/stats")
    assert down.status_code == 503
    assert "统计报表服务暂时无法访问" in down.text


def test_auditors_search_events_by_actor_and_verify_the_archive(money: Any) -> None:
    worker = money.sign_in()
    assert 'href="/audit"' not in worker.get("/").text
    assert worker.get("/audit").status_code == 403
    money.reporting.state.events = [
        {
            "position": 7,
            "event_id": "e7",
            "type": "ApplicationApproved",
            "source": "assistance",
            "source_position": 3,
            "aggregate_id": "a-1",
            "aggregate_version": 3,
            "occurred_at": "2026-12-01T03:00:00Z",
            "archived_at": "2026-12-01T03:00:01Z",
            "actor": {"sub": "approver-gulou", "role": "approver"},
            "region": "350102001001",
            "data": {},
            "hash": "h7",
            "previous_hash": "h6",
        }
    ]
    auditor = money.sign_in("auditor", "35")
    assert 'href="/audit"' in auditor.get("/").text
    assert "按经办人、记录编号或乡镇辖区查询" in auditor.get("/audit").text
    found = auditor.get("/audit", params={"actor": "approver-gulou", "from": "2026-11-01", "to": "2026-12-01"})
    assert found.status_code == 200
    assert "ApplicationApproved" in found.text
    assert "帮扶资金" in found.text
    assert "2026-12-01 11:00" in found.text  # Shanghai time
    assert "列出的记录与审计档案一致" in found.text
    wide = auditor.get("/audit", params={"region": "3501"})
    assert wide.status_code == 422
    assert "请先按经办人、记录或乡镇缩小查询范围" in wide.text
    bad_date = auditor.get("/audit", params={"actor": "x", "from": "2026-02-30"})
    assert bad_date.status_code == 422
    assert "日期格式应为 YYYY-MM-DD" in bad_date.text

    page = auditor.get("/audit/verify").text
    assert 'hx-get="/audit/verify/result"' in page  # the verdict follows the page
    assert "审计档案完整" in auditor.get("/audit/verify/result").text
    money.reporting.state.verdict = {
        "intact": False,
        "entries": 12,
        "seals": 2,
        "sealed_through": 10,
        "problems": [{"position": 5, "message": "第 5 条记录的内容与其哈希不符（被修改）"}],
    }
    altered = auditor.get("/audit/verify/result").text
    assert "审计档案被改动过" in altered
    assert "第 5 条记录的内容与其哈希不符" in altered


def test_a_persons_assistance_lists_their_applications_and_what_was_paid(money: Any) -> None:
    fund_id = create_fund(money)
    person_id = person(money)
    worker = money.sign_in()
    path = post(worker, f"/persons/{person_id}/applications/new", fund_id=fund_id).headers["location"].split("?")[0]
    person_page = worker.get(f"/persons/{person_id}").text
    assert f'href="/persons/{person_id}?tab=assistance"' in person_page
    assert f'href="/persons/{person_id}?tab=contacts"' in person_page
    assert (
        person_page.index("?tab=certificates")
        < person_page.index("?tab=assistance")
        < person_page.index("?tab=history")
    )
    for page in (
        worker.get(f"/persons/{person_id}", params={"tab": "assistance"}),
        worker.get(f"/persons/{person_id}/assistance"),
    ):
        assert page.status_code == 200
        assert f'href="{path}"' in page.text
        assert "1,600.00 元" in page.text
        assert "待受理" in page.text

    money.services.down.add("outreach")
    down = worker.get(f"/persons/{person_id}", params={"tab": "contacts"})
    assert down.status_code == 200  # the record still shows; the tab says which service did not answer
    assert "张三" in down.text
    assert "联系走访服务（outreach）暂时无法访问，请稍后重试" in down.text


def test_auditors_read_who_saw_personal_data_in_clear_and_why(money: Any) -> None:
    money.registry.state.access_log = [
        {
            "id": "00000000-0000-0000-0000-000000000009",
            "person_id": "p-1",
            "import_job_id": None,
            "region": "350102001001",
            "fields": ["id_number", "phone"],
            "purpose": "办理优待证",
            "actor": {"sub": "station-gulou-1", "role": "station_staff"},
            "at": "2026-12-01T02:00:00Z",
        }
    ]
    assert money.sign_in().get("/audit/access-log").status_code == 403
    auditor = money.sign_in("auditor", "35")
    assert 'href="/audit/access-log"' in auditor.get("/audit").text
    page = auditor.get("/audit/access-log", params={"actor": "station-gulou-1"})
    assert page.status_code == 200
    assert "办理优待证" in page.text
    assert "身份证号码、电话" in page.text
    assert "2026-12-01 10:00" in page.text
    assert "共 0 条" in auditor.get("/audit/access-log", params={"actor": "nobody"}).text
