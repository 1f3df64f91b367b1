"""Development tooling, kept out of the services' runtime install (`vet-common`).

- `vet_devtools.stack`: the local stack (Kafka from Maven jars, SecantusDB, PostgreSQL, the services),
  behind `vet up/down/status`.
- `vet_devtools.testing`: the pytest plugin with the real-server fixtures, test applications, scenarios and
  the platform harness.
"""
