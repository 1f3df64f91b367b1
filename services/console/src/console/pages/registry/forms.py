"""The registry's forms: which inputs each has, how the filled-in form becomes the API's JSON body, and where
the API's [{field, message}] answers go (beside the input they name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from console.clients import ApiRefused
from console.formatting import CATEGORY_NAMES, HOUSEHOLD_NAMES, KEY_CONTACT_REASON_NAMES, SEX_NAMES
from console.web import TOP
from vet_common.auth import Role

CAN_EDIT = (Role.station_staff, Role.officer, Role.admin)  # as the registry's CAN_EDIT
CAN_REVEAL = (Role.station_staff, Role.officer, Role.admin)


@dataclass(frozen=True)
class Input:
    """One input: its name is the API's field (dotted for nested ones: service.enlisted_on)."""

    name: str
    label: str
    kind: str = "text"  # text, date, number, select, checkboxes, textarea
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False
    hint: str = ""

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-")


def choices(table: dict[str, str], *, blank: str | None = None) -> tuple[tuple[str, str], ...]:
    items = tuple(table.items())
    return ((("", blank),) if blank is not None else ()) + items


CATEGORY_CHOICES = choices(CATEGORY_NAMES)

REGISTRATION = (
    Input("id_number", "身份证号码", required=True, hint="18位，末位可以是 X"),
    Input("name", "姓名", required=True),
    Input("sex", "性别", "select", choices(SEX_NAMES, blank="按身份证号码"), hint="不填则按身份证号码"),
    Input("birth_date", "出生日期", "date", hint="不填则按身份证号码"),
    Input("ethnicity", "民族", hint="如 汉族"),
    Input("phone", "联系电话", hint="手机 13812345678 或座机 0591-87654321"),
    Input("address", "家庭住址"),
    Input("region", "所在村（社区）代码", required=True, hint="12位行政区划代码，如 350102001001"),
    Input("household", "户籍类别", "select", choices(HOUSEHOLD_NAMES, blank="未填写")),
    Input("categories", "人员类别", "checkboxes", CATEGORY_CHOICES, required=True),
    Input("service.enlisted_on", "入伍时间", "date"),
    Input("service.discharged_on", "退伍时间", "date"),
    Input("service.branch", "军种", hint="如 陆军"),
    Input("service.rank", "职级或军衔"),
)


@dataclass(frozen=True)
class EditForm:
    """A change to a record: the registry route it posts to (with If-Match: the version shown)."""

    title: str
    path: str
    inputs: tuple[Input, ...]
    correctable: bool = True  # takes a correction_reason (a deceased person's record; officers only)
    prefill: tuple[str, ...] = field(default=())


CORRECTION = Input("correction_reason", "更正原因", "textarea", hint="仅更正已故人员档案时填写（限业务科室人员）")

