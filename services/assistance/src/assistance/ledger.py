"""A person's benefit ledger (个人受助台账): every amount approved and paid to them, by fund and year. Pure: it
gets the read-model documents of their applications, enrolments and the payroll lines paid to them.

An application counts with its decided amount once approved, and with what was disbursed. An enrolment in a
regular entitlement counts, per year, with its yearly entitlement (the monthly amount times the months of that
year it runs: from its first month, to its last if it ended; a yearly amount if it runs through that year's pay
month) and with what released payrolls paid it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistance.domain import paid_in

APPROVED = frozenset({"approved", "notified", "disbursed", "evaluated"})


@dataclass
class Entry:
    kind: str  # application or enrolment
    id: str
    fund_id: str
    year: int
    status: str
    approved_fen: int
    paid_fen: int
    monthly_fen: int | None = None
    yearly_fen: int | None = None
    months_paid: list[str] = field(default_factory=list)


def months_in_year(year: int, first: str, last: str | None) -> int:
    """How many months of `year` an enrolment from `first` to `last` (None: still running) covers."""
    start = max(first, f"{year}-01")
    end = min(last or f"{year}-12", f"{year}-12")
    if start > end:
        return 0
    return (int(end[:4]) - int(start[:4])) * 12 + int(end[5:]) - int(start[5:]) + 1


def entitled_in(doc: dict[str, Any], year: int) -> int:
    """What an enrolment's document entitles its person to in `year`, in fen."""
    if doc["status"] == "proposed":
        return 0
    pay_month = doc.get("pay_month")
    if pay_month is None:
        return months_in_year(year, doc["start_month"], doc.get("last_month")) * int(doc["monthly_fen"])
    paid = paid_in(f"{year}-{pay_month:02d}", doc["start_month"], doc.get("last_month"), pay_month)
    return int(doc["yearly_fen"]) if paid else 0


def application_entry(doc: dict[str, Any]) -> Entry:
    return Entry(
        kind="application",
        id=doc["_id"],
        fund_id=doc["fund_id"],
        year=doc["year"],
        status=doc["status"],
        approved_fen=(doc.get("amount_fen") or 0) if doc["status"] in APPROVED else 0,
        paid_fen=doc.get("paid_fen", 0),
    )


def enrolment_entries(doc: dict[str, Any], paid: list[tuple[str, int]], this_year: int) -> list[Entry]:
    """One entry per year the enrolment runs in, up to this year; `paid` is (month, amount) of each payroll line
    released for it."""
    if doc["status"] == "proposed":
        years = [int(doc["start_month"][:4])]
    else:
        last = doc.get("last_month")
        years = list(range(int(doc["start_month"][:4]), int((last or str(this_year))[:4]) + 1))
    entries = []
    for year in years or [int(doc["start_month"][:4])]:
        months = sorted(month for month, _ in paid if month.startswith(f"{year}-"))
        entries.append(
            Entry(
                kind="enrolment",
                id=doc["_id"],
                fund_id=doc["fund_id"],
                year=year,
                status=doc["status"],
                approved_fen=entitled_in(doc, year),
                paid_fen=sum(amount for month, amount in paid if month.startswith(f"{year}-")),
                monthly_fen=int(doc["monthly_fen"]),
                yearly_fen=doc.get("yearly_fen"),
                months_paid=months,
            )
        )
    return entries


def totals(entries: list[Entry]) -> list[dict[str, Any]]:
    """Approved and paid, by fund and year."""
    by: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in entries:
        total = by.setdefault(
            (entry.fund_id, entry.year),
            {"fund_id": entry.fund_id, "year": entry.year, "approved_fen": 0, "paid_fen": 0},
        )
        total["approved_fen"] += entry.approved_fen
        total["paid_fen"] += entry.paid_fen
    return list(by.values())
