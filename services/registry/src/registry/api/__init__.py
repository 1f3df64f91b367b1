"""Registry HTTP API: one router per resource."""

from registry.api import access_log, alerts, changes, duplicates, imports, names, persons, reveal, transfers

routers = [
    reveal.router,  # before persons: /persons/reveal is not a person's id
    persons.router,
    changes.router,
    transfers.router,
    duplicates.router,
    alerts.router,
    imports.router,
    access_log.router,
    names.router,
]
