"""The report store's small interface, its records, and the logic shared by every backend.

A backend (SQLite, Redis) only keeps and finds records; turning an audited page into rows, run
ids, summaries, waivers in force and retention choices live here, once. Closing a run (and folding
it into the violations' lifecycle) is `crawler.reports.store.closing`; diffs between runs are
`crawler.reports.changes`, above the store.

Records:
    Run           one crawl: id, portfolio, trigger, start/finish times, status, counts, versions
    PageMeta      the light index entry of one audited page (site, organisation, status, ...)
    ViolationRow  one violation of one page, flattened for indexing and export
    SiteState     one site in one run, summed up: its pages by status, its violations by rule and
                  severity (the dashboard's overview reads these, not the rows)
    ApiToken      a bearer token of the API server: its name, scope, the organisation it is
                  restricted to (if any) and the token's hash (never the token itself)
The full page record (the check JSON plus org/owner/domain/host/snapshot) is stored as given,
except its screenshot: `record["screenshot"]` arrives as {type, clip, size, data (base64)} and is
stored as {type, clip, size}, the image itself apart (`split_screenshot`, `get_screenshot`).
"""

from __future__ import annotations

import base64
import json
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crawler.errors import StoreError
from crawler.reports.lifecycle import Lifecycle, Waiver, Waivers, fingerprint, waiver_for
from crawler.reports.validation import adapter
from crawler.version import tool_version
from rules.model import AUDITED_STATUSES, PageStatus

__all__ = [
    "RUN_STATUSES",
    "TOKEN_SCOPES",
    "TRIGGERS",
    "ApiToken",
    "PageMeta",
    "ReportStore",
    "Run",
    "SiteState",
    "StoreUnavailable",
    "StoredScreenshot",
    "ViolationRow",
    "active_waivers",
    "audited_sites",
    "batches",
    "is_waived",
    "new_run_id",
    "normalise_url",
    "page_rows",
    "runs_to_prune",
    "split_screenshot",
    "summarise_run",
    "tool_version",
    "utc_now",
]

TRIGGERS = ("nightly", "on-demand", "api")
# What an API token may do, each scope including the one before it (crawler/api/security.py).
TOKEN_SCOPES = ("audit", "crawl", "admin")
RUN_STATUSES = ("running", "finished", "incomplete")
BATCH = 500  # violation rows looked up together (fingerprints present, lifecycles)
# The note of a run a later command found dead (crawler.reports.store.liveness); its writer, if
# it comes back after all (a spool replayed later), may still close it with the status it reached.
ABANDONED_NOTE = "the crawl stopped without closing the run"


class StoreUnavailable(StoreError):
    """The store cannot be reached right now (a writer spools and retries)."""


def sqlite_ident(path: Path) -> str:
    """`ReportStore.ident` of a SQLite file."""
    return f"sqlite:///{path.expanduser().resolve()}"


def redis_ident(url: str, prefix: str) -> str:
    """`ReportStore.ident` of a Redis store: server, database and key prefix, no password."""
    parts = urlsplit(url)
    if parts.password is not None:
        user = f"{parts.username}@" if parts.username else ""
        url = urlunsplit((parts.scheme, user + parts.netloc.rsplit("@", 1)[-1], parts.path,
                          parts.query, ""))
    return f"{url} prefix={prefix}"


def utc_now() -> str:
    """Now as ISO 8601 UTC with microseconds: sorts as text, same on every backend."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, short and unique enough for concurrent runs: `20261123T140512-3f9a1c`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def normalise_url(url: str) -> str:
    """The key of a page within a run: scheme and host lower-cased, default port, fragment and a
    trailing empty path dropped, so the same page delivered twice is stored once."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


@dataclass
class Run:
    id: str
    portfolio: str
    trigger: str = "on-demand"
    started: str = field(default_factory=utc_now)
    finished: str | None = None
    status: str = "running"
    counts: dict[str, int] = field(default_factory=dict)
    rules_version: str = ""
    tool_version: str = field(default_factory=tool_version)
    # Liveness of a running run: the writing process ("host:pid") and its last sign of
    # life. A later command marks a run whose writer is gone `incomplete`
    # (crawler.reports.store.liveness).
    worker: str = ""
    heartbeat: str | None = None
    # Why a run is incomplete, in one line: interrupted, pages the store lost, a dead writer.
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return adapter(Run).dump_python(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        """Validated (pydantic ValidationError on a malformed run); unknown keys ignored, so a
        spool written by a later version still replays."""
        return adapter(Run).validate_python(data)


@dataclass(frozen=True)
class PageMeta:
    url_key: str
    url: str
    site: str
    org: str
    owner: str
    status: str
    violations: int

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))  # flat: no need for asdict's deep copy


