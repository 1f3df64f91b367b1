"""Roster import through the API: template, a messy roster, rejected rows, re-import, an interrupted job."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from openpyxl import Workbook, load_workbook

from registry.importing import run_import
from vet_common.idnumber import make_id_number

pytestmark = pytest.mark.integration  # uploads wait for the worker in the read-model server

COUNTY = "350102"
TOWNSHIP_A, VILLAGE_A = "350102001", "350102001001"
VILLAGE_B = "350102002001"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ZHANG_SAN = make_id_number(COUNTY, date(1960, 8, 1), 11, "male")
LI_SI = next(
    number for seq in range(20, 500) if (number := make_id_number(COUNTY, date(1958, 2, 14), seq, "male")).endswith("X")
)
WANG_WU = make_id_number(COUNTY, date(1975, 6, 30), 12, "female")
ZHAO_LIU = make_id_number(COUNTY, date(1949, 10, 1), 13, "male")
SUN_QI = make_id_number(COUNTY, date(1966, 1, 5), 14, "male")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def bad_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "行政区划代码",
    "户籍类别",
    "人员类别",
    "入伍时间",
    "退伍时间",
    "联系电话",
]
EXPECTED = {"rows": 6, "registered": 3, "already_registered": 0, "rejected": 3}


def messy_roster() -> bytes:
    """Six people on rows 3..9 under a title line, with a blank row between; three of them cannot be imported."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["鼓东街道退役军人台账（2026年）"])  # row 1: a title above the header
    sheet.append(HEADER)  # row 2
    rows: list[list[Any]] = [
        # row 3: full-width ID digits, an Excel date serial as birth date, full-width spaces in the phone number
        [
            1,
            "张三",
            full_width(ZHANG_SAN),
            "男",
            excel_serial(date(1960, 8, 1)),
            VILLAGE_A,
            "农村",
            "退役士兵",
            1978.12,
            "1983.10",
            full_width("138 1234 5678"),
        ],
        # row 4: lower-case x, 1981.03-style service dates typed into number cells
        [2, "李四", LI_SI.lower(), None, None, VILLAGE_A, "城镇", "退役士兵、残疾军人", 1976.03, 1981.03, None],
        # row 5: blank
        [None] * len(HEADER),
        # row 6: a bad check digit
        [3, "王五", bad_check_digit(WANG_WU), "女", "1975-06-30", VILLAGE_A, "农村", "退役士兵", None, None, None],
        # row 7: the same person as row 3, again
        [4, "张三", ZHANG_SAN, "男", "1960-08-01", VILLAGE_A, "农村", "退役士兵", None, None, None],
        # row 8: outside the importer's jurisdiction
        [5, "孙七", SUN_QI, "男", "1966-01-05", VILLAGE_B, "农村", "退役士兵", None, None, None],
        # row 9: a date like 1949年10月1日 and a category by its Chinese name
        [6, "赵六", ZHAO_LIU, "男", "1949年10月1日", VILLAGE_A, "农村", "复员军人", "1968.05", "1975.09", None],
    ]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(api: Any, content: bytes, filename: str = "台账.xlsx", headers: dict[str, str] | None = None) -> Any:
    return api.client.post(
        "/imports", files={"file": (filename, content, XLSX)}, headers=headers or api.headers(region=TOWNSHIP_A)
    )


def imported(api: Any, content: bytes, **run: Any) -> dict[str, Any]:
    """Upload, run the job as the worker does, and return its status."""
    response = upload(api, content)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    run_import(api.app, UUID(job_id), content, **run)
    return status(api, job_id)


def status(api: Any, job_id: str) -> dict[str, Any]:
    response = api.client.get(f"/imports/{job_id}", headers=api.headers(region=TOWNSHIP_A))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def counts(job: dict[str, Any]) -> dict[str, int]:
    return {key: job[key] for key in ("rows", "registered", "already_registered", "rejected")}


def test_the_template_opens_with_chinese_headers(api_with_read_models: Any) -> None:
    api = api_with_read_models
    response = api.client.get("/imports/template.xlsx", headers=api.headers())
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert headers[:2] == ["姓名*", "公民身份号码*"]
    assert {"性别", "出生日期", "行政区划代码*", "人员类别*", "入伍时间", "退伍时间"} <= set(headers)


def test_importing_the_untouched_template_registers_nobody(api_with_read_models: Any) -> None:
    api = api_with_read_models
    template = api.client.get("/imports/template.xlsx", headers=api.headers()).content
    job = imported(api, template)
    assert job["status"] == "completed"
    assert counts(job) == {"rows": 0, "registered": 0, "already_registered": 0, "rejected": 0}


