"""HTML export: one self-contained file (inline CSS, JS and SVG; a Content-Security-Policy that
forbids any network access) with the run's summary per organisation and per rule, a chart of open
violations over the last runs, what changed since the previous finished run, a sortable and
filterable table of violations, waived violations apart, and each page's evidence: its marks, its
violations and, for rendered pages with violations, the screenshot of the footer as Chromium
showed it (an inline `data:` image).

The page is the template `templates/report.html.j2` (Jinja2, autoescaped:
`crawler.reports.exports.templating`); this module gathers what it shows. It streams: the template
is rendered part by part (`Template.generate()`) while violation rows and pages are read from the
store in batches, so memory stays flat; screenshots are read and encoded one page at a time.
Change lists show at most `CHANGE_LIST_LIMIT` entries per kind (counts are complete).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from crawler.reports.changes import CHANGE_KINDS, iter_changes, previous_finished_run
from crawler.reports.exports.rows import ExportRow, iter_export_rows
from crawler.reports.exports.templating import environment, page_anchor
from crawler.reports.lifecycle import Waiver, waiver_for
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
TEMPLATE = "report.html.j2"


class _Lookup(dict[str, str]):
    """A table the template subscripts (`t[key]`, cheaper than a call per row), with a fallback
    for keys it does not list."""

    def __init__(self, items: dict[str, str], fallback: str | None = None) -> None:
        super().__init__(items)
        self.fallback = fallback

    def __missing__(self, key: str) -> str:
        return key if self.fallback is None else self.fallback


# The sort key of the severity column: errors first, unknown severities last.
_SEVERITY_ORDER = _Lookup({"error": "0", "warning": "1", "info": "2"}, fallback="3")
_KIND_TITLES = {"new": "新增 New", "regressed": "复发 Regressed (reopened)",
                "still_open": "仍未修复 Still open", "fixed": "已修复 Fixed",
                "unverified": "消失，但网站未能审核 Gone, but the site could not be audited",
                "waived": "已豁免 Waived"}
_STATUS_LABELS = _Lookup({"new": "新增 new", "open": "未修复 open"})


@dataclass(frozen=True)
class _Bar:
    started: str  # the run's start time (ISO UTC)
    value: int
    x: float
    y: float
    height: float
    middle: float  # where its labels are centred
    show_time: bool  # another run started the same day: label the time as well


@dataclass(frozen=True)
class _Chart:
    """Bars of open violations per run, oldest left, drawn as inline SVG."""

    bars: list[_Bar]
    bar_width: float
    width: int = 720
    height: int = 220
    pad: int = 36

    @property
    def base(self) -> int:
        return self.height - self.pad


def _chart(points: list[tuple[str, int]]) -> _Chart | None:
    if not points:
        return None
    per_day: dict[str, int] = {}
    for started, _ in points:
        per_day[started[:10]] = per_day.get(started[:10], 0) + 1
    width, height, pad = _Chart.width, _Chart.height, _Chart.pad
    top = max(v for _, v in points) or 1
    step = (width - 2 * pad) / len(points)
    bar = max(step * 0.6, 4)
    bars = []
    for i, (started, value) in enumerate(points):
        h = (height - 2 * pad) * value / top
        x = pad + i * step + (step - bar) / 2
        bars.append(_Bar(started, value, x, height - pad - h, h, x + bar / 2,
                         per_day[started[:10]] > 1))
    return _Chart(bars, bar)


def _trend(store: ReportStore, run: Run, current_open: int) -> list[tuple[str, int]]:
    runs = [r for r in store.list_runs(portfolio=run.portfolio)
            if r.started <= run.started and (r.status != "running" or r.id == run.id)]
    points = []
    for r in reversed(runs[:CHART_RUNS]):
        value = current_open if r.id == run.id else r.counts.get("violations", 0)
        points.append((r.started, value))
    return points


@dataclass
class _Changes:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANGE_KINDS, 0))
    shown: dict[str, list[ViolationRow]] = field(
        default_factory=lambda: {k: [] for k in CHANGE_KINDS})


def _changes(store: ReportStore, run: Run, against: Run | None, today: date | None) -> _Changes:
    changes = _Changes()
    for kind, row in iter_changes(store, run, against, today):
        changes.counts[kind] += 1
        if len(changes.shown[kind]) < CHANGE_LIST_LIMIT:
            changes.shown[kind].append(row)
    return changes


class _Counted:
    """The violation rows listed (waived apart), counted as the template walks them."""

    def __init__(self, rows: Iterator[ExportRow]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[ExportRow]:
        for item in self._rows:
            if item.status != "waived":
                self.count += 1
                yield item


def _waived(store: ReportStore, run: Run, against: Run | None,
            today: date | None) -> Iterator[tuple[ViolationRow, Waiver]]:
    waivers = active_waivers(store, today)
    for item in iter_export_rows(store, run, against=against, today=today):
        if item.status == "waived":
            waiver = waiver_for(item.row.site, item.row.code, waivers)
            if waiver is not None:  # a waiver that lapsed at midnight, between the two reads
                yield item.row, waiver


@dataclass(frozen=True)
class _Shot:
    type: str
    clip: list[int]  # [x, y, width, height] in CSS pixels, zeros when unknown
    base64: str


def _screenshot(store: ReportStore, run_id: str, page: dict[str, Any]) -> _Shot | None:
    """The page's footer screenshot, ready to inline (None when it has none)."""
    if not page.get("screenshot") or not page.get("url"):
        return None
    shot = store.get_screenshot(run_id, page["url"])
    if shot is None or shot.type not in ("image/jpeg", "image/png"):
        return None
    clip = shot.clip if len(shot.clip) == 4 else [0, 0, 0, 0]
    return _Shot(shot.type, clip, base64.b64encode(shot.data).decode("ascii"))


def _pages(store: ReportStore, run_id: str) -> Iterator[tuple[dict[str, Any], str, _Shot | None]]:
    """Each page record with the id of its evidence section and its screenshot, one at a time."""
    for page in store.iter_pages(run_id):
        anchor = page_anchor(normalise_url(page["url"])) if page.get("url") else ""
        yield page, anchor, _screenshot(store, run_id, page)


def write_html(store: ReportStore, run: Run, out: str | Path | IO[str], *,
               today: date | None = None) -> int:
    """Write the run's HTML report; returns the number of violations listed (waived apart)."""
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8") as fh:
            return write_html(store, run, fh, today=today)
    against = previous_finished_run(store, run)
    summary = summarise_run(store, run.id, active_waivers(store, today))
    violations = _Counted(iter_export_rows(store, run, against=against, today=today))
    template = environment().get_template(TEMPLATE)
    parts = template.generate(
        run=run, against=against, summary=summary,
        by_org=sorted(summary["by_org"].items(), key=lambda kv: -kv[1]["violations"]),
        by_rule=sorted(summary["by_rule"].items(), key=lambda kv: -kv[1]["violations"]),
        chart=_chart(_trend(store, run, summary["violations"])),
        changes=_changes(store, run, against, today),
        change_kinds=CHANGE_KINDS, kind_titles=_KIND_TITLES,
        violations=violations, severity_order=_SEVERITY_ORDER, status_labels=_STATUS_LABELS,
        waived=_waived(store, run, against, today),
        pages=_pages(store, run.id),
    )
    out.writelines(parts)
    out.write("\n")
    return violations.count
