"""`footer-audit report ...` (placeholder until the report store lands)."""

import typer

app = typer.Typer(help="Stored runs: list, show, diff, export, ack, prune.")