EDIT_FORMS: dict[str, EditForm] = {
    "contact": EditForm(
        "联系方式",
        "contact",
        (
            Input("phone", "联系电话", hint="请填写完整号码；留空则清除"),
            Input("address", "家庭住址"),
        ),
        prefill=("address",),
    ),
    "categories": EditForm(
        "人员类别",
        "categories",
        (Input("categories", "人员类别", "checkboxes", CATEGORY_CHOICES, required=True),),
        prefill=("categories",),
    ),
    "service-record": EditForm(
        "服役信息",
        "service-record",
        (
            Input("enlisted_on", "入伍时间", "date"),
            Input("discharged_on", "退伍时间", "date"),
            Input("branch", "军种"),
            Input("rank", "职级或军衔"),
        ),
        prefill=("service.enlisted_on", "service.discharged_on", "service.branch", "service.rank"),
    ),
    "disability": EditForm(
        "伤残情况",
        "disability",
        (
            Input("level", "伤残等级", "number", required=True, hint="1至10级"),
            Input("cause", "致残原因", required=True, hint="如 因战、因公、因病"),
            Input("certificate_no", "残疾军人证编号", required=True),
        ),
        prefill=("disability.level", "disability.cause", "disability.certificate_no"),
    ),
    "payment-account": EditForm(
        "发放账户",
        "payment-account",
        (
            Input("bank", "开户银行", required=True, hint="如 中国农业银行福州鼓楼支行"),
            Input("account_number", "账号", required=True, hint="12至30位数字，可照卡面分段输入"),
            Input("reason", "录入或变更原因", "textarea", required=True, hint="如 本人提供银行卡、原卡挂失换新卡"),
        ),
        correctable=False,
        prefill=("payment_account.bank",),  # never the number: the page has it masked only
    ),
    "key-contacts": EditForm(
        "重点联系对象",
        "key-contacts",
        (
            Input("action", "操作", "select", (("designate", "列为重点联系对象"), ("remove", "取消"))),
            Input(
                "reason",
                "原因",
                "select",
                tuple((key, KEY_CONTACT_REASON_NAMES[key]) for key in KEY_CONTACT_REASON_NAMES),
                required=True,
            ),
            Input("note", "说明", "textarea"),
        ),
        correctable=False,
    ),
    "certificates": EditForm(
        "证件",
        "certificates",
        (
            Input(
                "action",
                "办理事项",
                "select",
                (
                    ("apply_preferential_card", "申领优待证"),
                    ("issue_preferential_card", "发放优待证"),
                    ("replace_disability_certificate", "换发残疾军人证"),
                ),
            ),
            Input("number", "证件编号"),
            Input("issued_on", "发证日期", "date"),
        ),
        correctable=False,
    ),
    "profile": EditForm(
        "家庭情况",
        "profile",
        tuple(
            Input(name, label, "textarea")
            for name, label in (
                ("family_life", "家庭生活"),
                ("medical_security", "医疗保障"),
                ("housing", "住房"),
                ("children_education", "子女教育"),
                ("employment", "就业创业"),
                ("difficulties", "困难诉求"),
            )
        ),
        prefill=tuple(f"profile.{name}" for name in ("family_life", "medical_security", "housing")),
    ),
}


def values_of(form: FormData, inputs: tuple[Input, ...]) -> dict[str, Any]:
    """What the user typed, by input name (a list for checkboxes), to show the form again."""
    values: dict[str, Any] = {}
    for item in inputs:
        if item.kind == "checkboxes":
            values[item.name] = [str(value) for value in form.getlist(item.name) if str(value).strip()]
        else:
            values[item.name] = str(form.get(item.name) or "").strip()
    return values


def body_of(values: dict[str, Any]) -> dict[str, Any]:
    """The API's JSON: blanks left out (the API fills or keeps them), dotted names nested."""
    body: dict[str, Any] = {}
    for name, value in values.items():
        if value in ("", [], None):
            continue
        target = body
        *parents, last = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return body


def place_errors(errors: dict[str, str], inputs: tuple[Input, ...]) -> dict[str, str]:
    """Each API error beside the input it names (categories.1 belongs to categories); others at the top."""
    names = {item.name for item in inputs}
    placed: dict[str, str] = {}
    for field_name, message in errors.items():
        target = field_name
        while target not in names and "." in target:
            target = target.rsplit(".", 1)[0]
        key = target if target in names else TOP
        placed[key] = f"{placed[key]}；{message}" if key in placed else message
    return placed


def refused_fields(refusal: ApiRefused, inputs: tuple[Input, ...]) -> dict[str, str]:
    """The API's words beside the inputs they name; a refusal that names none goes at the top of the form."""
    return place_errors(refusal.field_errors(), inputs) or {TOP: refusal.message()}


def prefilled(person: dict[str, Any], form: EditForm) -> dict[str, Any]:
    """The record's current values for the inputs the form shows them in."""
    values: dict[str, Any] = {}
    for path in form.prefill:
        value: Any = person
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        name = path.split(".")[-1]
        values[name] = value if isinstance(value, list) else ("" if value is None else str(value))
    return values