@dataclass(frozen=True)
class ViolationRow:
    run_id: str
    org: str
    owner: str
    site: str
    url: str
    url_key: str
    seq: int
    code: str
    severity: str
    message: str
    message_zh: str
    evidence: str
    html: str
    href: str | None
    fingerprint: str

    @property
    def sort_key(self) -> str:
        """Order of rows in every listing and export: organisation, site, page, position."""
        return "\x1f".join((self.org, self.site, self.url_key, f"{self.seq:05d}"))

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))  # flat: asdict's deep copy was most of a page write's cost

    def to_json_text(self) -> str:
        """The stored form: compact JSON, UTF-8 text as it is."""
        return adapter(ViolationRow).dump_json(self).decode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ViolationRow:
        return adapter(ViolationRow).validate_python(data)

    @classmethod
    def from_json_text(cls, text: str | bytes) -> ViolationRow:
        """Parsed and validated at once (pydantic's JSON parser: faster than json.loads and a
        constructor, on the export's hot path)."""
        return adapter(ViolationRow).validate_json(text)


@dataclass
class SiteState:
    """One site in one run: pages by status and violations by (rule code, severity), waived ones
    included (waivers change after the run; the reader applies today's)."""

    site: str
    org: str
    owner: str
    statuses: dict[str, int] = field(default_factory=dict)
    violations: dict[tuple[str, str], int] = field(default_factory=dict)



def _site_of(record: dict[str, Any]) -> str:
    host = record.get("host") or urlsplit(record.get("final_url") or record["url"]).hostname
    return (host or "").lower()


def page_rows(run_id: str, record: dict[str, Any]) -> tuple[PageMeta, list[ViolationRow]]:
    """Turn one audited page record into its index entry and its violation rows."""
    url = record.get("url")
    if not isinstance(url, str) or not url:
        raise ValueError("page record has no url")
    key = normalise_url(url)
    site = _site_of(record)
    org = str(record.get("org") or "")
    owner = str(record.get("owner") or "")
    rows = []
    for seq, v in enumerate(record.get("violations") or []):
        code = str(v.get("code") or "")
        evidence = str(v.get("evidence") or "")
        rows.append(ViolationRow(
            run_id=run_id, org=org, owner=owner, site=site, url=url, url_key=key, seq=seq,
            code=code, severity=str(v.get("severity") or ""), message=str(v.get("message") or ""),
            message_zh=str(v.get("message_zh") or ""), evidence=evidence,
            html=str(v.get("html") or ""), href=v.get("href"),
            fingerprint=fingerprint(site, code, evidence)))
    meta = PageMeta(url_key=key, url=url, site=site, org=org, owner=owner,
                    status=str(record.get("status") or PageStatus.OK), violations=len(rows))
    return meta, rows


@dataclass
class ApiToken:
    """One API token as stored: `digest` is the hex SHA-256 of the token, which is shown once at
    creation and kept nowhere (crawler/api/tokens.py)."""

    name: str
    digest: str
    scope: str
    created: str = field(default_factory=utc_now)
    revoked: str | None = None  # when it was revoked; a revoked token is refused (403)
    # The one organisation of the portfolio this token may see (the dashboard and the API's
    # site reads); None: every organisation.
    org: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApiToken:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class StoredScreenshot:
    """The evidence screenshot of one page: the image, its MIME type, the clip box
    [x, y, width, height] in CSS pixels."""

    data: bytes
    type: str
    clip: list[int]


