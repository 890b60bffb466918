"""`footer-audit alerts test PORTFOLIO`: send a sample message to every configured channel.

Exit status: 0 every channel took it; 1 some did not (each is named); 2 a bad portfolio file or
one without `alerts.channels`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.errors import UsageError

__all__ = ["app"]

app = typer.Typer(help="Alerts sent after each run.", no_args_is_help=True,
                  rich_markup_mode=None, add_completion=False)


@app.command("test")
def test(
    portfolio: Annotated[str, typer.Argument(help="Portfolio file (YAML) with alerts:.")],
) -> None:
    """Send a sample alert (marked 【测试】) to each channel of the portfolio."""
    from crawler.alerts.deliver import deliver, sample_changes
    from crawler.portfolio.model import load_portfolio

    loaded = load_portfolio(portfolio)
    if not loaded.alerts.channels:
        raise UsageError(f"{portfolio}: no alerts.channels configured (docs/portfolio.md)")
    failed = 0
    for result in deliver(loaded.alerts, sample_changes(loaded), sample=True):
        if result.ok and not result.skipped:
            typer.echo(f"sent: {result.channel}")
        elif result.skipped:
            typer.echo(f"skipped: {result.channel} (serves none of the portfolio's owners)")
        else:
            failed += 1
            typer.echo(f"FAILED: {result.channel} after {result.attempts} tries: {result.error}",
                       err=True)
    raise typer.Exit(1 if failed else 0)
