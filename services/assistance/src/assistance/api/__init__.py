"""Assistance HTTP routes, one router per resource."""

from assistance.api import applications, entitlements, funds

routers = [funds.router, applications.router, entitlements.router]
