"""Alerts after a run: what changed since the previous run, per owner, sent to the channels the
portfolio configures (`alerts:`, docs/portfolio.md)."""
