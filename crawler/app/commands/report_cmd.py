"""`footer-audit report ...`: stored runs: list, show, diff, export, screenshot, ack, prune,
reaudit, replay.

The store is named as in every command: `--store URL` (a `redis://` URL or a SQLite file; `--redis`
and `--db` are older spellings of it), else `$REDIS_URL`, else the embedded SQLite file
(`$FOOTER_AUDIT_DB`, default `$XDG_DATA_HOME/footer-audit/reports.sqlite3`). Every command first
writes what the journals of crawls that died (SIGKILL) hold and the store lacks, and marks runs
whose crawl died (killed, no heartbeat) `incomplete` (`crawler.reports.store.liveness`).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.app.commands.options import STORE_HELP
from crawler.errors import StoreError, UsageError
from crawler.reports.changes import (
    CHANGE_KINDS,
    NotCompared,
    diff_runs,
    listed_changes,
    previous_finished_run,
    reaudit_run,
)
from crawler.reports.lifecycle import Waiver
from crawler.reports.store import ReportStore, open_store, summarise_run
from crawler.reports.store.base import runs_to_prune, utc_now
from crawler.reports.store.liveness import mark_dead_runs
from crawler.reports.store.spool import (
    SpoolElsewhere,
    default_spool_dirs,
    read_header,
    recover_journals,
    replay_file,
)

__all__ = ["app"]

app = typer.Typer(help="Stored runs: list, show, diff, export, ack, prune, reaudit.",
                  no_args_is_help=True, rich_markup_mode=None)

RunRef = Annotated[str | None, typer.Argument(
    help="Run id (or a unique prefix); default: the latest run.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _store(ctx: typer.Context) -> ReportStore:
    """The store named by the group's options, opened once and closed when the command ends."""
    obj = ctx.ensure_object(dict)
    if obj.get("store") is None:
        store = open_store(obj.get("url"), prefix=obj.get("prefix"))
        try:
            store.ping()
        except StoreError:
            store.close()
            raise
        try:
            recover_journals(store, default_spool_dirs())
            from crawler.jobs.distributed import settle_open_runs

            obj["distributed"] = {p.run.id: p for p in settle_open_runs(store)}
            for run in mark_dead_runs(store):
                typer.echo(f"run {run.id} marked incomplete: {run.note}", err=True)
        except StoreError as exc:  # a store this command may only read: its runs stay as they are
            typer.echo(f"warning: dead runs not checked: {exc}", err=True)
        obj["store"] = store
        ctx.find_root().call_on_close(store.close)
    return obj["store"]


@app.callback()
def report(
    ctx: typer.Context,
    store: Annotated[str | None, typer.Option(
        "--store", "--redis", "--db", metavar="URL", help=STORE_HELP)] = None,
    prefix: Annotated[str | None, typer.Option(
        "--redis-prefix", envvar="FOOTER_AUDIT_REDIS_PREFIX",
        help="Namespace of the Redis keys (default footer-audit:).")] = None,
) -> None:
    """Stored runs: list, show, diff, export, ack, prune, reaudit."""
    ctx.obj = {"url": store, "prefix": prefix, "store": None}


