"""Outreach's reactions to the registry's events (typed policies), one module per part; service.py combines
them with the people replica."""
