"""`footer-audit check URL_OR_FILE`: audit one page now and print the verdict.

Exit status: 0 no error-severity violation, 1 at least one, 2 bad usage or input, 3 the page could
not be fetched (dead host, TLS error, HTTP error, non-HTML, empty page, timeout, too large,
redirect loop).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape

from crawler.errors import FetchError
from crawler.fetch.limits import DEFAULT_TIMEOUT
from crawler.launch.expectations import valid_gongan_code, valid_icp, valid_province
from crawler.render.fonts import cjk_font_warning
from crawler.render.modes import RenderMode
from rules.model import FETCH_FAILURES, Expectations, PageStatus

__all__ = ["check", "print_report"]

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
# Violations of these rules are about the marks themselves: the snippet command shows them right.
_SNIPPET_TAGS = frozenset({"icp", "gongan", "copyright", "format", "link"})
_NOT_SNIPPET_TAGS = frozenset({"layout", "portfolio", "app", "rendered"})


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
    render: Annotated[RenderMode | None, typer.Option(
        help="Render in Chromium: always (default when a browser is found), auto (only when "
             "the static HTML needs it), never.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the check JSON (docs/check.md) and nothing else.")] = False,
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
    allow_network: Annotated[list[str] | None, typer.Option(
        "--allow-network", metavar="CIDR",
        help="Let redirects and page resources reach this private or reserved address range "
             "(repeatable; the page's own host is always allowed).")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Log the crawl (INFO) on stderr; otherwise only the verdict.")
    ] = False,
) -> None:
    """Audit one page's footer for ICP, 公安 and copyright marks."""
    from crawler.launch.check import check_pages, choose_render  # Scrapy: only when a check runs

    province, expect_icp = valid_province(province), valid_icp(expect_icp)
    expect_gongan = valid_gongan_code(expect_gongan)
    mode, notice = choose_render(render)
    notice = notice or cjk_font_warning(mode != RenderMode.NEVER)
    if notice:
        Console(stderr=True).print(notice, highlight=False, soft_wrap=True)
    expect = Expectations(
        org=org, province=province, expected_icp=expect_icp,
        expected_gongan=expect_gongan,
        gongan_required=bool(expect_gongan),
    )
    # Without -v nothing but the verdict: what went wrong is in the result's one-line error.
    (record,) = check_pages([target], expect, render=mode, timeout=timeout, resolve=resolve,
                            user_agent=user_agent, log_level="INFO" if verbose else "ERROR",
                            allow_networks=allow_network or ())
    result = record.to_json()
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        sys.stdout.flush()
    elif record.status not in FETCH_FAILURES:
        print_report(result, Console(soft_wrap=True), expect)
    if record.status in FETCH_FAILURES:
        raise FetchError(f"could not fetch {record.url}: {record.error} ({record.status})")
    if any(v.severity == "error" for v in record.violations):
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


def _fix_lines(fix_zh: str, fix_en: str) -> list[str]:
    """修改 / fix lines; a code sample both end with is printed once, on its own line."""
    zh_head, _, zh_tail = fix_zh.rpartition("：")
    en_head, _, en_tail = fix_en.rpartition(": ")
    if zh_head and en_head and zh_tail.strip() == en_tail.strip():
        return [f"[green]修改:[/] {escape(zh_head)}", f"[green]fix:[/] {escape(en_head)}",
                f"  {escape(en_tail.strip())}"]
    return ([f"[green]修改:[/] {escape(fix_zh)}"] if fix_zh else []) + \
        ([f"[green]fix:[/] {escape(fix_en)}"] if fix_en else [])


def _about_marks(code: str) -> bool:
    from rules.registry import get_rule

    rule = get_rule(code)
    return rule is not None and bool(_SNIPPET_TAGS & set(rule.tags)) \
        and not _NOT_SNIPPET_TAGS & set(rule.tags)


def _snippet_hint(result: dict[str, Any], expect: Expectations) -> str:
    """The `footer-audit snippet` command for this site, from the expectations, else from the
    well-formed marks the page shows."""
    from rules.data import GONGAN_CODE, region_by_icp_prefix, resolve_province
    from rules.snippet import snippet_command

    findings = result.get("findings", {})
    province = resolve_province(expect.province)
    # Never propose a number from another province than the subject's: it is the wrong one.
    icp = expect.expected_icp or next(
        (m["number"] for m in findings.get("icp", [])
         if m.get("valid") and m.get("kind") in ("site", "subject")
         and (province is None or region_by_icp_prefix(m.get("region")) == province)), None)
    gongan = expect.expected_gongan or next(
        (m["code"] for m in findings.get("gongan", [])
         if m.get("valid") and GONGAN_CODE.fullmatch(m.get("code") or "")), None)
    return snippet_command(expect.org, icp, gongan, expect.province)


def print_report(result: dict[str, Any], console: Console,
                 expect: Expectations | None = None) -> None:
    """The human-readable report of one check result (`expect`: what the command line said)."""
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
    console.print("[bold]备案标识 Marks found[/]" if marks
                  else "[bold]备案标识 Marks found:[/] none")
    for line in marks:
        console.print(line, highlight=False)
    # Errors first, then warnings, then info; the catalogue order within a severity.
    violations = sorted(result.get("violations", []),
                        key=lambda v: _SEVERITY_RANK.get(v["severity"], 3))
    if violations:
        console.print(f"[bold]违规 Violations ({len(violations)})[/]")
    for v in violations:
        style = _SEVERITY_STYLE.get(v["severity"], "")
        console.print(f"  [{style}]{v['severity'].upper():<7}[/] [bold]{v['code']}[/]",
                      highlight=False)
        console.print(f"          {escape(v['message_zh'])}", highlight=False)
        console.print(f"          {escape(v['message'])}", highlight=False)
        if v.get("evidence"):
            console.print(f"          [dim]evidence:[/] {escape(v['evidence'])}", highlight=False)
        for line in _fix_lines(v.get("fix_zh", ""), v.get("fix", "")):
            console.print(f"          {line}", highlight=False)
        console.print(f"          [dim]详情 more:[/] footer-audit rules {v['code']}",
                      highlight=False)
    if any(_about_marks(v["code"]) for v in violations):
        console.print("[bold]合规页脚 Compliant footer:[/] "
                      + escape(_snippet_hint(result, expect or Expectations())), highlight=False)
    reviews = result.get("review", [])
    if reviews:
        console.print(f"[bold]需人工复核 Needs review ({len(reviews)})[/]")
    for r in reviews:
        console.print(f"  [magenta]{r['code']}[/] ({r['reason']}): {escape(r['message'])}",
                      highlight=False)
    if result.get("error"):
        console.print(f"[dim]note:[/] {escape(result['error'])}", highlight=False)
    console.print(_verdict(result), highlight=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _verdict(result: dict[str, Any]) -> str:
    counts = {s: sum(v["severity"] == s for v in result.get("violations", []))
              for s in ("error", "warning", "info")}
    tally = (f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, "
             f"{counts['info']} info")
    status = result.get("status")
    # Undecidable pages say so first: their static violations may be what rendering would fix.
    if status == PageStatus.NEEDS_RENDERING:
        return ("[bold magenta]UNDECIDED[/]: the page needs rendering to be judged; its static "
                f"HTML shows {tally}")
    if counts["error"]:
        return f"[bold red]FAIL[/]: {tally} (status {status})"
    if status == PageStatus.NEEDS_REVIEW:
        return f"[bold magenta]NEEDS REVIEW[/]: some rules could not decide ({tally})"
    return f"[bold green]PASS[/]: {tally}"