def test_a_messy_roster_registers_the_good_rows_and_explains_the_bad_ones(api_with_read_models: Any) -> None:
    api = api_with_read_models
    job = imported(api, messy_roster())
    assert job["status"] == "completed", job
    assert counts(job) == EXPECTED

    problems = {(item["row"], item["field"]) for item in job["rejected_rows"]}
    assert problems == {(6, "id_number"), (7, "id_number"), (8, "region")}
    by_row = {item["row"]: item for item in job["rejected_rows"]}
    assert "校验位" in by_row[6]["reason"]
    assert "第 3 行" in by_row[7]["reason"]
    assert "辖区" in by_row[8]["reason"]
    assert all(item["reason"] for item in job["rejected_rows"])

    api.project()
    page = api.client.get("/persons", params={"page_size": 50}, headers=api.headers(region=TOWNSHIP_A)).json()
    assert sorted(item["name"] for item in page["items"]) == ["张三", "李四", "赵六"]
    people = {item["name"]: api.get(item["id"]) for item in page["items"]}
    assert people["张三"]["birth_date"] == "1960-08-01"
    assert people["张三"]["household"] == "rural"
    assert people["张三"]["service"]["enlisted_on"] == "1978-12-01"
    assert people["张三"]["phone"] == "138****5678"
    assert people["李四"]["id_number"].endswith("X")
    assert people["李四"]["sex"] == "male"
    assert people["李四"]["categories"] == ["discharged_soldier", "disabled_soldier"]
    assert people["李四"]["service"]["enlisted_on"] == "1976-03-01"
    assert people["李四"]["service"]["discharged_on"] == "1981-03-01"
    assert people["赵六"]["birth_date"] == "1949-10-01"
    assert people["赵六"]["categories"] == ["demobilized_soldier"]
    revealed = api.get(people["张三"]["id"], headers=api.headers(purpose="import check"), reveal="id_number")
    assert revealed["id_number"] == ZHANG_SAN


def test_the_rejected_rows_download_as_xlsx(api_with_read_models: Any) -> None:
    api = api_with_read_models
    job = imported(api, messy_roster())
    response = api.client.get(job["rejected_rows_xlsx"], headers=api.headers(region=TOWNSHIP_A))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:3]) == ["行号", "字段", "原因"]
    assert sorted((row[0], row[1]) for row in rows[1:]) == [
        (6, "公民身份号码"),
        (7, "公民身份号码"),
        (8, "行政区划代码"),
    ]
    assert all(row[2] for row in rows[1:])
    assert ZHANG_SAN not in str(rows)  # ID numbers in the download are masked


def test_importing_the_same_file_again_registers_nothing_new(api_with_read_models: Any) -> None:
    api = api_with_read_models
    content = messy_roster()
    assert counts(imported(api, content)) == EXPECTED
    again = imported(api, content)
    assert again["status"] == "completed"
    assert counts(again) == {"rows": 6, "registered": 0, "already_registered": 3, "rejected": 3}
    api.project()
    assert api.client.get("/persons", headers=api.headers(region=TOWNSHIP_A)).json()["total"] == 3


def test_a_person_registered_by_hand_is_already_registered_at_import(api_with_read_models: Any) -> None:
    api = api_with_read_models
    api.register(id_number=ZHAO_LIU, name="赵六", birth=date(1949, 10, 1))
    job = imported(api, messy_roster())
    assert counts(job) == {**EXPECTED, "registered": 2, "already_registered": 1}