def _console() -> Console:
    """A terminal's own width; piped output is not squeezed to 80 columns."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _out(console: Console, data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


def _day(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ")


@app.command("list")
def list_runs(
    ctx: typer.Context,
    portfolio: Annotated[str | None, typer.Option("--portfolio", help="Only this one.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 20,
    as_json: AsJson = False,
) -> None:
    """List stored runs, newest first."""
    runs = _store(ctx).list_runs(portfolio=portfolio, limit=limit)
    console = _console()
    if as_json:
        _out(console, [r.to_json() for r in runs])
        return
    if not runs:
        console.print("No runs stored yet.")
        return
    table = Table(box=None)
    for name in ("run", "portfolio", "trigger", "status", "started"):
        table.add_column(name, no_wrap=name != "portfolio")
    for name in ("pages", "violations", "errors"):
        table.add_column(name, justify="right")
    for r in runs:
        table.add_row(r.id, r.portfolio, r.trigger, r.status, _day(r.started),
                      str(r.counts.get("pages", "")), str(r.counts.get("violations", "")),
                      str(r.counts.get("error", "")))
    console.print(table)


@app.command()
def show(ctx: typer.Context, run_ref: RunRef = None, as_json: AsJson = False) -> None:
    """A run's summary: pages, violations per organisation and per rule, what changed."""
    store = _store(ctx)
    run = store.resolve_run(run_ref)
    summary = summarise_run(store, run.id)
    changes = diff_runs(store, run)
    console = _console()
    if as_json:
        _out(console, {"run": run.to_json(), "summary": summary, "changes": changes.to_json()})
        return
    console.print(f"[bold]{run.id}[/]  {run.portfolio} · {run.trigger} · [bold]{run.status}[/]"
                  f" · started {_day(run.started)} · finished {_day(run.finished) or '—'}"
                  f" · rules {run.rules_version or '?'} · footer-audit {run.tool_version}",
                  highlight=False)
    if run.note:
        console.print(f"[bold]{run.status}[/]: {run.note}", highlight=False, soft_wrap=True)
    progress = ctx.obj.get("distributed", {}).get(run.id)
    if progress is not None and run.status == "running":
        console.print(f"distributed: {progress.line()}", highlight=False)
    sev = summary["severity"]
    console.print(f"{summary['pages']} page(s) {summary['page_status']}; "
                  f"{summary['violations']} violation(s): {sev.get('error', 0)} error, "
                  f"{sev.get('warning', 0)} warning, {sev.get('info', 0)} info; "
                  f"{summary['waived']} waived (not counted)", highlight=False)
    against = changes.against or "no earlier finished run"
    console.print(f"Since {against}: " + ", ".join(
        f"{k.replace('_', ' ')} {v}" for k, v in changes.counts.items()), highlight=False)
    _say_not_compared(console, changes.not_compared)
    orgs = Table("organisation", "violations", "error", "warning", "info", box=None)
    for org, c in sorted(summary["by_org"].items(), key=lambda kv: -kv[1]["violations"]):
        orgs.add_row(org or "(none)", str(c["violations"]), str(c.get("error", 0)),
                     str(c.get("warning", 0)), str(c.get("info", 0)))
    rules = Table("rule", "severity", "violations", "sites", box=None)
    for code, c in sorted(summary["by_rule"].items(), key=lambda kv: -kv[1]["violations"]):
        rules.add_row(code, c["severity"], str(c["violations"]), str(c["sites"]))
    if summary["by_org"]:
        console.print(orgs)
        console.print(rules)


@app.command()
def diff(
    ctx: typer.Context,
    run_ref: RunRef = None,
    against_ref: Annotated[str | None, typer.Option(
        "--against", help="Compare with this run (default: the previous finished run).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows listed per kind (0: counts).")] = 50,
    as_json: AsJson = False,
) -> None:
    """What changed: new, regressed, fixed, still open, unverified and waived violations."""
    store = _store(ctx)
    run = store.resolve_run(run_ref)
    against = store.resolve_run(against_ref) if against_ref else previous_finished_run(store, run)
    changes = listed_changes(store, run, against, limit)
    counts, listed = changes["counts"], changes["violations"]
    skipped = NotCompared(**changes["not_compared"])
    console = _console()
    if as_json:
        _out(console, changes)
        return
    console.print(f"{run.id} against {against.id if against else 'no earlier finished run'}",
                  highlight=False)
    for r in (run, against):
        if r is not None and r.status != "finished":
            console.print(f"{r.id} is {r.status}" + (f": {r.note}" if r.note else ""),
                          highlight=False, soft_wrap=True)
    _say_not_compared(console, skipped)
    for kind in CHANGE_KINDS:
        console.print(f"[bold]{kind.replace('_', ' ')}[/]: {counts[kind]}", highlight=False)
        if kind == "still_open":
            continue
        for item in listed[kind]:
            console.print(f"  {item['site']}  {item['rule']}  {item['severity']}  "
                          f"{item['evidence'][:80]}", highlight=False, soft_wrap=True)
        if counts[kind] > len(listed[kind]) and listed[kind]:
            console.print(f"  … {counts[kind] - len(listed[kind])} more", highlight=False)