def split_screenshot(record: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """The record as stored (screenshot metadata only) and the image bytes, if it has any."""
    shot = record.get("screenshot")
    if not isinstance(shot, dict) or "data" not in shot:
        return record, None
    data = base64.b64decode(shot["data"])
    meta = {k: v for k, v in shot.items() if k != "data"}
    return {**record, "screenshot": meta}, data


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


class ReportStore(ABC):
    """What every backend keeps. Listings come back in a stable order; iterators fetch in
    batches so a 100,000-violation run is never held in memory at once."""

    url: str = ""
    # Which store this is, as spool files record it: the file's absolute path, or the Redis
    # server, database and key prefix (never a password). A spool replays only into its store.
    ident: str = ""

    # -- runs --------------------------------------------------------------------------------
    @abstractmethod
    def create_run(self, run: Run) -> None: ...

    @abstractmethod
    def update_run(self, run: Run) -> None: ...

    @abstractmethod
    def get_run(self, run_id: str) -> Run | None: ...

    @abstractmethod
    def list_runs(self, portfolio: str | None = None, limit: int | None = None) -> list[Run]:
        """Newest first."""

    @abstractmethod
    def delete_run(self, run_id: str) -> None: ...

    # -- pages and violations ----------------------------------------------------------------
    @abstractmethod
    def put_page(self, run_id: str, record: dict[str, Any]) -> bool:
        """Store one page (replacing an earlier delivery of the same URL). True when new."""

    @abstractmethod
    def iter_pages(self, run_id: str, batch: int = 200) -> Iterator[dict[str, Any]]:
        """Full page records, by URL key."""

    @abstractmethod
    def get_screenshot(self, run_id: str, url: str) -> StoredScreenshot | None:
        """The evidence screenshot of one page of the run (any spelling of its URL that
        normalises alike), None when it has none."""

    @abstractmethod
    def get_page(self, run_id: str, url: str) -> dict[str, Any] | None:
        """The full record of one page of the run (any spelling of its URL that normalises
        alike), None when the run has no such page."""

    @abstractmethod
    def iter_page_meta(self, run_id: str) -> Iterator[PageMeta]: ...

    def pages_present(self, run_id: str, url_keys: Iterable[str]) -> set[str]:
        """Which of these URL keys the run holds a page for (one part of a shared run checks
        its own pages without reading the whole run's)."""
        wanted = set(url_keys)
        return {m.url_key for m in self.iter_page_meta(run_id) if m.url_key in wanted}

    @abstractmethod
    def run_sites(self, run_id: str) -> list[SiteState]:
        """Every site of the run summed up, by organisation then site: one query, not one read
        per violation (the dashboard's overview of thousands of sites)."""

    @abstractmethod
    def count_violations(self, run_id: str, org: str | None = None) -> int:
        """Violations of the run (of one organisation), waived ones included."""

    @abstractmethod
    def iter_violations(self, run_id: str, batch: int = 1000) -> Iterator[ViolationRow]:
        """Every violation of the run, in `ViolationRow.sort_key` order."""

    @abstractmethod
    def find_violations(self, run_id: str, *, site: str | None = None, org: str | None = None,
                        rule: str | None = None) -> list[ViolationRow]:
        """Violations of the run matching every filter given, in sort-key order."""

    @abstractmethod
    def fingerprints_present(self, run_id: str, fps: Iterable[str]) -> set[str]:
        """Which of these fingerprints occur in the run."""

    @abstractmethod
    def site_history(self, site: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The site's pages across runs, newest run first: run_id, started, url, status,
        violations."""

    # -- lifecycle and waivers ---------------------------------------------------------------
    @abstractmethod
    def get_lifecycle(self, fps: Iterable[str]) -> dict[str, Lifecycle]: ...

    @abstractmethod
    def put_lifecycle(self, items: Iterable[Lifecycle]) -> None: ...

    @abstractmethod
    def open_lifecycle(self, site: str) -> list[Lifecycle]:
        """Fingerprints of the site not marked fixed."""

    @abstractmethod
    def put_waiver(self, waiver: Waiver) -> None: ...

    @abstractmethod
    def delete_waiver(self, site: str, rule: str) -> bool: ...

    @abstractmethod
    def list_waivers(self) -> list[Waiver]:
        """All waivers, expired ones included, by site then rule."""

    # -- API tokens --------------------------------------------------------------------------
    @abstractmethod
    def add_token(self, token: ApiToken) -> bool:
        """Keep a new token; False (nothing written) when a token of that name exists."""

    @abstractmethod
    def find_token(self, digest: str) -> ApiToken | None:
        """The token whose hash is `digest`, revoked or not; None when there is none."""

    @abstractmethod
    def list_tokens(self) -> list[ApiToken]:
        """Every token, revoked ones included, by name."""

    @abstractmethod
    def revoke_token(self, name: str, when: str | None = None) -> bool:
        """Mark the token revoked (kept, so the listing shows it); False when no token has that
        name or it was revoked already."""

    @abstractmethod
    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot be reached."""

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release connections."""

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared helpers ----------------------------------------------------------------------
    def resolve_run(self, ref: str | None) -> Run:
        """A run by id, unique id prefix, or `latest` / None (the newest run)."""
        if ref in (None, "", "latest"):
            runs = self.list_runs(limit=1)
            if not runs:
                raise StoreError("no runs stored yet")
            return runs[0]
        run = self.get_run(ref)
        if run:
            return run
        matches = [r for r in self.list_runs() if r.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise StoreError(f"run id {ref!r} is ambiguous: {len(matches)} runs start with it")
        raise StoreError(f"no run {ref!r} in {self.url}")


def active_waivers(store: ReportStore, today: date | None = None) -> Waivers:
    """Waivers in force today, keyed by (site, rule)."""
    waivers = Waivers(((w.site, w.rule), w) for w in store.list_waivers() if w.active(today))
    waivers.patterns = any(site.startswith("*.") for site, _rule in waivers)
    return waivers


def is_waived(row: ViolationRow, waivers: Mapping[tuple[str, str], Waiver]) -> bool:
    return waiver_for(row.site, row.code, waivers) is not None


def audited_sites(store: ReportStore, run_id: str) -> set[str]:
    """Sites whose footer the rules read in this run (a fetch failure proves nothing)."""
    return {p.site for p in store.iter_page_meta(run_id) if p.status in AUDITED_STATUSES}


def batches(rows: Iterable[ViolationRow], size: int = BATCH) -> Iterator[list[ViolationRow]]:
    """Rows in lists of `size`: one store round trip per batch of lookups, memory flat."""
    batch: list[ViolationRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def summarise_run(store: ReportStore, run_id: str,
                  waivers: dict[tuple[str, str], Waiver] | None = None) -> dict[str, Any]:
    """Counts for a run: pages by status, violations by severity, per organisation and per rule.
    Waived violations are counted apart and not in the totals."""
    if waivers is None:
        waivers = active_waivers(store)
    pages: dict[str, int] = {}
    n_pages = 0
    for meta in store.iter_page_meta(run_id):
        n_pages += 1
        pages[meta.status] = pages.get(meta.status, 0) + 1
    severity: dict[str, int] = {}
    by_org: dict[str, dict[str, int]] = {}
    by_rule: dict[str, dict[str, Any]] = {}
    total = waived = 0
    for row in store.iter_violations(run_id):
        if is_waived(row, waivers):
            waived += 1
            continue
        total += 1
        severity[row.severity] = severity.get(row.severity, 0) + 1
        org = by_org.setdefault(row.org, {"violations": 0, "error": 0, "warning": 0, "info": 0})
        org["violations"] += 1
        org[row.severity] = org.get(row.severity, 0) + 1
        rule = by_rule.setdefault(row.code, {"severity": row.severity, "violations": 0,
                                             "sites": 0, "last": None})
        rule["violations"] += 1
        # Rows come sorted by organisation then site, so a site's rows are contiguous: counting
        # changes of site keeps memory flat (no set of sites per rule).
        if (row.org, row.site) != rule["last"]:
            rule["sites"] += 1
            rule["last"] = (row.org, row.site)
    return {
        "pages": n_pages, "page_status": pages, "violations": total, "waived": waived,
        "severity": severity, "by_org": by_org,
        "by_rule": {code: {"severity": r["severity"], "violations": r["violations"],
                           "sites": r["sites"]} for code, r in sorted(by_rule.items())},
    }


def run_counts(summary: dict[str, Any]) -> dict[str, int]:
    """The flat counts kept on a closed run (for listings and the chart of open violations)."""
    counts = {"pages": summary["pages"], "violations": summary["violations"],
              "waived": summary["waived"]}
    for sev in ("error", "warning", "info"):
        counts[sev] = summary["severity"].get(sev, 0)
    for status, n in summary["page_status"].items():
        counts[f"pages_{status}"] = n
    return counts


def runs_to_prune(runs: list[Run], keep: int | None = None, days: int | None = None,
                  now: datetime | None = None) -> list[Run]:
    """Runs beyond the newest `keep` (per portfolio) or started more than `days` ago.
    Running runs are never pruned."""
    now = now or datetime.now(UTC)
    doomed: dict[str, Run] = {}
    per_portfolio: dict[str, int] = {}
    for run in sorted(runs, key=lambda r: r.started, reverse=True):
        if run.status == "running":
            continue
        rank = per_portfolio.get(run.portfolio, 0)
        per_portfolio[run.portfolio] = rank + 1
        if keep is not None and rank >= keep:
            doomed[run.id] = run
        if days is not None and parse_time(run.started) < now - timedelta(days=days):
            doomed[run.id] = run
    return sorted(doomed.values(), key=lambda r: r.started)
