"""Reporting HTTP API: one router per resource."""

from reporting.api import audit, reports, stats

ROUTERS = [stats.router, reports.router, audit.router]