def _say_not_compared(console: Console, skipped: NotCompared) -> None:
    if skipped.sites or skipped.violations:
        console.print(f"not compared: {skipped.sites} site(s) audited in only one of the two "
                      f"runs ({skipped.violations} violation(s) of this run on sites the other "
                      "did not audit)", highlight=False)


@app.command()
def export(
    ctx: typer.Context,
    run_ref: RunRef = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="csv, json or html (default: from the file's suffix).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write, or - for standard output.")] = None,
) -> None:
    """Export a run to CSV (one row per violation), JSON, or a self-contained HTML report."""
    from crawler.reports.exports import EXPORTERS

    if output is None:
        raise UsageError("give the file to write with -o FILE (or -o - for standard output)")
    to_stdout = str(output) == "-"
    if to_stdout and not fmt:
        raise UsageError("-o -: give the format with --format csv|json|html")
    fmt = (fmt or output.suffix.lstrip(".")).lower()
    if fmt not in EXPORTERS:
        raise UsageError(f"--format {fmt!r}: use csv, json or html")
    store = _store(ctx)
    run = store.resolve_run(run_ref)
    try:
        n = EXPORTERS[fmt](store, run, sys.stdout if to_stdout else output)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): main() ends quietly
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    # On stderr when the export itself goes to stdout.
    typer.echo(f"{'standard output' if to_stdout else output}: {n} violation(s) of run {run.id}",
               err=to_stdout)


@app.command()
def ack(
    ctx: typer.Context,
    site: Annotated[str, typer.Argument(
        help="Host name, e.g. www.example.cn, or *.example.cn for the domain and every host "
             "under it.")],
    rule: Annotated[str, typer.Argument(help="Rule code, e.g. copyright_missing.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is accepted.")],
    until: Annotated[str | None, typer.Option(
        "--until", metavar="YYYY-MM-DD", help="The day the waiver lapses.")] = None,
    owner: Annotated[str, typer.Option("--owner", help="Who accepted it.")] = "",
    remove: Annotated[bool, typer.Option("--remove", help="Withdraw the waiver.")] = False,
) -> None:
    """Waive a rule on a site: listed apart, not counted, back on the day it lapses."""
    store = _store(ctx)
    site = site.strip().lower()
    if remove:
        if not store.delete_waiver(site, rule):
            raise UsageError(f"no waiver for {site} {rule}")
        typer.echo(f"waiver for {site} {rule} withdrawn")
        return
    try:
        until_day = date.fromisoformat(until) if until else None
    except ValueError as exc:
        raise UsageError(f"--until {until!r}: use YYYY-MM-DD") from exc
    if not reason.strip():
        raise UsageError("--reason must say why")
    store.put_waiver(Waiver(site, rule, reason.strip(), owner, until_day, created=utc_now()))
    typer.echo(f"waived {rule} on {site}" + (f" until {until_day}" if until_day else ""))


