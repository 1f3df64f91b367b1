"""The console's pages over a fake registry: the API's words beside the field, 404/403 in Chinese, a service
that is down, CSRF, the session cookie, roles that are not offered what they may not do."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from console.formatting import as_date, as_datetime, yuan
from console.signin import safe_next
from console.web import CSRF_COOKIE

IDP = "http://idp.test"  # the fake provider's address (conftest)

VALID_ID = "350102196008010031"
WRONG_ID = "350102196008010032"  # the check digit should be 1


def csrf_of(client: Any) -> str:
    return str(client.cookies.get(CSRF_COOKIE))


def register(client, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_of(client), "name": "张三", "region": "350102001001", "categories": "discharged_soldier"}
    return client.post("/persons/new", data={**data, **fields})


def error_beside(html: str, field: str) -> str | None:
    """The message shown beside the input `field` (its id f-<field>-error), or None."""
    found = re.search(rf'id="f-{re.escape(field)}-error"[^>]*>([^<]*)<', html)
    return found.group(1) if found else None


def test_a_wrong_id_number_is_refused_with_the_registrys_words_beside_the_field(console: Any) -> None:
    client = console.sign_in()
    answer = register(client, id_number=WRONG_ID)
    assert answer.status_code == 422
    assert error_beside(answer.text, "id_number") == (
        "身份证号码校验位不正确，应为 1，请核对 (check digit should be 1; a digit is probably mistyped)"
    )
    assert error_beside(answer.text, "name") is None
    assert f'value="{WRONG_ID}"' in answer.text  # what was typed stays in the form
    assert console.registry.state.people == {}


def test_every_field_the_api_names_gets_its_message_and_the_rest_at_the_top(console: Any) -> None:
    client = console.sign_in()
    answer = register(client, id_number=VALID_ID, name="", categories="")
    assert answer.status_code == 422
    assert error_beside(answer.text, "name") == "请填写姓名 (name is required)"
    assert error_beside(answer.text, "categories") == "必填项，请填写 (required)"
    assert error_beside(answer.text, "id_number") is None


def test_a_registered_person_opens_on_their_page_with_the_id_number_masked(console: Any) -> None:
    client = console.sign_in()
    answer = register(client, id_number=VALID_ID)
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert "已登记建档" in page.text
    assert "张三" in page.text
    assert "350102********0031" in page.text
    assert VALID_ID not in page.text


def test_the_certificates_tab_names_the_preferential_cards_state(console: Any) -> None:
    client = console.sign_in()
    path = register(client, id_number=VALID_ID).headers["location"].split("?")[0]
    never = client.get(path, params={"tab": "certificates"}).text
    assert "<dt>优待证</dt><dd>未申领</dd>" in never
    record = next(iter(console.registry.state.people.values()))
    record["preferential_card"] = {"status": "issued", "card_no": "YD-350102-0001", "issued_on": "2026-10-01"}
    issued = client.get(path, params={"tab": "certificates"}).text
    assert "<dt>优待证</dt><dd>已发放 YD-350102-0001（2026-10-01 发放）</dd>" in issued


def test_reveal_needs_a_purpose_and_then_shows_the_number(console: Any) -> None:
    client = console.sign_in()
    person = register(client, id_number=VALID_ID).headers["location"].split("?")[0]
    refused = client.post(f"{person}/reveal", data={"csrf_token": csrf_of(client), "fields": "id_number"})
    assert refused.status_code == 422
    assert "请说明查看用途" in refused.text
    assert VALID_ID not in refused.text
    shown = client.post(
        f"{person}/reveal", data={"csrf_token": csrf_of(client), "fields": "id_number", "purpose": "办理优待证"}
    )
    assert shown.status_code == 200
    assert VALID_ID in shown.text


def test_a_person_of_another_township_is_not_found_in_chinese(console: Any) -> None:
    gulou = console.sign_in(region="350102001")
    person = register(gulou, id_number=VALID_ID).headers["location"].split("?")[0]
    other = console.sign_in(region="350103001")
    answer = other.get(person)
    assert answer.status_code == 404
    assert "未找到该页面或记录，或它不在您的辖区内" in answer.text
    assert "张三" not in answer.text
    assert "Traceback" not in answer.text
    assert "张三" not in other.post("/persons/search", data={"csrf_token": csrf_of(other), "q": "张"}).text


def test_a_role_that_may_not_register_is_not_offered_it_and_gets_403_in_chinese(console: Any) -> None:
    auditor = console.sign_in(role="auditor", region="35")
    home = auditor.get("/")
    assert home.status_code == 200
    assert 'href="/persons/new"' not in home.text
    assert 'href="/imports/new"' not in home.text
    answer = auditor.get("/persons/new")
    assert answer.status_code == 403
    assert "您的账号没有此操作的权限" in answer.text
    posted = register(auditor, id_number=VALID_ID)
    assert posted.status_code == 403
    assert console.registry.state.people == {}


def test_a_service_that_is_down_is_named_with_try_again_and_the_to_do_page_still_opens(console: Any) -> None:
    client = console.sign_in()
    console.services.down.add("registry")
    answer = client.get("/persons")
    assert answer.status_code == 503
    assert "人员档案服务暂时无法访问" in answer.text
    assert "请稍后重试" in answer.text
    assert "registry" in answer.text
    assert "Traceback" not in answer.text
    home = client.get("/")
    assert home.status_code == 200
    assert "人员档案服务（registry）暂时无法访问，请稍后重试" in home.text


def test_an_unknown_page_or_a_mistyped_id_is_a_chinese_404(console: Any) -> None:
    client = console.sign_in()
    for path in ("/nowhere", "/persons/not-an-id"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "未找到" in answer.text, path


def test_a_change_the_api_refuses_shows_its_message_beside_the_field_and_a_stale_form_says_reload(
    console: Any,
) -> None:
    client = console.sign_in()
    person = register(client, id_number=VALID_ID).headers["location"].split("?")[0]
    form = client.get(f"{person}/edit/contact")
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.text
    bad = client.post(f"{person}/edit/contact", data={"csrf_token": csrf_of(client), "phone": "12", "version": "1"})
    assert bad.status_code == 422
    assert error_beside(bad.text, "phone") == "电话号码应为11位手机号 (phone)"
    saved = client.post(
        f"{person}/edit/contact", data={"csrf_token": csrf_of(client), "phone": "13812345678", "version": "1"}
    )
    assert saved.status_code == 303
    stale = client.post(
        f"{person}/edit/contact", data={"csrf_token": csrf_of(client), "phone": "13900000000", "version": "1"}
    )
    assert stale.status_code == 412
    assert "该档案刚被他人修改" in stale.text
    assert next(iter(console.registry.state.people.values()))["phone"] == "13812345678"


def test_every_form_needs_this_browsers_csrf_token(console: Any) -> None:
    client = console.sign_in()
    person_id = "00000000-0000-0000-0000-000000000001"
    forms = [
        "/persons/new",
        "/persons/search",
        f"/persons/{person_id}/reveal",
        f"/persons/{person_id}/edit/contact",
        f"/persons/{person_id}/transfer",
        f"/transfers/{person_id}/accept",
        "/imports",
        "/logout",
        "/login/dev",
    ]
    for path in forms:
        for token in (None, "forged"):
            data = {"name": "张三"} | ({"csrf_token": token} if token else {})
            answer = client.post(path, data=data)
            assert answer.status_code == 403, (path, token)
            assert "表单已失效" in answer.text, path
    assert console.registry.state.people == {}
    # A route added without the check would be missed above: every POST route takes the checked form.
    from console.web import checked_form

    posts = [route for route in all_routes(console.app) if "POST" in getattr(route, "methods", ())]
    assert posts
    for route in posts:
        calls = [dependency.call for dependency in route.dependant.dependencies]
        assert checked_form in calls, route.path


def all_routes(app):  # type: ignore[no-untyped-def]
    """Every route, also those of included routers (FastAPI may keep them nested)."""
    stack, found = list(app.routes), []
    while stack:
        route = stack.pop()
        nested = getattr(getattr(route, "original_router", None), "routes", None) or getattr(route, "routes", None)
        if nested and not hasattr(route, "dependant"):
            stack.extend(nested)
        elif hasattr(route, "dependant"):
            found.append(route)
    return found


def test_the_session_cookie_is_http_only_same_site_and_sign_out_ends_it(console: Any) -> None:
    client = console.client()
    client.get("/login")
    answer = client.post(
        "/login/dev",
        data={"csrf_token": csrf_of(client), "sub": "w1", "role": "station_staff", "region": "350102001"},
    )
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("vet_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert client.get("/").status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert client.get("/").headers["location"] == "/login?next=/"


def test_dev_sign_in_says_what_is_wrong_beside_the_field(console: Any) -> None:
    client = console.client()
    client.get("/login")
    answer = client.post("/login/dev", data={"csrf_token": csrf_of(client), "sub": "", "role": "x", "region": "99"})
    assert answer.status_code == 422
    assert "请填写账号" in answer.text
    assert "请选择角色" in answer.text
    assert "vet_session" not in answer.headers.get("set-cookie", "")


def test_oidc_sends_the_browser_to_the_provider_and_trades_the_code_for_the_session(console: Any) -> None:
    from vet_common.auth import issue_token

    console.provider.state.token = issue_token(
        console.platform, sub="officer-1", name="陈", roles=["officer"], region="3501"
    )
    client = console.client()
    start = client.get("/login/oidc", params={"next": "/persons"})
    assert start.status_code == 303
    target = urlparse(start.headers["location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{IDP}/authorize"
    assert query["client_id"] == ["vet-console"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/login/callback"]
    state = query["state"][0]
    assert client.get("/login/callback", params={"code": "good", "state": "forged"}).status_code == 403
    assert client.get("/login/callback", params={"code": "bad", "state": state}).status_code == 403
    done = client.get("/login/callback", params={"code": "good", "state": state})
    assert done.status_code == 303
    assert done.headers["location"] == "/persons"
    assert console.provider.state.exchanged[-1]["redirect_uri"] == "http://testserver/login/callback"
    assert "陈" in client.get("/").text


def test_after_sign_in_only_this_consoles_paths_are_followed() -> None:
    assert safe_next("/persons?x=1") == "/persons?x=1"
    for evil in ("//evil.example", "https://evil.example", "/\\evil", "", None):
        assert safe_next(evil) == "/"


def test_dates_are_shown_in_shanghai_and_money_in_yuan() -> None:
    assert as_datetime("2026-12-01T16:30:00Z") == "2026-12-02 00:30"
    assert as_datetime("2026-12-01T16:30:00") == "2026-12-02 00:30"  # the APIs' naive times are UTC
    assert as_date("2026-12-01T17:00:00+00:00") == "2026-12-02"
    assert as_date("1960-08-01") == "1960-08-01"
    assert yuan(123456) == "1,234.56 元"
    assert yuan(5) == "0.05 元"
    assert yuan(-100) == "-1.00 元"
    assert yuan(None) == ""


def test_a_visit_is_recorded_from_the_persons_page_and_outreach_s_refusals_are_shown(console: Any) -> None:
    client = console.sign_in()
    person = register(client, id_number=VALID_ID).headers["location"].split("?")[0]
    page = client.get(person)
    assert f'href="{person}/contacts/new"' in page.text  # outreach's module adds its action to the page
    form = client.get(f"{person}/contacts/new")
    assert form.status_code == 200
    assert 'type="date" value="20' in form.text  # today, in Shanghai
    data = {"csrf_token": csrf_of(client), "method": "home_visit", "findings": "身体尚可", "needs_follow_up": "true"}

    console.outreach.state.known = False
    waiting = client.post(f"{person}/contacts/new", data={**data, "date": "2026-11-30"})
    assert waiting.status_code == 409
    assert "尚未同步到联系走访服务" in waiting.text
    assert "身体尚可" in waiting.text  # nothing typed is lost
    console.outreach.state.known = True
    future = client.post(f"{person}/contacts/new", data={**data, "date": "2027-01-02"})
    assert future.status_code == 422
    assert error_beside(future.text, "date") == "联系日期不能晚于今天"
    assert console.outreach.state.contacts == {}

    saved = client.post(f"{person}/contacts/new", data={**data, "date": "2026-11-30"})
    assert saved.status_code == 303
    shown = client.get(saved.headers["location"])
    assert "上门走访" in shown.text
    assert "身体尚可" in shown.text
    [recorded] = console.outreach.state.contacts.values()
    assert recorded["needs_follow_up"] is True
    assert recorded["method"] == "home_visit"

    console.services.down.add("outreach")
    down = client.post(f"{person}/contacts/new", data={**data, "date": "2026-11-30"})
    assert down.status_code == 503
    assert "联系走访服务暂时无法访问" in down.text


def test_an_auditor_is_not_offered_recording_a_visit(console: Any) -> None:
    worker = console.sign_in()
    person = register(worker, id_number=VALID_ID).headers["location"].split("?")[0]
    auditor = console.sign_in(role="auditor", region="35")
    assert "/contacts/new" not in auditor.get(person).text
    assert auditor.get(f"{person}/contacts/new").status_code == 403


def test_the_same_id_number_again_says_so_at_the_top_and_links_the_record_that_has_it(console: Any) -> None:
    client = console.sign_in()
    first = register(client, id_number=VALID_ID).headers["location"].split("?")[0]
    again = register(client, id_number=VALID_ID, name="张三丰")
    assert again.status_code == 409
    assert "该身份证号码已有在册档案，请勿重复登记" in again.text
    assert f'href="{first}"' in again.text
    assert len(console.registry.state.people) == 1


def test_a_roster_import_polls_its_progress_until_done_and_offers_the_rejected_rows(console: Any) -> None:
    client = console.sign_in()
    template = client.get("/imports/template.xlsx")
    assert template.status_code == 200
    assert template.content == b"template"
    assert template.headers["content-disposition"] == "attachment; filename=roster.xlsx"
    wrong = client.post("/imports", data={"csrf_token": csrf_of(client)}, files={"file": ("名单.doc", b"x")})
    assert wrong.status_code == 422
    assert "请上传 .xlsx 或 .csv 文件" in wrong.text
    assert console.registry.state.jobs == {}
    started = client.post("/imports", data={"csrf_token": csrf_of(client)}, files={"file": ("名单.csv", b"a,b\n")})
    assert started.status_code == 303
    job_page = client.get(started.headers["location"])
    assert "导入中" in job_page.text
    assert 'hx-trigger="every 1s"' in job_page.text  # htmx asks again while it runs
    done = client.get(f"{started.headers['location']}/progress", headers={"HX-Request": "true"})
    assert "已完成" in done.text
    assert "hx-trigger" not in done.text  # and stops once it has finished
    assert "<html" not in done.text  # only the box is swapped in
    assert "身份证号码校验位不正确" in done.text
    [job_id] = console.registry.state.jobs
    assert f'href="/imports/{job_id}/rejected.xlsx"' in done.text
    assert client.get(f"/imports/{job_id}/rejected.xlsx").content == b"rejected rows"


def test_an_expired_session_is_sent_to_sign_in_again_and_told_why(console: Any) -> None:
    import time

    from vet_common.auth import issue_token

    old = issue_token(
        console.platform, sub="w", name="王", roles=["station_staff"], region="350102001", now=time.time() - 86400
    )
    client = console.client()
    client.cookies.set("vet_session", old)
    answer = client.get("/persons")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/persons&expired=1"
    assert "登录已过期或无法验证，请重新登录" in client.get(answer.headers["location"]).text


def test_the_to_do_page_lists_overdue_and_escalated_requests_of_my_jurisdiction(console: Any) -> None:
    def row(person: str, region: str, *, overdue: bool, level: int) -> dict[str, Any]:
        return {
            "id": "r-" + person,
            "person_id": person,
            "region": region,
            "category": "medical",
            "overdue": overdue,
            "deadline": "2026-11-20",
            "department": "鼓东街道服务站",
            "escalation_level": level,
        }

    console.outreach.state.requests = [
        row("p-late", "350102001001", overdue=True, level=0),
        row("p-escalated", "350102001002", overdue=False, level=1),
        row("p-elsewhere", "350103001001", overdue=True, level=1),
    ]
    home = console.sign_in().get("/")
    overdue, escalated = home.text.split("逾期未办结的诉求", 1)[1].split("上级督办的诉求", 1)
    assert 'href="/requests/r-p-late"' in overdue  # the request's page (诉求台账)
    assert "医疗 · 2026-11-20 到期（已逾期）" in overdue
    assert "p-escalated" not in overdue
    assert 'href="/requests/r-p-escalated"' in escalated
    assert "p-elsewhere" not in home.text
    console.services.down.add("outreach")
    assert "联系走访服务（outreach）暂时无法访问，请稍后重试" in console.sign_in().get("/").text


def test_the_payment_account_form_records_it_and_the_page_shows_it_masked(console: Any) -> None:
    client = console.sign_in()
    person = register(client, id_number=VALID_ID).headers["location"].split("?")[0]
    assert f'href="{person}/edit/payment-account"' in client.get(person).text
    assert "未登记" in client.get(person).text
    form = client.get(f"{person}/edit/payment-account")
    assert form.status_code == 200
    assert all(f'name="{name}"' in form.text for name in ("bank", "account_number", "reason"))
    data = {"csrf_token": csrf_of(client), "bank": "中国农业银行福州鼓楼支行", "reason": "本人提供银行卡"}
    bad = client.post(f"{person}/edit/payment-account", data={**data, "account_number": "6228 48"})
    assert bad.status_code == 422
    assert error_beside(bad.text, "account_number") == "账号须为 12–30 位数字 (must be 12-30 digits)"
    assert 'value="中国农业银行福州鼓楼支行"' in bad.text  # what was typed stays in the form
    [record] = console.registry.state.people.values()
    assert "payment_account" not in record
    saved = client.post(f"{person}/edit/payment-account", data={**data, "account_number": "6228 4804 0256 4890 018"})
    assert saved.status_code == 303
    assert record["payment_account"] == {"bank": "中国农业银行福州鼓楼支行", "account_number": "6228480402564890018"}
    page = client.get(person).text
    shown = re.search(r'id="payment-account">([^<]*)<span class="mono">([^<]*)<', page)
    assert shown is not None
    assert shown.groups() == ("中国农业银行福州鼓楼支行 ", "**** **** 0018")
    assert "6228480402564890018" not in page
    again = client.get(f"{person}/edit/payment-account").text
    assert 'value="中国农业银行福州鼓楼支行"' in again  # the bank prefilled, never the number
    assert "0018" not in again


def test_the_payment_account_in_clear_only_when_asked_for_with_a_purpose(console: Any) -> None:
    client = console.sign_in()
    person = register(client, id_number=VALID_ID).headers["location"].split("?")[0]
    data = {"csrf_token": csrf_of(client), "bank": "中国农业银行福州鼓楼支行", "reason": "本人提供银行卡"}
    client.post(f"{person}/edit/payment-account", data={**data, "account_number": "6228480402564890018"})
    assert 'value="payment_account"' in client.get(person).text
    unstated = client.post(f"{person}/reveal", data={"csrf_token": csrf_of(client), "fields": "payment_account"})
    assert unstated.status_code == 422
    assert "6228480402564890018" not in unstated.text
    shown = client.post(
        f"{person}/reveal",
        data={"csrf_token": csrf_of(client), "fields": "payment_account", "purpose": "核对代发账号"},
    )
    assert shown.status_code == 200
    assert '<span class="mono">6228480402564890018</span>' in shown.text
