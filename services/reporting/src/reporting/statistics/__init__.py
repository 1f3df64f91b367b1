"""Statistics by region and period: one family per topic, counted by one tally."""

from __future__ import annotations

from reporting.statistics.campaigns import CampaignsFamily
from reporting.statistics.contacts import ContactsFamily
from reporting.statistics.family import Family
from reporting.statistics.funds import FundsFamily
from reporting.statistics.people import PeopleFamily
from reporting.statistics.requests import RequestsFamily

FAMILIES: tuple[Family, ...] = (
    PeopleFamily(),
    ContactsFamily(),
    RequestsFamily(),
    FundsFamily(),
    CampaignsFamily(),
)
BY_TOPIC: dict[str, Family] = {family.topic: family for family in FAMILIES}