@app.command()
def waivers(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List waivers (expired ones marked)."""
    items = _store(ctx).list_waivers()
    console = _console()
    if as_json:
        _out(console, [w.to_json() | {"active": w.active()} for w in items])
        return
    table = Table("site", "rule", "reason", "owner", "until", "active", box=None)
    for w in items:
        table.add_row(w.site, w.rule, w.reason, w.owner, str(w.until or "—"),
                      "yes" if w.active() else "expired")
    console.print(table)


@app.command()
def prune(
    ctx: typer.Context,
    keep: Annotated[int | None, typer.Option("--keep", help="Keep the newest N runs.")] = None,
    days: Annotated[int | None, typer.Option("--days", help="Drop runs older than D days.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list them.")] = False,
) -> None:
    """Delete old runs: beyond the newest N per portfolio, or older than D days."""
    if keep is None and days is None:
        raise UsageError("give --keep N and/or --days D")
    if (keep is not None and keep < 1) or (days is not None and days < 0):
        raise UsageError("--keep must be 1 or more and --days 0 or more")
    store = _store(ctx)
    doomed = runs_to_prune(store.list_runs(), keep=keep, days=days)
    for run in doomed:
        if not dry_run:
            store.delete_run(run.id)
        typer.echo(f"{'would delete' if dry_run else 'deleted'} {run.id} ({run.portfolio}, "
                   f"{_day(run.started)})")
    typer.echo(f"{len(doomed)} run(s) {'to prune' if dry_run else 'pruned'}")


@app.command()
def reaudit(ctx: typer.Context, run_ref: RunRef = None, as_json: AsJson = False,
            limit: Annotated[int, typer.Option("--limit", help="Rows listed per kind.")] = 50,
            ) -> None:
    """Today's rules over a stored run's footer snapshots: what the rule change alone changes."""
    from rules import RULES_VERSION

    store = _store(ctx)
    run = store.resolve_run(run_ref)
    counts: Counter[str] = Counter()
    listed: dict[str, list[dict[str, Any]]] = {"added": [], "removed": []}
    for change in reaudit_run(store, run, counts):
        if len(listed[change.kind]) < limit:
            listed[change.kind].append(change.to_json())
    console = _console()
    result: dict[str, Any] = {
              "run": run.id, "rules_then": run.rules_version, "rules_now": RULES_VERSION,
              "counts": {k: counts.get(k, 0) for k in ("pages", "reaudited", "no_snapshot",
                                                       "added", "removed", "unchanged")},
              "changes": listed}
    if as_json:
        _out(console, result)
        return
    c = result["counts"]
    console.print(f"{run.id}: rules {run.rules_version or '?'} → {RULES_VERSION}; "
                  f"{c['reaudited']} of {c['pages']} page(s) re-audited "
                  f"({c['no_snapshot']} without a snapshot)", highlight=False)
    console.print(f"added {c['added']}, removed {c['removed']}, unchanged {c['unchanged']}",
                  highlight=False)
    for kind, sign in (("added", "+"), ("removed", "-")):
        for item in listed[kind]:
            console.print(f"  {sign} {item['site']}  {item['code']}  {item['evidence'][:80]}",
                          highlight=False, soft_wrap=True)


@app.command()
def screenshot(
    ctx: typer.Context,
    run_ref: Annotated[str, typer.Argument(
        help="Run id (or a unique prefix, or latest).")],
    url: Annotated[str, typer.Argument(help="The page's URL as crawled.")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write, or - for standard output.")] = None,
) -> None:
    """Write the evidence screenshot of one page: its footer as Chromium rendered it."""
    if output is None:
        raise UsageError("give the file to write with -o FILE (or -o - for standard output)")
    store = _store(ctx)
    run = store.resolve_run(run_ref)
    shot = store.get_screenshot(run.id, url)
    if shot is None:
        raise StoreError(f"no screenshot of {url} in run {run.id} (only rendered pages with "
                         "violations have one)")
    size = f"{shot.clip[2]}x{shot.clip[3]} px, " if len(shot.clip) == 4 else ""
    note = f"{shot.type}, {size}{len(shot.data)} bytes, of {url} in run {run.id}"
    if str(output) == "-":
        sys.stdout.buffer.write(shot.data)
        sys.stdout.buffer.flush()
        typer.echo(f"screenshot: {note}", err=True)
        return
    try:
        output.write_bytes(shot.data)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): main() ends quietly
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
    typer.echo(f"{output}: {note}")


@app.command()
def replay(
    ctx: typer.Context,
    spools: Annotated[list[Path], typer.Argument(help="Spool files (.jsonl) left by a run.")],
) -> None:
    """Write results kept in spool files while the store was unreachable (each only into the
    store it names)."""
    store = _store(ctx)
    refused = 0
    for path in spools:
        if not path.is_file():
            raise UsageError(f"no spool file {path}")
        try:
            # A file of an older version names no store: the one given here is the user's choice.
            pages = replay_file(path, store, any_store=read_header(path) is None)
        except SpoolElsewhere as exc:
            typer.echo(f"error: {exc}", err=True)
            refused += 1
            continue
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"spool {path} is damaged: {exc}") from exc
        if pages is None:
            typer.echo(f"{path}: a running crawl is still writing it; skipped")
        else:
            typer.echo(f"{path}: {pages} page(s) written")
    if refused:
        raise typer.Exit(StoreError.exit_code)