def test_an_interrupted_import_resumes_without_losing_or_double_counting(
    api_with_read_models: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = api_with_read_models
    content = messy_roster()
    response = upload(api, content)
    job_id = UUID(response.json()["job_id"])

    original = api.app.import_batch
    calls = []

    def crash_on_the_second_batch(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed (simulated)")
        original(*args, **kwargs)

    monkeypatch.setattr(api.app, "import_batch", crash_on_the_second_batch)
    with pytest.raises(RuntimeError, match="simulated"):
        run_import(api.app, job_id, content, batch_size=2)
    halfway = status(api, str(job_id))
    assert halfway["status"] == "running"
    assert counts(halfway) == {"rows": 2, "registered": 2, "already_registered": 0, "rejected": 0}

    monkeypatch.setattr(api.app, "import_batch", original)
    run_import(api.app, job_id, content, batch_size=2)
    done = status(api, str(job_id))
    assert done["status"] == "completed"
    assert counts(done) == EXPECTED
    assert sorted(item["row"] for item in done["rejected_rows"]) == [6, 7, 8]
    api.project()
    assert api.client.get("/persons", headers=api.headers(region=TOWNSHIP_A)).json()["total"] == 3


def test_an_import_job_belongs_to_its_jurisdiction(api_with_read_models: Any) -> None:
    api = api_with_read_models
    job = imported(api, messy_roster())
    elsewhere = api.client.get(f"/imports/{job['job_id']}", headers=api.headers(region="350102002"))
    assert elsewhere.status_code == 404
    assert api.client.get(job["rejected_rows_xlsx"], headers=api.headers(region="350102002")).status_code == 404


def test_only_xlsx_and_csv_are_accepted_and_auditors_cannot_import(api_with_read_models: Any) -> None:
    api = api_with_read_models
    assert upload(api, b"not a roster", filename="roster.pdf").status_code == 422
    assert upload(api, b"", filename="roster.csv").status_code == 422
    assert upload(api, messy_roster(), headers=api.headers(role="auditor")).status_code == 403


def test_a_csv_roster_in_gbk(api_with_read_models: Any) -> None:
    api = api_with_read_models
    text = f"姓名,身份证号,行政区划代码,人员类别\n张三,{ZHANG_SAN},{VILLAGE_A},退役士兵\n\n"
    content = text.encode("gb18030")
    response = api.client.post(
        "/imports", files={"file": ("roster.csv", content, "text/csv")}, headers=api.headers(region=TOWNSHIP_A)
    )
    assert response.status_code == 202, response.text
    run_import(api.app, UUID(response.json()["job_id"]), content)
    assert counts(status(api, response.json()["job_id"])) == {
        "rows": 1,
        "registered": 1,
        "already_registered": 0,
        "rejected": 0,
    }


def test_a_control_character_in_a_rejected_cell_still_gives_a_rejected_rows_workbook(
    api_with_read_models: Any,
) -> None:
    api = api_with_read_models
    csv_roster = (
        "姓名,公民身份号码,行政区划代码,人员类别,家庭住址\n"
        f"a\x01b,{make_id_number('350102', date(1960, 8, 1), 77, 'male')},350102001001,退役士兵,鼓楼区\x00一号\n"
    ).encode()
    response = upload(api, csv_roster, filename="台账.csv")
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    run_import(api.app, UUID(job_id), csv_roster)
    job = status(api, job_id)
    assert counts(job) == {"rows": 1, "registered": 0, "already_registered": 0, "rejected": 1}
    assert {item["field"] for item in job["rejected_rows"]} == {"name", "address"}
    workbook = api.client.get(f"/imports/{job_id}/rejected.xlsx", headers=api.headers(region=TOWNSHIP_A))
    assert workbook.status_code == 200
    rows = list(load_workbook(io.BytesIO(workbook.content)).worksheets[0].iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == ["ab", "ab"]  # 姓名 as uploaded, without the control character


def test_an_uploaded_roster_waits_encrypted_and_is_deleted_when_its_job_ends(api_with_read_models: Any) -> None:
    from registry.importing import import_files
    from registry.jobs import process_imports

    api = api_with_read_models
    content = messy_roster()
    response = upload(api, content)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]

    async def stored_file(db: Any) -> Any:
        return await import_files(db).find_one({"_id": job_id})

    waiting = api.with_read_models(stored_file)
    assert waiting["encrypted"] is True
    assert bytes(waiting["content"]) != content
    assert ZHANG_SAN.encode() not in bytes(waiting["content"])  # an ID number of the roster, in clear nowhere
    assert "filename" not in waiting
    api.project()
    api.run_leader_task_once(process_imports)
    assert status(api, job_id)["status"] == "completed"
    assert api.with_read_models(stored_file) is None
    job = api.app.get_import_job(UUID(job_id))
    assert job is not None
    assert job.file_hash == __import__("hashlib").sha256(content).hexdigest()


def test_who_uploaded_the_roster_gets_the_rejected_rows_as_uploaded_and_the_download_is_logged(
    api_with_read_models: Any,
) -> None:
    api = api_with_read_models
    job = imported(api, messy_roster())
    url = job["rejected_rows_xlsx"]

    def id_cells(response: Any) -> list[str]:
        rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
        return [str(row[4]) for row in rows[1:] if row[4]]  # 公民身份号码, as the row had it

    masked = api.client.get(url, headers=api.headers(region=TOWNSHIP_A))
    assert all("*" in cell for cell in id_cells(masked))
    other = api.client.get(url, params={"reveal": "true"}, headers=api.headers(region=TOWNSHIP_A, sub="staff-2"))
    assert other.status_code == 403
    api.project()
    assert api.client.get("/access-log", headers=api.headers(role="auditor", region=COUNTY)).json()["total"] == 0

    mine = api.client.get(url, params={"reveal": "true"}, headers=api.headers(region=TOWNSHIP_A))
    assert mine.status_code == 200
    assert id_cells(mine)
    assert all("*" not in cell for cell in id_cells(mine))
    officer = api.client.get(url, params={"reveal": "true"}, headers=api.headers(role="officer", region=COUNTY))
    assert officer.status_code == 200
    api.project()
    log = api.client.get("/access-log", headers=api.headers(role="auditor", region=COUNTY)).json()
    assert log["total"] == 2
    assert {item["import_job_id"] for item in log["items"]} == {job["job_id"]}
    assert {item["actor"]["sub"] for item in log["items"]} == {"staff-1"}


def test_the_worker_leaves_a_command_line_import_alone(api_with_read_models: Any) -> None:
    from registry.jobs import process_imports
    from vet_common.domain import Actor

    api = api_with_read_models
    # `vet import` runs its job in its own process; the file never goes to the worker.
    job_id = api.app.start_import("台账.xlsx", "0" * 64, COUNTY, Actor(sub="cli", role="admin"))
    api.project()
    api.run_leader_task_once(process_imports)
    job = api.app.get_import_job(job_id)
    assert job is not None
    assert job.status == "running"
