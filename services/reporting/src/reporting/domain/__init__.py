"""Reporting's domain: the audit archive (archive.py) and report approval (reports.py)."""
