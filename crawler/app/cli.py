"""`footer-audit`: the command line. Each sub-command lives in `crawler/app/commands/`."""

from __future__ import annotations

import os
import signal
import sys

import typer
from rich.console import Console

from crawler.app.commands import (
    alerts_cmd,
    check_cmd,
    crawl_cmd,
    jobs_cmd,
    report_cmd,
    rules_cmd,
    schedule_cmd,
    serve_cmd,
    snippet_cmd,
    token_cmd,
    worker_cmd,
)
from crawler.errors import FooterAuditError

app = typer.Typer(
    name="footer-audit",
    help="Audit Chinese websites' footers for ICP, 公安 and copyright filing marks.",
    no_args_is_help=True,
    # Plain help: typer's rich panels label every flag `<bool>` as if it took a value.
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("rules")(rules_cmd.rules)
app.command("check")(check_cmd.check)
app.command("crawl")(crawl_cmd.crawl)
app.command("run")(crawl_cmd.run)
app.command("snippet")(snippet_cmd.snippet)
app.command("serve")(serve_cmd.serve)
app.command("schedule")(schedule_cmd.schedule)
app.command("worker")(worker_cmd.worker)
app.add_typer(report_cmd.app, name="report")
app.add_typer(token_cmd.app, name="token")
app.add_typer(jobs_cmd.app, name="jobs")
app.add_typer(alerts_cmd.app, name="alerts")


def main() -> None:
    """Entry point: user errors become one line on stderr and their exit status.

    Typer runs in standalone mode: it prints bad usage itself (exit 2) and turns `typer.Exit(code)`
    into the exit status. Our own errors (`FooterAuditError`) carry their line and status.
    """
    try:
        app()
    except BrokenPipeError:
        # The reader closed the pipe (`footer-audit report export ... -o - | head`): stop
        # quietly, as tools killed by SIGPIPE do; the flush at exit must not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(128 + signal.SIGPIPE)
    except FooterAuditError as exc:
        console = Console(stderr=True)
        # A portfolio file's problems, one line each (all of them, so one edit fixes the file).
        for line in getattr(exc, "lines", None) or [str(exc)]:
            console.print(f"[bold red]error:[/] {line}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":  # `python -m crawler.app.cli`: how the job runner starts a crawl
    main()
