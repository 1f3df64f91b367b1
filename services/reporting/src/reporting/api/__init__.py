"""Reporting HTTP API: one router per resource."""

from reporting.api import audit, reports, stats, summaries

ROUTERS = [stats.router, summaries.router, reports.router, audit.router]
