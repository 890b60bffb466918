"""`footer-audit check URL_OR_FILE`: audit one page now and print the verdict.

Exit status: 0 no error-severity violation, 1 at least one, 2 bad usage or input, 3 the page could
not be fetched (dead host, TLS error, HTTP error, non-HTML, empty page, timeout, too large,
redirect loop).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from crawler.check import DEFAULT_TIMEOUT, check_pages, choose_render
from crawler.errors import FetchError, UsageError
from crawler.fetch_status import FETCH_FAILURES
from rules.model import Expectations

__all__ = ["check", "print_report"]

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_GONGAN_CODE = re.compile(r"^\d{14}$")


def check(
    target: Annotated[str, typer.Argument(
        metavar="URL_OR_FILE",
        help="A URL, a bare domain (https, then http) or a local HTML file.")],
    org: Annotated[str | None, typer.Option(
        help="The filing subject (主办单位) the copyright line should name.")] = None,
    province: Annotated[str | None, typer.Option(
        help="The filing subject's province: 北京, 广东... or 京, 粤...")] = None,
    expect_icp: Annotated[str | None, typer.Option(
        "--expect-icp", metavar="N", help="The ICP number the page must show.")] = None,
    expect_gongan: Annotated[str | None, typer.Option(
        "--expect-gongan", metavar="CODE",
        help="The 14-digit 公安 filing code the page must show.")] = None,
    render: Annotated[str | None, typer.Option(
        metavar="auto|always|never",
        help="Render in Chromium: always (default when a browser is found), auto (only when "
             "the static HTML needs it), never.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the check JSON (RULES.md section 4) and nothing else.")] = False,
    timeout: Annotated[float, typer.Option(
        metavar="S", help="Seconds to wait for the page (and for its rendering).")
    ] = DEFAULT_TIMEOUT,
    user_agent: Annotated[str | None, typer.Option(
        "--user-agent", metavar="UA", help="Send this User-Agent instead of footer-audit's.")
    ] = None,
    resolve: Annotated[list[str] | None, typer.Option(
        "--resolve", metavar="HOST:ADDRESS[:PORT]",
        help="Connect to ADDRESS (and PORT) for HOST, keeping the URL (repeatable; `*.zone`, "
             "`*`).")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Log the crawl (INFO) on stderr; otherwise only the verdict.")
    ] = False,
) -> None:
    """Audit one page's footer for ICP, 公安 and copyright marks."""
    if expect_gongan is not None and not _GONGAN_CODE.match(expect_gongan.strip()):
        raise UsageError(f"--expect-gongan must be 14 digits, not {expect_gongan!r}")
    mode, notice = choose_render(render)
    if notice:
        Console(stderr=True).print(notice, highlight=False, soft_wrap=True)
    expect = Expectations(
        org=org, province=province, expected_icp=expect_icp,
        expected_gongan=expect_gongan.strip() if expect_gongan else None,
        gongan_required=bool(expect_gongan),
    )
    # Without -v nothing but the verdict: what went wrong is in the result's one-line error.
    (result,) = check_pages([target], expect, render=mode, timeout=timeout, resolve=resolve,
                            user_agent=user_agent, log_level="INFO" if verbose else "ERROR")
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
    elif result["status"] not in FETCH_FAILURES:
        print_report(result, Console(soft_wrap=True))
    if result["status"] in FETCH_FAILURES:
        raise FetchError(f"could not fetch {result['url']}: {result['error']} "
                         f"({result['status']})")
    if any(v["severity"] == "error" for v in result["violations"]):
        raise typer.Exit(1)


def _mark_line(kind: str, mark: dict[str, Any]) -> str:
    facts = []
    if "valid" in mark and not mark["valid"]:
        facts.append("[red]malformed[/]")
    if mark.get("link"):
        facts.append(f"link {escape(mark['link'])}")
    elif kind in ("ICP", "公安"):
        facts.append("[red]not linked[/]")
    if kind == "公安":
        facts.append("badge" if mark.get("icon") else "[yellow]no badge[/]")
    if mark.get("visible") is False:
        facts.append("[red]hidden[/]")
    if mark.get("in_footer") is False:
        facts.append("outside the footer")
    label = mark.get("number") or mark.get("text") or ""
    pad = " " * max(0, 4 - cell_len(kind))  # 公安 is two cells wide per character
    return f"  {kind}{pad} {escape(label)}  " + ", ".join(facts)


def print_report(result: dict[str, Any], console: Console) -> None:
    """The human-readable report of one check result."""
    where = escape(result["url"])
    if result.get("final_url") and result["final_url"] != result["url"]:
        where += f" → {escape(result['final_url'])}"
    how = [f"HTTP {result.get('http_status')}", result.get("encoding") or "?",
           "rendered" if result.get("rendered") else "static"]
    console.print(f"[bold]{where}[/]  ({', '.join(how)})", highlight=False)
    if result.get("redirect_chain"):
        console.print("  redirects: " + " → ".join(escape(u) for u in result["redirect_chain"]),
                      highlight=False)
    findings = result.get("findings", {})
    marks = (
        [_mark_line("ICP", m) for m in findings.get("icp", [])]
        + [_mark_line("公安", m) for m in findings.get("gongan", [])]
        + [f"  ©    {escape(c['text'])}" for c in findings.get("copyright", [])]
        + [f"  许可 {escape(lic['number'])} ({lic['kind']})"
           for lic in findings.get("licences", [])]
    )
    console.print("[bold]Marks found[/]" if marks else "[bold]Marks found:[/] none")
    for line in marks:
        console.print(line, highlight=False)
    violations = result.get("violations", [])
    if violations:
        console.print(f"[bold]Violations ({len(violations)})[/]")
    for v in violations:
        style = _SEVERITY_STYLE.get(v["severity"], "")
        console.print(f"  [{style}]{v['severity'].upper():<7}[/] [bold]{v['code']}[/]",
                      highlight=False)
        console.print(f"          {escape(v['message_zh'])}", highlight=False)
        console.print(f"          {escape(v['message'])}", highlight=False)
        if v.get("evidence"):
            console.print(f"          [dim]evidence:[/] {escape(v['evidence'])}", highlight=False)
    reviews = result.get("review", [])
    if reviews:
        console.print(f"[bold]Needs review ({len(reviews)})[/]")
    for r in reviews:
        console.print(f"  [magenta]{r['code']}[/] ({r['reason']}): {escape(r['message'])}",
                      highlight=False)
    if result.get("error"):
        console.print(f"[dim]note:[/] {escape(result['error'])}", highlight=False)
    console.print(_verdict(result), highlight=False)


def _verdict(result: dict[str, Any]) -> str:
    counts = {s: sum(v["severity"] == s for v in result.get("violations", []))
              for s in ("error", "warning", "info")}
    tally = f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
    status = result.get("status")
    # Undecidable pages say so first: their static violations may be what rendering would fix.
    if status == "needs_rendering":
        return ("[bold magenta]UNDECIDED[/]: the page needs rendering to be judged; its static "
                f"HTML shows {tally}")
    if counts["error"]:
        return f"[bold red]FAIL[/]: {tally} (status {status})"
    if status == "needs_review":
        return f"[bold magenta]NEEDS REVIEW[/]: some rules could not decide ({tally})"
    return f"[bold green]PASS[/]: {tally}"
