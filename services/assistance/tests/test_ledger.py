"""A person's ledger: applications with their decided and paid amounts, enrolments with each year's entitlement
and the months payrolls paid, totalled by fund and year."""

from __future__ import annotations

import pytest

from assistance import ledger


@pytest.mark.parametrize(
    ("year", "first", "last", "months"),
    [
        (2026, "2026-10", None, 3),  # October to December
        (2027, "2026-10", None, 12),
        (2026, "2026-10", "2026-10", 1),  # died in October: paid for October
        (2027, "2026-10", "2026-10", 0),
        (2026, "2025-03", "2026-02", 2),
        (2025, "2026-01", None, 0),
    ],
)
def test_the_months_of_a_year_an_enrolment_runs(year: int, first: str, last: str | None, months: int) -> None:
    assert ledger.months_in_year(year, first, last) == months


ENROLMENT = {
    "_id": "e-1",
    "fund_id": "f-1",
    "status": "active",
    "start_month": "2026-10",
    "last_month": None,
    "monthly_fen": 20_000,
}


def test_an_enrolment_counts_each_year_with_its_entitlement_and_what_payrolls_paid() -> None:
    paid = [("2026-10", 20_000), ("2026-11", 20_000), ("2027-01", 20_000)]
    entries = ledger.enrolment_entries(ENROLMENT, paid, this_year=2027)
    assert [(e.year, e.approved_fen, e.paid_fen, e.months_paid) for e in entries] == [
        (2026, 60_000, 40_000, ["2026-10", "2026-11"]),
        (2027, 240_000, 20_000, ["2027-01"]),
    ]


def test_a_proposed_enrolment_is_neither_entitled_nor_paid_yet() -> None:
    [entry] = ledger.enrolment_entries({**ENROLMENT, "status": "proposed"}, [], this_year=2026)
    assert (entry.year, entry.approved_fen, entry.paid_fen) == (2026, 0, 0)


def test_totals_by_fund_and_year_add_applications_and_enrolments() -> None:
    application = {"_id": "a-1", "fund_id": "f-1", "year": 2026, "status": "disbursed", "amount_fen": 160_000}
    denied = {**application, "_id": "a-2", "status": "denied", "paid_fen": 0}
    entries = [
        ledger.application_entry({**application, "paid_fen": 160_000}),
        ledger.application_entry(denied),
        *ledger.enrolment_entries(ENROLMENT, [("2026-10", 20_000)], this_year=2026),
    ]
    assert ledger.totals(entries) == [{"fund_id": "f-1", "year": 2026, "approved_fen": 220_000, "paid_fen": 180_000}]
