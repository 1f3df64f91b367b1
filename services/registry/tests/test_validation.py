"""PersonData: what a registration must look like, with messages a station worker can act on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import ValidationError
from time_machine import TimeMachineFixture

from registry.domain import CATEGORY_NAMES, Category
from registry.validation import (
    ETHNIC_GROUPS,
    PersonData,
    ServiceRecord,
    field_errors,
    normalize_name,
    normalize_phone,
    parse_categories,
    parse_date_text,
)
from vet_common.api import readable_validation_errors
from vet_common.domain import CHINA
from vet_common.idnumber import make_id_number

TODAY = date(2024, 6, 1)
ID_NUMBER = make_id_number("350102", date(1981, 3, 15), 1, "male")
FEMALE_X = "11010519491231002X"  # GB 11643's own example: female, born 1949-12-31


@pytest.fixture(autouse=True)
def fixed_today(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=CHINA), tick=False)


def data(**overrides: Any) -> dict[str, Any]:
    return {
        "id_number": ID_NUMBER,
        "name": "张三",
        "region": "350102001001",
        "categories": ["discharged_soldier"],
        **overrides,
    }


def errors_of(**overrides: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        PersonData.model_validate(data(**overrides))
    return dict(field_errors(caught.value))


def assert_bilingual(message: str) -> None:
    chinese, _, english = message.partition(" (")
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese), message
    assert english.endswith(")"), message
    assert english[:1].isascii(), message
    assert english[:1].isalpha(), message


# ---------------------------------------------------------------------------------------- accepted forms


def test_minimal_person_gets_sex_and_birth_date_from_the_id_number() -> None:
    person = PersonData.model_validate(data())
    assert person.sex == "male"
    assert person.birth_date == date(1981, 3, 15)
    assert person.categories == [Category.discharged_soldier]
    assert person.service is None
    assert person.ethnicity is person.phone is person.address is person.household is None


def test_messy_but_meaningful_input_is_normalized() -> None:
    full_width = FEMALE_X.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789x"})
    person = PersonData.model_validate(
        data(
            id_number=f" {full_width[:6]}\u3000{full_width[6:]} ",
            name=" 李　四 ",
            sex="女",
            birth_date="1949年12月31日",
            ethnicity="回",
            phone="１３８ 1234－5678",
            address="  福州市   鼓楼区 ",
            region="３５０１０２００１００１",
            household="非农业户口",
            categories="烈士遗属、现役军人家属，martyr_survivor 军属",
            service={"enlisted_on": "1968.03", "discharged_on": "19730115", "branch": " 陆军 ", "rank": ""},
        )
    )
    assert person.id_number == FEMALE_X
    assert person.name == "李四"
    assert person.sex == "female"
    assert person.birth_date == date(1949, 12, 31)
    assert person.ethnicity == "回族"
    assert person.phone == "13812345678"
    assert person.address == "福州市 鼓楼区"
    assert person.region == "350102001001"
    assert person.household == "urban"
    assert person.categories == [Category.martyr_survivor, Category.active_duty_family]
    assert person.service == ServiceRecord(
        enlisted_on=date(1968, 3, 1), discharged_on=date(1973, 1, 15), branch="陆军", rank=None
    )


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("买买提・艾力", "买买提·艾力"),
        ("买买提 • 艾力", "买买提·艾力"),
        ("阿依古丽．吐尔逊", "阿依古丽·吐尔逊"),
        ("Ahmat   Tursun", "Ahmat Tursun"),
        ("张　　三", "张三"),
    ],
)
def test_names(raw: str, name: str) -> None:
    assert normalize_name(raw) == name
    assert PersonData.model_validate(data(name=raw)).name == name


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0591-87654321", "0591-87654321"),
        ("059187654321", "0591-87654321"),
        ("(0591)8765432", "0591-8765432"),
        ("010-12345678", "010-12345678"),
        ("02012345678", "020-12345678"),
    ],
)
def test_phones(raw: str, phone: str) -> None:
    assert normalize_phone(raw) == phone


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "87654321", "13812345678 13912345678", "tel"])
def test_bad_phones(raw: str) -> None:
    assert "联系电话" in errors_of(phone=raw)["phone"]


@pytest.mark.parametrize(
    ("raw", "household"),
    [
        ("rural", "rural"),
        ("农村", "rural"),
        ("农业", "rural"),
        ("城镇户籍", "urban"),
        ("非农业", "urban"),
        ("urban", "urban"),
    ],
)
def test_households(raw: str, household: str) -> None:
    assert PersonData.model_validate(data(household=raw)).household == household


def test_ethnic_groups_are_the_56_and_other() -> None:
    assert len(ETHNIC_GROUPS) == len(set(ETHNIC_GROUPS)) == 56
    assert all(group.endswith("族") for group in ETHNIC_GROUPS)
    for raw, stored in [
        ("汉族", "汉族"),
        ("蒙古", "蒙古族"),
        ("土", "土族"),
        ("其它", "其他"),
        ("维吾尔族", "维吾尔族"),
    ]:
        assert PersonData.model_validate(data(ethnicity=raw)).ethnicity == stored
    assert "民族" in errors_of(ethnicity="穿青人")["ethnicity"]


def test_every_category_by_code_and_by_name() -> None:
    assert parse_categories([c.value for c in Category]) == list(Category)
    assert parse_categories(list(CATEGORY_NAMES.values())) == list(Category)
    assert parse_categories("残疾军人；退役士兵 残疾军人") == [Category.disabled_soldier, Category.discharged_soldier]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1981-03-15", (date(1981, 3, 15), "day")),
        ("1981/3/5", (date(1981, 3, 5), "day")),
        ("1981.3.15", (date(1981, 3, 15), "day")),
        ("1981年3月15日", (date(1981, 3, 15), "day")),
        ("19810315", (date(1981, 3, 15), "day")),
        ("1981-03-15 00:00:00", (date(1981, 3, 15), "day")),
        ("１９８１．０３", (date(1981, 3, 1), "month")),
        ("1981.03", (date(1981, 3, 1), "month")),
        ("1981年3月", (date(1981, 3, 1), "month")),
        ("198103", (date(1981, 3, 1), "month")),
    ],
)
def test_dates_as_people_write_them(raw: str, expected: tuple[date, str]) -> None:
    assert parse_date_text(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [("1981", "只有年份"), ("1981-02-30", "不存在"), ("三月", "无法识别")])
def test_dates_that_cannot_be_read(raw: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_date_text(raw)


def test_a_year_month_birth_date_is_fine_when_it_agrees_with_the_id_number() -> None:
    assert PersonData.model_validate(data(birth_date="1981.03")).birth_date == date(1981, 3, 15)
    assert "1981-03-15" in errors_of(birth_date="1981.04")["birth_date"]


# ---------------------------------------------------------------------------------------- refusals


REFUSALS = [
    # overrides, field, fragment of the message
    ({"id_number": ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")}, "id_number", "校验位"),
    ({"id_number": "35010219810315"}, "id_number", "18 位"),
    ({"id_number": 350102198103150031}, "id_number", "文字"),
    ({"name": "  "}, "name", "请填写姓名"),
    ({"name": "张" * 51}, "name", "最多 50"),
    ({"name": "张三350102"}, "name", "数字"),
    ({"sex": "female"}, "sex", "身份证号码显示为男"),
    ({"sex": "未知"}, "sex", "“男”或“女”"),
    ({"birth_date": "1981-03-16"}, "birth_date", "出生日期与身份证号码不符，身份证号码显示为 1981-03-15"),
    ({"birth_date": "3/15/1981"}, "birth_date", "无法识别"),
    ({"ethnicity": "火星族"}, "ethnicity", "56 个民族"),
    ({"address": "路" * 201}, "address", "最多 200"),
    ({"region": "350102"}, "region", "12 位"),
    ({"region": "359902001001"}, "region", "没有代码为 3599 的市"),
    ({"household": "居民"}, "household", "“农村”或“城镇”"),
    ({"categories": []}, "categories", "至少填写一个"),
    ({"categories": ["退役士兵", "老兵"]}, "categories", "“老兵”无法识别"),
    ({"service": {"enlisted_on": "2000-09", "discharged_on": "2000-08-31"}}, "service.discharged_on", "早于入伍时间"),
    ({"service": {"enlisted_on": "2024-06-02"}}, "service.enlisted_on", "晚于今天（2024-06-01）"),
    ({"service": {"discharged_on": "2025-01"}}, "service.discharged_on", "晚于今天"),
    ({"service": {"enlisted_on": "1980-01"}}, "service.enlisted_on", "早于出生日期 1981-03-15"),
    ({"service": {"branch": "陆" * 31}}, "service.branch", "过长"),
    ({"service": "陆军"}, "service", "格式不正确"),
]


@pytest.mark.parametrize(("overrides", "field", "fragment"), REFUSALS)
def test_refusals_name_the_field_and_say_what_to_fix(overrides: dict[str, Any], field: str, fragment: str) -> None:
    errors = errors_of(**overrides)
    assert list(errors) == [field]
    assert fragment in errors[field]
    assert_bilingual(errors[field])


def test_missing_required_fields_each_get_a_message() -> None:
    with pytest.raises(ValidationError) as caught:
        PersonData.model_validate({})
    errors = dict(field_errors(caught.value))
    assert set(errors) == {"id_number", "name", "region", "categories"}
    assert errors["region"] == "必填项，请填写 (required)"


def test_a_bad_id_number_does_not_drag_sex_and_birth_date_down_with_it() -> None:
    errors = errors_of(id_number="350102198103150000", sex="male", birth_date="1981-03-15")
    assert list(errors) == ["id_number"]


def test_birth_date_in_the_future_is_refused_even_without_a_usable_id_number() -> None:
    errors = errors_of(id_number="x", birth_date="2024-06-02")
    assert set(errors) == {"id_number", "birth_date"}
    assert "晚于今天" in errors["birth_date"]


def test_an_id_number_born_after_today_is_refused(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(1981, 3, 14, 12, tzinfo=CHINA), tick=False)
    assert "晚于今天" in errors_of()["id_number"]


# ---------------------------------------------------------------------------------------- over HTTP


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()

    @app.post("/persons")
    async def register(body: PersonData) -> dict[str, Any]:
        return body.model_dump(mode="json")

    @app.exception_handler(RequestValidationError)
    async def on_error(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": readable_validation_errors(error)}, status_code=422)

    return TestClient(app)


def test_the_api_names_the_field_not_the_body(client: TestClient) -> None:
    response = client.post(
        "/persons",
        json=data(birth_date="1981-03-16", service={"enlisted_on": "2001-01-01", "discharged_on": "2000-01-01"}),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "birth_date",
            "message": "出生日期与身份证号码不符，身份证号码显示为 1981-03-15 "
            "(birth_date does not match the ID number)",
        },
        {
            "field": "service.discharged_on",
            "message": "退伍时间 2000-01-01 早于入伍时间 2001-01-01，请核对 (discharged_on is before enlisted_on)",
        },
    ]


def test_the_api_and_field_errors_word_things_the_same(client: TestClient) -> None:
    bad = data(name="", categories=["nope"], service={"enlisted_on": "1970"}, household="rural", sex=None)
    response = client.post("/persons", json=bad)
    assert response.status_code == 422
    with pytest.raises(ValidationError) as caught:
        PersonData.model_validate(bad)
    assert [(item["field"], item["message"]) for item in response.json()["detail"]] == field_errors(caught.value)


def test_the_api_accepts_a_good_body(client: TestClient) -> None:
    response = client.post("/persons", json=data(sex="male", categories=["退役士兵"]))
    assert response.status_code == 200, response.text
    assert response.json()["birth_date"] == "1981-03-15"
    assert response.json()["categories"] == ["discharged_soldier"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "张\x01三"),
        ("address", "鼓楼区\x00鼓东街道1号"),
        ("address", "a\x1bb"),
        ("address", "a\x7fb"),  # DEL and the C1 controls are category Cc too
        ("address", "a\x9fb"),
        ("service.branch", "陆\x07军"),
    ],
)
def test_invisible_control_characters_are_refused(field: str, value: str) -> None:
    overrides: dict[str, Any] = {"service": {"branch": value}} if field == "service.branch" else {field: value}
    errors = errors_of(**overrides)
    assert "控制字符" in errors[field]


@pytest.mark.parametrize("value", ["鼓楼区\t鼓东街道", "鼓楼区\r\n鼓东街道", "鼓楼区\xa0鼓东街道"])
def test_tabs_line_breaks_and_other_spaces_are_not_control_characters(value: str) -> None:
    assert "鼓东街道" in str(PersonData.model_validate(data(address=value)).address)
