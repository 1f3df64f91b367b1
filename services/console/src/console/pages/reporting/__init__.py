"""Reporting's pages: statistics with charts and downloads (统计报表), and the audit pages for auditors (审计)."""

from __future__ import annotations

from fastapi import APIRouter

from console.pages import NavItem, PageModule
from console.pages.reporting import audit, stats, summaries

router = APIRouter()
router.include_router(summaries.router)  # /stats/campaigns before /stats/{topic}/…
router.include_router(stats.router)
router.include_router(audit.router)

module = PageModule(
    name="reporting",
    router=router,
    nav=[NavItem("统计报表", "/stats"), NavItem("审计", "/audit", audit.AUDITORS)],
)
