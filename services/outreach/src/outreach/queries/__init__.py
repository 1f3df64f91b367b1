"""Outreach's read side: one module per part, each query limited to the caller's jurisdiction."""
