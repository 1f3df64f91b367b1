"""The README's walk-through runs top to bottom exactly as written, against a platform of its own.

Only the addresses change (the platform's free ports instead of 8101–8104); every block of the walk-through
runs in one bash with `set -euo pipefail`, where each `curl -f` fails the script on an error answer.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vet_devtools.testing.platform import Platform

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(400)]

ROOT = Path(__file__).resolve().parents[1]
PORTS = {"8101": "registry", "8102": "outreach", "8103": "assistance", "8104": "reporting"}


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Walk-through") : readme.index("\n## ", readme.index("## Walk-through") + 1)]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) >= 2, "the walk-through's bash blocks"
    return "\n".join(blocks)


def test_the_readme_walkthrough_runs_as_written(platform: Platform, tmp_path: Path) -> None:
    script = walkthrough()
    for port, service in PORTS.items():
        script = script.replace(f"http://127.0.0.1:{port}", platform.url(service))
    assert "127.0.0.1:810" not in script
    env = {**platform.env("registry"), "UV_PROJECT": str(ROOT), "PATH": os.environ["PATH"]}
    env.pop("VET_API_PORT")  # `vet import` and `vet token` are not the api
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,  # the files it writes (台账.csv, 未导入.xlsx ...) land here
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    out = result.stdout
    assert '"existing_id"' in out  # the second registration of the same ID number
    assert '"visits":1' in out
    # Reporting: a quarter's key-contact coverage (overdue before the call, reached after it), the city's
    # campaign summary table (情况汇总表) and its workbook, one fund's figures, last month re-issued.
    lines = out.splitlines()
    assert "1.0" in lines  # key_contact_coverage
    assert "'name': '鼓楼区'" in out
    assert "'targets': 1, 'reached': 1, 'in_person': 0, 'remote': 1, 'coverage': 1.0" in out
    assert "'status': '已审核'" in out
    assert "50000000" in lines
    summary = load_workbook(tmp_path / "情况汇总表.xlsx").active
    assert summary["A1"].value == "福州市“八一”走访慰问活动情况汇总表"
    assert ("鼓楼区", 1) in [(row[1], row[2]) for row in summary.iter_rows(min_row=4, values_only=True)]
    assert (tmp_path / "资金统计.xlsx").stat().st_size > 0
    assert '"status":"completed"' in out
    assert '"registered":2' in out
    assert '"rejected":1' in out
    assert '"status":"accepted"' in out
    assert '"supervised_by":"3501"' in out  # the request, escalated by hand from 台江区 to the city
    assert '"status":"closed"' in out
    assert (tmp_path / "未导入.xlsx").stat().st_size > 0
    assert '"status":"evaluated"' in out  # the assistance walk-through: every step to the follow-up visit
    assert '"amount_yuan":"1,600.00"' in out
    assert "'disbursed_fen': 160000" in out  # the fund's disbursement, counted by reporting
    assert "不能审批" in out  # the step out of order, refused
    assert '"remaining_fen":49840000' in out  # the fund's budget after paying 1,600
    assert '"paid_fen":160000' in out  # the person's ledger
    account = "中国农业银行福州鼓楼支行,6228480402564890018"
    bank_line = rf"\n1,张三,350102198103150015,{account},[0-9a-f-]{{36}},350103001001,\d{{4}}-\d{{2}},200\.00"
    assert re.search(bank_line, out)  # the bank file: name, ID number and account from the registry, for the file
    # The account in clear only in the bank file; masked where the registry answers (its record, its history).
    assert out.count("6228480402564890018") == 1
    assert '"account_number":"**** **** 0018"' in out
    assert (tmp_path / "发放表.xlsx").stat().st_size > 0
    assert re.search(r'"months_paid":\["\d{4}-\d{2}"\]', out)  # the ledger after the payroll
    assert '"on_time":true' in out  # this month's payrolls, none late
    # The ID number in clear: revealed in the registry with a purpose, and in the bank file; nowhere else.
    assert out.count("350102198103150015") == 2
    # The request ledger: a step out of order refused saying why, and the closed request in the ledger's list,
    # escalated once (to the city).
    assert "只有“已化解待回访”的诉求才能回访" in out
    assert re.search(r'"status":"closed",[^}]*"supervised_by":"3501","escalation_level":1,', out)
    # Outreach: one staff member paired with both key contacts (一对多), nobody overdue on day one, both due
    # within the quarter under the default rule with their staff member named; the call corrected to a video
    # call with its reason, the person's history showing it; the home visit moves the home visit a year on.
    uid, day = "[0-9a-f-]{36}", r"\d{4}-\d{2}-\d{2}"
    assert re.search(rf'\{{"ids":\["{uid}","{uid}"\]\}}\{{"items":\[\],"next":null\}}', out)
    rule = r'"rule":\{"version":0,"contact_days":90,"home_visit_days":365\}'
    due = rf'{rule},"last_contact":null,"last_home_visit":null,"contact_due":"{day}","home_visit_due":"{day}"'
    assert len(re.findall(rf'{due},"days_overdue":0,"staff":"wangfang"', out)) == 2
    corrected = '"status":"corrected","withdrawal_reason":null,"corrections":[{"changes":{"method":"video"}'
    assert corrected + ',"reason":"实为视频通话"' in out
    assert re.search(
        rf'"items":\[\{{"id":"{uid}","method":"video","date":"{day}","staff":"wangfang"[^}}]*"corrected"', out
    )
    visited = re.search(
        rf'"last_contact":"({day})","last_home_visit":"\1","contact_due":"({day})","home_visit_due":"({day})"', out
    )
    assert visited, "the veteran's schedule after the home visit"
    on, contact_due, visit_due = (date.fromisoformat(found) for found in visited.groups())
    assert (contact_due - on, visit_due - on) == (timedelta(days=90), timedelta(days=365))
    # the campaign: two targets frozen, one reached at home and one by phone, the county's table returned,
    # resubmitted and approved into the city's roll-up
    assert '"target_count":2' in out
    assert '"by_group":{"in_difficulty":1,"aged_80_plus":2}' in out
    assert '"region":"350102","targets":2,"reached_in_person":1,"reached_remotely":1,"not_reached":0' in out
    assert '"status":"returned"' in out
    assert '"money_fen":80000' in out
    assert '"counties":{"missing":0,"submitted":0,"approved":1,"returned":0,"overdue":0}' in out
