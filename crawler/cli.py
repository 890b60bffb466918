"""`footer-audit`: the command line. Each sub-command lives in `crawler/commands/`."""

from __future__ import annotations

import sys

import click
import typer
from rich.console import Console

from crawler.commands import check_cmd, crawl_cmd, report_cmd, rules_cmd
from crawler.errors import FooterAuditError

# Typer 0.29+ parses with its own copy of click, whose exceptions are not click's.
_CLICK_ERRORS: tuple[type[Exception], ...] = (click.ClickException,)
if hasattr(typer, "_click"):
    _CLICK_ERRORS += (typer._click.exceptions.ClickException,)

app = typer.Typer(
    name="footer-audit",
    help="Audit Chinese websites' footers for ICP, 公安 and copyright filing marks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("rules")(rules_cmd.rules)
app.command("check")(check_cmd.check)
app.command("crawl")(crawl_cmd.crawl)
app.command("run")(crawl_cmd.run)
app.add_typer(report_cmd.app, name="report")


def main() -> None:
    """Entry point: user errors become one line on stderr and their exit status.

    Commands end with `raise typer.Exit(code)` for a non-zero status; in non-standalone mode click
    returns that code instead of exiting, so it is passed on here.
    """
    err = Console(stderr=True)
    try:
        code = app(standalone_mode=False)
    except FooterAuditError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except _CLICK_ERRORS as exc:  # bad usage: click's own message, exit 2
        exc.show()
        sys.exit(exc.exit_code)
    except (click.Abort, typer.Abort):
        err.print("aborted")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
