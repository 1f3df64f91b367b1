"""Root conftest: the real-server fixtures (kafka_bootstrap, mongo_url, postgres_url) for all tests."""

pytest_plugins = ["vet_devtools.testing.servers"]
