"""HTML export: one self-contained file (inline CSS, JS and SVG; a Content-Security-Policy that
forbids any network access) with the run's summary per organisation and per rule, a chart of open
violations over the last runs, what changed since the previous finished run, a sortable and
filterable table of violations, waived violations apart, and each page's evidence: its marks, its
violations and, for rendered pages with violations, the screenshot of the footer as Chromium
showed it (an inline `data:` image).

Written in streaming passes over the store: counts first, then rows as they are read, so memory
stays flat; screenshots are read and encoded one page at a time. Change lists show at most
`CHANGE_LIST_LIMIT` entries per kind (counts are complete).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from datetime import date
from html import escape
from pathlib import Path
from typing import IO, Any

from crawler.reports.changes import CHANGE_KINDS, iter_changes, previous_finished_run
from crawler.reports.exports.rows import iter_export_rows
from crawler.reports.store.base import (
    ReportStore,
    Run,
    ViolationRow,
    active_waivers,
    normalise_url,
    summarise_run,
)

__all__ = ["CHANGE_LIST_LIMIT", "write_html"]

CHANGE_LIST_LIMIT = 200
CHART_RUNS = 12
_SEVERITY_ORDER = {"error": "0", "warning": "1", "info": "2"}
# Headings and labels: Chinese first, English beside (the readers are compliance officers).
_KIND_TITLES = {"new": "新增 New", "regressed": "复发 Regressed (reopened)",
                "still_open": "仍未修复 Still open", "fixed": "已修复 Fixed",
                "unverified": "消失，但网站未能审核 Gone, but the site could not be audited",
                "waived": "已豁免 Waived"}
_STATUS_LABELS = {"new": "新增 new", "open": "未修复 open"}
_TREND_TITLE = ("近几次运行的未解决违规", "Open violations over the last runs")
_CHANGES_TITLE = ("与上次运行相比的变化", "What changed since the last run")

_CSS = """
body{font:14px/1.45 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0 2rem 3rem;
color:#1d2330}
h1{margin:1.2rem 0 .3rem}h2{margin-top:2rem;border-bottom:1px solid #d5d9e0;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;width:100%}
th,td{border:1px solid #d5d9e0;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f1f3f6}thead th.sortable{cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
.meta{color:#566}.num{text-align:right}.sev-error{color:#b3261e;font-weight:600}
.en{color:#566;font-weight:normal;font-size:.9em}.sev-warning{color:#9a6700}.sev-info{color:#3b5bdb}.status-new{font-weight:600}
code,pre{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;margin:0}
.controls{display:flex;gap:.6rem;align-items:center;margin:.5rem 0}
.controls input{min-width:18rem;padding:.2rem .4rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d5d9e0;border-radius:6px;
padding:.5rem 1rem;min-width:7rem}.card b{display:block;font-size:1.4rem}
details{margin:.3rem 0}summary{cursor:pointer}
.evidence{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}.evidence ul{flex:1 1 24rem}
figure.shot{margin:.3rem 0;flex:0 1 auto;max-width:100%}
figure.shot img{max-width:100%;height:auto;border:1px solid #d5d9e0}
"""

_JS = """
(function () {
  "use strict";
  var table = document.getElementById("violations-table");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var text = document.getElementById("filter-text");
  var severity = document.getElementById("filter-severity");
  var status = document.getElementById("filter-status");
  var count = document.getElementById("filter-count");
  function haystack(row) {
    if (row._text === undefined) { row._text = row.textContent.toLowerCase(); }
    return row._text;
  }
  function apply() {
    var needle = text.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (row) {
      var ok = (!needle || haystack(row).indexOf(needle) !== -1) &&
        (!severity.value || row.getAttribute("data-severity") === severity.value) &&
        (!status.value || row.getAttribute("data-status") === status.value);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " / " + rows.length;
  }
  function key(row, col) {
    var cell = row.cells[col];
    var value = cell.getAttribute("data-sort");
    return value === null ? cell.textContent.trim() : value;
  }
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, col) {
    th.classList.add("sortable");
    th.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      rows.sort(function (a, b) {
        return dir * key(a, col).localeCompare(key(b, col), "zh-CN", {numeric: true});
      });
      var frag = document.createDocumentFragment();
      rows.forEach(function (row) { frag.appendChild(row); });
      tbody.appendChild(frag);
    });
  });
  [text, severity, status].forEach(function (el) {
    el.addEventListener(el === text ? "input" : "change", apply);
  });
  apply();
})();
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _short_time(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ")


def _bi(zh: str, en: str) -> str:
    """A label in Chinese with its English beside (both plain text, escaped here)."""
    return f'{_e(zh)} <span class=en>{_e(en)}</span>'


def _chart(points: list[tuple[str, int]]) -> str:
    """Bars of open violations per run, oldest left, as inline SVG. Each bar is labelled with
    its run's date, and with the time (UTC) as well when several runs share that date."""
    if not points:
        return f"<p class=meta>{_bi('尚无已结束的运行', 'No closed runs yet.')}</p>"
    per_day: dict[str, int] = {}
    for label, _ in points:
        per_day[label[:10]] = per_day.get(label[:10], 0) + 1
    width, height, pad = 720, 220, 36
    top = max(v for _, v in points) or 1
    step = (width - 2 * pad) / len(points)
    bar = max(step * 0.6, 4)
    parts = [f'<svg id="trend-chart" role="img" aria-label="{_TREND_TITLE[0]} {_TREND_TITLE[1]}" '
             f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
             f'stroke="#889"/>']
    for i, (label, value) in enumerate(points):
        h = (height - 2 * pad) * value / top
        x = pad + i * step + (step - bar) / 2
        y = height - pad - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                     f'fill="#4263eb"><title>{_e(_short_time(label))} UTC: {value}</title>'
                     "</rect>")
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" font-size="11" '
                     f'text-anchor="middle">{value}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - pad + 14}" font-size="10" '
                     f'text-anchor="middle" class="day">{_e(label[5:10])}</text>')
        if per_day[label[:10]] > 1:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - pad + 26}" font-size="10" '
                         f'text-anchor="middle" class="time">{_e(label[11:16])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _trend(store: ReportStore, run: Run, current_open: int) -> list[tuple[str, int]]:
    runs = [r for r in store.list_runs(portfolio=run.portfolio)
            if r.started <= run.started and (r.status != "running" or r.id == run.id)]
    points = []
    for r in reversed(runs[:CHART_RUNS]):
        value = current_open if r.id == run.id else r.counts.get("violations", 0)
        points.append((r.started, value))
    return points


def _page_anchor(url_key: str) -> str:
    """The id of a page's evidence section (URLs make poor ids)."""
    return "page-" + hashlib.sha1(url_key.encode("utf-8")).hexdigest()[:12]


def _row_cells(r: ViolationRow) -> str:
    evidence = f"<code>{_e(r.evidence)}</code>" if r.evidence else ""
    if r.html:
        evidence += f"<details><summary>HTML</summary><pre>{_e(r.html)}</pre></details>"
    if r.href:
        evidence += f'<div class=meta>href: <code>{_e(r.href)}</code></div>'
    evidence += (f'<div class=meta><a href="#{_page_anchor(r.url_key)}">页面证据 page evidence'
                 "</a></div>")
    return (f"<td>{_e(r.org)}</td><td>{_e(r.owner)}</td><td>{_e(r.site)}</td>"
            f"<td><code>{_e(r.url)}</code></td><td><code>{_e(r.code)}</code></td>"
            f'<td class="sev-{_e(r.severity)}" data-sort="{_SEVERITY_ORDER.get(r.severity, "3")}">'
            f"{_e(r.severity)}</td><td>{_e(r.message_zh)}<div class=meta>{_e(r.message)}</div>"
            f"</td><td>{evidence}</td>")


_TABLE_HEAD = ("<thead><tr>" + "".join(f"<th>{_bi(zh, en)}</th>" for zh, en in (
    ("组织", "Organisation"), ("负责人", "Owner"), ("网站", "Site"), ("网址", "URL"),
    ("规则", "Rule"), ("级别", "Severity"), ("说明", "Message"), ("证据", "Evidence"),
    ("首次发现", "First seen"), ("状态", "Status"))) + "</tr></thead>")


def _summary_tables(summary: dict[str, Any]) -> Iterable[str]:
    sev = summary["severity"]
    cards = [("页面", "Pages", summary["pages"]), ("违规", "Violations", summary["violations"]),
             ("错误", "Errors", sev.get("error", 0)), ("警告", "Warnings", sev.get("warning", 0)),
             ("提示", "Info", sev.get("info", 0)), ("已豁免", "Waived", summary["waived"])]
    yield '<div class="cards">' + "".join(
        f'<div class="card">{_bi(zh, en)}<b>{v}</b></div>' for zh, en, v in cards) + "</div>"
    statuses = ", ".join(f"{_e(k)}: {v}" for k, v in sorted(summary["page_status"].items()))
    yield f"<p class=meta>各状态页面数 Pages by status: {statuses or '无 none'}</p>"
    yield (f'<h3>{_bi("按组织", "By organisation")}</h3><table id="by-org"><thead><tr>'
           f'<th>{_bi("组织", "Organisation")}</th><th class=num>{_bi("违规", "Violations")}</th>'
           f'<th class=num>{_bi("错误", "Errors")}</th><th class=num>{_bi("警告", "Warnings")}'
           f'</th><th class=num>{_bi("提示", "Info")}</th></tr></thead><tbody>')
    for org, c in sorted(summary["by_org"].items(), key=lambda kv: -kv[1]["violations"]):
        yield (f"<tr><td>{_e(org or '(无 none)')}</td><td class=num>{c['violations']}</td>"
               f"<td class=num>{c.get('error', 0)}</td><td class=num>{c.get('warning', 0)}</td>"
               f"<td class=num>{c.get('info', 0)}</td></tr>")
    yield (f'</tbody></table><h3>{_bi("按规则", "By rule")}</h3><table id="by-rule"><thead>'
           f'<tr><th>{_bi("规则", "Rule")}</th><th>{_bi("级别", "Severity")}</th>'
           f'<th class=num>{_bi("违规", "Violations")}</th><th class=num>{_bi("网站", "Sites")}'
           "</th></tr></thead><tbody>")
    for code, c in sorted(summary["by_rule"].items(), key=lambda kv: -kv[1]["violations"]):
        yield (f"<tr><td><code>{_e(code)}</code></td><td class=\"sev-{_e(c['severity'])}\">"
               f"{_e(c['severity'])}</td><td class=num>{c['violations']}</td>"
               f"<td class=num>{c['sites']}</td></tr>")
    yield "</tbody></table>"


def _changes(store: ReportStore, run: Run, against: Run | None,
             today: date | None) -> Iterable[str]:
    counts = dict.fromkeys(CHANGE_KINDS, 0)
    shown: dict[str, list[ViolationRow]] = {k: [] for k in CHANGE_KINDS}
    for kind, row in iter_changes(store, run, against, today):
        counts[kind] += 1
        if len(shown[kind]) < CHANGE_LIST_LIMIT:
            shown[kind].append(row)
    base = (f"上一次已完成的运行 <code>{_e(against.id)}</code>（{_e(_short_time(against.started))}"
            f"） <span class=en>the previous finished run</span>" if against
            else "没有更早的已完成运行 <span class=en>no earlier finished run</span>")
    yield f"<p>对比 <span class=en>Compared with</span> {base}</p><ul id=change-counts>"
    for kind in CHANGE_KINDS:
        yield f'<li data-kind="{kind}">{_e(_KIND_TITLES[kind])}: <b>{counts[kind]}</b></li>'
    yield "</ul>"
    for kind in ("new", "regressed", "fixed", "unverified"):
        if not shown[kind]:
            continue
        more = counts[kind] - len(shown[kind])
        yield f"<details><summary>{_e(_KIND_TITLES[kind])} ({counts[kind]})</summary><ul>"
        for r in shown[kind]:
            yield (f"<li>{_e(r.site)} · <code>{_e(r.code)}</code> · {_e(r.message_zh)}"
                   f"{' · <code>' + _e(r.evidence) + '</code>' if r.evidence else ''}</li>")
        if more > 0:
            yield (f"<li class=meta>…… 另有 {more} 条（见 CSV 或 JSON 导出） "
                   f"and {more} more (see the CSV or JSON export)</li>")
        yield "</ul></details>"


def _screenshot(store: ReportStore, run_id: str, page: dict[str, Any]) -> str:
    """The page's footer screenshot as an inline image (empty when it has none)."""
    if not page.get("screenshot") or not page.get("url"):
        return ""
    shot = store.get_screenshot(run_id, page["url"])
    if shot is None or shot.type not in ("image/jpeg", "image/png"):
        return ""
    clip = shot.clip if len(shot.clip) == 4 else [0, 0, 0, 0]
    size = f' width="{int(clip[2])}" height="{int(clip[3])}"' if clip[2] and clip[3] else ""
    return (f'<figure class="shot"><img alt="渲染后的页脚 footer as rendered" loading="lazy"{size} '
            f'src="data:{shot.type};base64,{base64.b64encode(shot.data).decode("ascii")}">'
            f"<figcaption class=meta>Chromium 渲染的页脚 The footer as Chromium rendered it "
            f"(x {clip[0]}, y {clip[1]}, {clip[2]}x{clip[3]} px)</figcaption></figure>")


def _page_evidence(page: dict[str, Any], shot: str = "") -> str:
    findings = page.get("findings") or {}
    items = []
    for mark in findings.get("icp") or []:
        items.append(f"ICP <b>{_e(mark.get('number'))}</b> ({_e(mark.get('kind'))}"
                     f"{', 格式错误 invalid' if not mark.get('valid', True) else ''}) 链接 link: "
                     f"<code>{_e(mark.get('link') or 'none')}</code>"
                     + (f"<pre>{_e(mark.get('evidence'))}</pre>" if mark.get("evidence") else ""))
    for mark in findings.get("gongan") or []:
        items.append(f"公安 <b>{_e(mark.get('number'))}</b> 链接 link: "
                     f"<code>{_e(mark.get('link') or 'none')}</code>"
                     f" 图标 badge: {'有 yes' if mark.get('icon') else '无 no'}")
    for line in findings.get("copyright") or []:
        items.append(f"© {_e(line.get('text'))}")
    for lic in findings.get("licences") or []:
        items.append(f"许可证 licence {_e(lic.get('number'))} ({_e(lic.get('kind'))})")
    for review in page.get("review") or []:
        items.append(f"需人工复核 needs review: <code>{_e(review.get('code'))}</code> "
                     f"{_e(review.get('message_zh') or review.get('reason'))}")
    if page.get("error"):
        items.append(f"错误 error: {_e(page['error'])}")
    for v in page.get("violations") or []:
        fix = "".join(f"<div class=meta>{label} {_e(v[key])}</div>"
                      for key, label in (("fix_zh", "修改："), ("fix", "fix:")) if v.get(key))
        items.append(f'违规 violation <code>{_e(v.get("code"))}</code> '
                     f'<span class="sev-{_e(v.get("severity"))}">{_e(v.get("severity"))}</span>'
                     + (f' <code>{_e(v.get("evidence"))}</code>' if v.get("evidence") else "")
                     + fix)
    body = "".join(f"<li>{i}</li>" for i in items) or \
        "<li class=meta>未发现备案标识 no marks found</li>"
    anchor = _page_anchor(normalise_url(page["url"])) if page.get("url") else ""
    return (f'<details class="page" id="{anchor}"><summary><code>{_e(page.get("url"))}</code> · '
            f'{_e(page.get("status"))} · {len(page.get("violations") or [])} 项违规 violation(s)'
            f'{" · 截图 screenshot" if shot else ""}</summary>'
            f'<div class="evidence"><ul>{body}</ul>{shot}</div></details>')


def write_html(store: ReportStore, run: Run, out: str | Path | IO[str], *,
               today: date | None = None) -> int:
    """Write the run's HTML report; returns the number of violations listed (waived apart)."""
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8") as fh:
            return write_html(store, run, fh, today=today)
    against = previous_finished_run(store, run)
    summary = summarise_run(store, run.id, active_waivers(store, today))
    w = out.write
    w('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
      '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
      '<meta name="viewport" content="width=device-width, initial-scale=1">'
      f"<title>页脚备案审核报告 footer-audit report {_e(run.id)}</title><style>{_CSS}</style>"
      "</head><body>")
    w(f"<h1>{_bi('页脚备案审核报告', 'Footer audit report')}：{_e(run.portfolio)}</h1>"
      f"<p class=meta>运行 Run <code>{_e(run.id)}</code> · {_e(run.trigger)} · {_e(run.status)}"
      f" · 开始 started {_e(_short_time(run.started))} UTC"
      f" · 结束 finished {_e(_short_time(run.finished) or '—')}"
      f" · 规则 rules {_e(run.rules_version or '?')} · footer-audit {_e(run.tool_version)}</p>")
    w(f'<section id="summary"><h2>{_bi("摘要", "Summary")}</h2>')
    for part in _summary_tables(summary):
        w(part)
    w(f'</section><section id="trend"><h2>{_bi(*_TREND_TITLE)}</h2>')
    w(_chart(_trend(store, run, summary["violations"])))
    w(f'</section><section id="changes"><h2>{_bi(*_CHANGES_TITLE)}</h2>')
    for part in _changes(store, run, against, today):
        w(part)
    w(f'</section><section id="violations"><h2>{_bi("违规", "Violations")}</h2>'
      '<div class="controls">'
      '<input id="filter-text" type="search" placeholder="筛选 Filter: 网站、规则、文字 site, '
      'rule, text…" aria-label="筛选违规 Filter violations">'
      '<select id="filter-severity" aria-label="级别 Severity"><option value="">全部级别 All '
      'severities</option><option value="error">错误 error</option><option value="warning">警告 '
      'warning</option><option value="info">提示 info</option></select>'
      '<select id="filter-status" aria-label="状态 Status"><option value="">新增和未修复 New and '
      'open</option><option value="new">新增 new</option><option value="open">未修复 open</option>'
      "</select>"
      '<span id="filter-count" class="meta"></span></div>'
      f'<table id="violations-table">{_TABLE_HEAD}<tbody>')
    listed = 0
    for item in iter_export_rows(store, run, against=against, today=today):
        if item.status == "waived":
            continue
        r = item.row
        w(f'<tr data-severity="{_e(r.severity)}" data-status="{item.status}">{_row_cells(r)}'
          f"<td>{_e(_short_time(item.first_seen))}</td>"
          f'<td class="status-{item.status}">{_STATUS_LABELS.get(item.status, item.status)}'
          "</td></tr>\n")
        listed += 1
    w("</tbody></table></section>")
    if summary["waived"]:
        waivers = {(x.site, x.rule): x for x in active_waivers(store, today).values()}
        w(f'<section id="waived"><h2>已豁免（{summary["waived"]}，不计入） <span class=en>Waived '
          f'({summary["waived"]}, not counted)</span></h2><table id="waived-table"><thead><tr>'
          + "".join(f"<th>{_bi(zh, en)}</th>" for zh, en in (
              ("网站", "Site"), ("规则", "Rule"), ("证据", "Evidence"), ("原因", "Reason"),
              ("负责人", "Owner"), ("有效期至", "Until"))) + "</tr></thead><tbody>")
        for item in iter_export_rows(store, run, against=against, today=today):
            if item.status != "waived":
                continue
            r, wv = item.row, waivers[(item.row.site, item.row.code)]
            w(f"<tr><td>{_e(r.site)}</td><td><code>{_e(r.code)}</code></td>"
              f"<td><code>{_e(r.evidence)}</code></td><td>{_e(wv.reason)}</td>"
              f"<td>{_e(wv.owner)}</td><td>{_e(wv.until or '长期 no expiry')}</td></tr>\n")
        w("</tbody></table></section>")
    w(f'<section id="pages"><h2>页面（{summary["pages"]}）及其证据 <span class=en>Pages '
      f'({summary["pages"]}) and their evidence</span></h2>')
    for page in store.iter_pages(run.id):
        w(_page_evidence(page, _screenshot(store, run.id, page)))
    w(f"</section><script>{_JS}</script></body></html>\n")
    return listed
