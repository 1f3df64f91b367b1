"""Registry HTTP API: one router per resource."""

from registry.api import access_log, alerts, changes, duplicates, imports, persons, transfers

routers = [
    persons.router,
    changes.router,
    transfers.router,
    duplicates.router,
    alerts.router,
    imports.router,
    access_log.router,
]
