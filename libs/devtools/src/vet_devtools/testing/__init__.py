"""Test support: real servers for integration tests (`servers`, a pytest plugin) and shared test helpers."""
