"""The assistance and reporting pages' pure parts: a fund form to the API's body (yuan to fen), what an
application waits for in words, the level a jurisdiction acts for, the audit's day bounds in Shanghai."""

from __future__ import annotations

from typing import Any

import pytest

from assistance.rules import Rules
from console.pages.assistance.funds import fund_body
from console.pages.assistance.names import acting_level, waiting_text
from console.pages.reporting.audit import day_bounds
from console.pages.reporting.stats import trend_periods

BASE = {
    "name": "资金",
    "kind": "emergency_aid",
    "region": "350102",
    "year": "2026",
    "budget_fen": "1,000,000.50",
    "rules.approval.accept": "township",
    "rules.approval.levels.0.level": "county",
}


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ({"rules.amount.kind": "fixed", "rules.amount.amount_fen": "1600"}, {"kind": "fixed", "amount_fen": 160000}),
        (
            {"rules.amount.kind": "monthly", "rules.amount.monthly_fen": "200.5"},
            {"kind": "monthly", "monthly_fen": 20050},
        ),
        (
            {"rules.amount.kind": "yearly", "rules.amount.yearly_fen": "2,400", "rules.amount.pay_month": "3"},
            {"kind": "yearly", "yearly_fen": 240000, "pay_month": 3},
        ),
        (
            {
                "rules.amount.kind": "share_of_remainder",
                "rules.amount.threshold_fen": "10000",
                "rules.amount.share_percent": "80",
                "rules.amount.cap_fen": "50,000",
                "rules.amount.amount_fen": "1600",  # another rule's figure is left out
            },
            {"kind": "share_of_remainder", "threshold_fen": 1000000, "share_percent": 80, "cap_fen": 5000000},
        ),
    ],
)
def test_a_fund_form_becomes_the_apis_body_in_fen(typed: dict[str, Any], amount: dict[str, Any]) -> None:
    body, errors = fund_body({**BASE, **typed})
    assert errors == {}
    assert body["budget_fen"] == 100_000_050
    assert body["year"] == 2026
    assert body["rules"]["amount"] == amount
    assert body["rules"]["approval"] == {"accept": "township", "levels": [{"level": "county"}]}
    assert "yearly_ceiling_fen" not in body["rules"]
    assert Rules.model_validate(body["rules"]).amount.kind == amount["kind"]  # what assistance's API accepts


def test_a_second_level_above_an_amount_a_ceiling_and_the_eligibility_go_into_the_rules() -> None:
    body, errors = fund_body(
        {
            **BASE,
            "rules.amount.kind": "fixed",
            "rules.amount.amount_fen": "1600",
            "rules.yearly_ceiling_fen": "3000",
            "rules.approval.levels.1.level": "city",
            "rules.approval.levels.1.from_fen": "10000",
            "rules.eligibility.categories": ["martyr_survivor"],
            "rules.eligibility.household": "rural",
        }
    )
    assert errors == {}
    assert body["rules"]["yearly_ceiling_fen"] == 300000
    assert body["rules"]["approval"]["levels"] == [{"level": "county"}, {"level": "city", "from_fen": 1000000}]
    assert body["rules"]["eligibility"] == {"categories": ["martyr_survivor"], "household": "rural"}


def test_an_amount_that_is_not_yuan_is_named_beside_its_input() -> None:
    _, errors = fund_body({**BASE, "budget_fen": "一百万", "rules.amount.amount_fen": "-5"})
    assert set(errors) == {"budget_fen", "rules.amount.amount_fen"}
    assert "金额格式不正确" in errors["budget_fen"]
    assert "不能为负数" in errors["rules.amount.amount_fen"]


@pytest.mark.parametrize(
    ("waiting_for", "text"),
    [
        ("accept", "待受理"),
        ("approve:county", "待县级审批"),
        ("approve:city", "待市级审批"),
        ("notify", "待告知本人"),
        ("disburse", "待拨付"),
        ("evaluate", "待跟踪回访"),
        ("transfer", "待迁入地县级指定资金"),
        (None, "已办结"),
    ],
)
def test_what_an_application_waits_for_in_words(waiting_for: str | None, text: str) -> None:
    assert waiting_text(waiting_for) == text


@pytest.mark.parametrize(
    ("region", "level"),
    [
        ("35", "province"),
        ("3501", "city"),
        ("350102", "county"),
        ("350102001", "township"),
        ("350102001001", "township"),
    ],
)
def test_the_level_a_jurisdiction_acts_for(region: str, level: str) -> None:
    assert acting_level(region) == level


def test_the_audit_dates_are_whole_days_in_shanghai_and_a_bad_one_is_named() -> None:
    bounds, errors = day_bounds({"from": "2026-12-01", "to": "2026-12-01"})
    assert errors == {}
    assert bounds == {"from": "2026-12-01T00:00:00+08:00", "to": "2026-12-01T23:59:59.999999+08:00"}
    _, errors = day_bounds({"from": "2026-02-30"})
    assert list(errors) == ["from"]


def test_the_chart_by_period_shows_the_quarters_of_the_periods_year() -> None:
    assert trend_periods("2025-07", 2026) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert trend_periods("all", 2026) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
