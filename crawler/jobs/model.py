"""A crawl job: what to crawl, with which options, and where it stands.

A job is plain data (JSON on both store backends, and the one thing a worker of another machine
needs): its id, its kind, its target, its options, and its state with the progress a runner
reports. The queue (`crawler.jobs.queue`) moves it through its states:

    queued ──claim──► running ──finish──► finished | failed
      ▲                  │
      └──recover/release─┘   (the runner died, or shut down: back in the queue, at least once)
    queued | running ──cancel──► cancelled

Kinds:
    crawl-site     target: a site (`example.cn`, or a URL whose host is taken), crawled as
                   `footer-audit crawl SITE`
    crawl-org      target: an organisation's name in the portfolio file `options.portfolio`,
                   crawled as `footer-audit run PORTFOLIO --org NAME`
    crawl-domain   target: one domain of the portfolio file `options.portfolio`, with its
                   organisation's policy, crawled as `footer-audit run PORTFOLIO --domain D`:
                   a site of the server's portfolio, or one domain of a distributed run (whose
                   jobs share `run_id`, given when enqueued)
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from crawler.errors import UsageError
from crawler.reports.store.base import utc_now

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "JOB_KINDS",
    "JOB_STATES",
    "TERMINAL_STATES",
    "Job",
    "JobKind",
    "JobOptions",
    "JobState",
    "new_job_id",
    "valid_job_id",
]

JobKind = Literal["crawl-site", "crawl-org", "crawl-domain"]
JobState = Literal["queued", "running", "finished", "failed", "cancelled"]
JOB_KINDS: tuple[str, ...] = get_args(JobKind)
JOB_STATES: tuple[str, ...] = get_args(JobState)
TERMINAL_STATES = frozenset({"finished", "failed", "cancelled"})
# A job whose runner died this many times is failed rather than queued again: a page that kills
# its crawler every time must not take the pool down forever.
DEFAULT_MAX_ATTEMPTS = 3
_RENDER_MODES = ("auto", "always", "never")  # as crawler.render.policy.RENDER_MODES, without Scrapy
_JOB_ID = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$")


def new_job_id(now: datetime | None = None) -> str:
    """Sortable by creation and unique enough for many servers: `20261202T004755-3f9a1c07`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def valid_job_id(text: str) -> bool:
    """Whether `text` has the form of a job id (a key of the store: checked before any lookup)."""
    return bool(_JOB_ID.match(text))


@dataclass(frozen=True)
class JobOptions:
    """How to crawl: the options of `footer-audit crawl` / `run` the job passes on.

    `resolve` and `allow_networks` widen where the crawl may connect: they come from the
    operator (the server's configuration), never from whoever asked for the crawl."""

    render: str | None = None  # auto | always | never; None: each domain's own setting
    timeout: float | None = None  # seconds per page; None: the crawl's default
    resolve: tuple[str, ...] = ()  # HOST:ADDRESS[:PORT], as --resolve
    allow_networks: tuple[str, ...] = ()  # CIDR ranges, as --allow-network
    portfolio: str | None = None  # the portfolio file of a crawl-org job
    province: str | None = None  # a crawl-site job's expectations, as `crawl --province`
    org: str | None = None  # the filing subject a crawl-site job's pages must name
    max_subdomains: int | None = None
    depth: int | None = None

    def validate(self) -> None:
        """Raise UsageError for an option no crawl accepts (before the job is queued)."""
        if self.render is not None and self.render not in _RENDER_MODES:
            raise UsageError(f"render must be one of {', '.join(_RENDER_MODES)}, "
                             f"not {self.render!r}")
        if self.timeout is not None and not 0 < self.timeout <= 600:
            raise UsageError(f"timeout must be between 0 and 600 seconds, not {self.timeout}")
        for name in ("max_subdomains", "depth"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UsageError(f"{name} must be 0 or more, not {value}")
        from crawler.net.addresses import parse_networks

        parse_networks(self.allow_networks)

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> JobOptions:
        names = cls.__dataclass_fields__
        values = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in (data or {}).items() if k in names}
        return cls(**values)


@dataclass
class Job:
    id: str
    kind: str
    target: str
    options: JobOptions = field(default_factory=JobOptions)
    state: str = "queued"
    pages_done: int = 0
    violations: int = 0
    # The report store's run the crawl writes: chosen when an attempt starts (each attempt its
    # own run), or given at enqueue when jobs share one run (a distributed run).
    run_id: str | None = None
    error: str = ""  # why it failed or was cancelled, in one line
    created: str = field(default_factory=utc_now)
    started: str | None = None  # the current (or last) attempt's start
    finished: str | None = None
    attempts: int = 0  # claims so far, the current one included
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # The runner holding a running job ("host:pid:start", crawler.reports.store.liveness) and
    # its last sign of life; empty when not running.
    worker: str = ""
    heartbeat: str | None = None
    # Whether the run id was given at enqueue (kept on every attempt) or chosen per attempt.
    shared_run: bool = False

    @classmethod
    def new(cls, kind: str, target: str, options: JobOptions | None = None, *,
            run_id: str | None = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Job:
        """A queued job, validated (UsageError for a bad kind, target or option)."""
        if kind not in JOB_KINDS:
            raise UsageError(f"unknown job kind {kind!r}: use {', '.join(JOB_KINDS)}")
        target = target.strip()
        if not target:
            raise UsageError("a job needs a target (a site, an organisation or a domain)")
        options = options or JobOptions()
        options.validate()
        if kind in ("crawl-org", "crawl-domain") and not options.portfolio:
            raise UsageError(f"a {kind} job needs the portfolio file that names its target")
        if max_attempts < 1:
            raise UsageError("max_attempts must be 1 or more")
        return cls(id=new_job_id(), kind=kind, target=target, options=options, run_id=run_id,
                   max_attempts=max_attempts, shared_run=run_id is not None)

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_STATES

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = self.options.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        names = cls.__dataclass_fields__
        values = {k: v for k, v in data.items() if k in names}
        values["options"] = JobOptions.from_json(data.get("options"))
        return cls(**values)

    def copy(self, **changes: Any) -> Job:
        return replace(self, **changes)
