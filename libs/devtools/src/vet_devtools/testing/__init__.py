"""Test support: real servers for integration tests (`servers`, a pytest plugin), a harness per service
(`ServiceHarness`: the application on an in-memory event store with a fixed clock) and shared test helpers."""

from vet_devtools.testing.harness import OneRound, ServiceHarness

__all__ = ["OneRound", "ServiceHarness"]
