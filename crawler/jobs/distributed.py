"""A portfolio run spread over many machines: one `crawl-domain` job per registrable domain, every
job writing its pages into one shared run, the run settled once every job has ended.

    plan = plan_run(portfolio, path, options)         # the jobs, and the sites each one owns
    run = start_run(runs, queue, plan, transport, ...) # the run opened, its jobs queued
    settle(runs, queue, store, run_id, transport)      # recover, redeliver, finalise, close

The jobs are the crawl jobs of `crawler.jobs` (the same `Job`, queue and child crawl the API's
runner uses); a job engine only carries their ids to workers (`Transport`, on RQ:
`crawler.jobs.rq_backend`). The queue in the report store stays the truth: a delivery claims
its job there (`claim(worker, job_id)`), so a message delivered twice runs its job once, and a
crawl run twice stores each page once (pages are kept per URL within a run).

A domain's crawl (`footer-audit run FILE --domain D --run-id RUN --run-part JOB`) writes its
pages into the run without beating or closing it. The run itself records `worker` =
`DISTRIBUTED_WORKER`: its life is its jobs', so `settle` keeps its heartbeat while any job can
still run, and closes it when every job has ended:

- a running job whose worker died (gone from this host, or silent for a minute elsewhere) is
  queued again, or failed after its last attempt (`JobQueue.recover`);
- a queued job without a message on its way gets one (`Transport.ensure`): a broker that lost
  messages (a Redis restarted from an older snapshot, a dead worker's delivery) loses no job;
- a job that failed its last attempt leaves a final page for each site of its domain that has
  none (`needs_review`, with the reason): never a silent gap;
- every job ended: the run is closed, `finished` when every job finished, else `incomplete`
  with the failed domains in its note.

Whoever looks at the run settles it: the coordinator while it waits, every worker after each job
and every few seconds, `footer-audit report` and `footer-audit run` as they open the store. A run
whose coordinator died is therefore finished by the last worker, or by the next command.

Redis keys (docs/redis-layout.md): `run:{run}:jobs` (HASH job id -> the job as planned and the
sites it owns), `run:{run}:queue` (the engine's queue name), `run:{run}:portfolio` (the
portfolio file's text, for workers on other machines).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import redis

from crawler.errors import StoreError, UsageError
from crawler.jobs.model import DEFAULT_MAX_ATTEMPTS, Job, JobOptions
from crawler.jobs.queue import JobQueue
from crawler.net.domains import SiteScope, registrable_domain
from crawler.reports.store.base import ReportStore, Run, dumps, normalise_url, utc_now
from crawler.reports.store.closing import close_run
from crawler.reports.store.keys import Keys
from crawler.reports.store.redis_store import _unavailable
from rules.urls import host_of

__all__ = ["DISTRIBUTED_WORKER", "Plan", "PlannedJob", "RunJobs", "Transport", "final_record",
           "plan_run", "settle", "settle_open_runs", "start_run"]

logger = logging.getLogger(__name__)

# The `worker` of a distributed run: no process of its own holds it (its jobs do).
DISTRIBUTED_WORKER = "distributed"
FAILED_SITE_STATUS = "needs_review"


class Transport(Protocol):
    """A job engine's side: make sure a queued job has a message on its way to a worker."""

    name: str

    def ensure(self, jobs: list[Job]) -> int:
        """Send a message for each queued job that has none in flight; returns how many."""


@dataclass(frozen=True)
class Site:
    """A site a job owns: its URL, and who it belongs to (for a final page)."""

    url: str
    org: str
    owner: str | None
    domain: str


@dataclass
class PlannedJob:
    job: Job
    sites: list[Site] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"job": self.job.to_json(), "sites": [vars(s) for s in self.sites]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedJob:
        return cls(Job.from_json(data["job"]), [Site(**s) for s in data.get("sites", [])])


@dataclass
class Plan:
    portfolio: str  # the run's portfolio name (the file's stem)
    text: str  # the portfolio file, for workers that do not have it
    jobs: list[PlannedJob]


def plan_run(portfolio: Any, path: str, text: str, options: JobOptions, *,
             max_attempts: int = DEFAULT_MAX_ATTEMPTS, per_job: int = 1) -> Plan:
    """Jobs of whole registrable domains of the portfolio (`per_job` in each, their target
    "a.cn,b.cn"): each domain's homepages, subdomains and start pages, and the apps whose pages
    are on it, so a domain's politeness stays in one crawl. `options` travel with every job;
    the run id is set by `start_run`."""
    if per_job < 1:
        raise UsageError("a job holds at least one domain")
    groups: dict[str, list[Site]] = {}
    for org in portfolio.organisations:
        for domain in org.domains:
            reg = registrable_domain(domain.domain)
            sites = groups.setdefault(reg, [])
            owner = org.owner_of(domain)
            hosts = [*SiteScope(domain.domain).homepage_hosts(), *domain.add_subdomains]
            sites += [Site(f"https://{h}/", org.name, owner, reg) for h in hosts]
            sites += [Site(u, org.name, owner, reg) for u in domain.start_urls]
        for app in org.apps:
            reg = registrable_domain(host_of(app.url))
            groups.setdefault(reg, []).append(
                Site(app.url, org.name, app.owner or org.owner, reg))
    options = replace(options, portfolio=path)
    domains = sorted(groups)
    jobs = []
    for i in range(0, len(domains), per_job):
        chunk = domains[i:i + per_job]
        jobs.append(PlannedJob(Job.new("crawl-domain", ",".join(chunk), options, run_id="-",
                                       max_attempts=max_attempts),
                               [s for d in chunk for s in groups[d]]))
    return Plan(portfolio.name, text, jobs)


class RunJobs:
    """The distributed runs' own keys in the Redis store (under its prefix)."""

    def __init__(self, url: str, prefix: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.keys = Keys(prefix)
        try:
            self._r: Any = redis.Redis.from_url(url, decode_responses=True,
                                           socket_connect_timeout=min(2.0, timeout),
                                           socket_timeout=timeout, health_check_interval=30)
        except ValueError as exc:
            raise StoreError(f"bad Redis URL {url!r}: {exc}") from exc

    def close(self) -> None:
        self._r.close()

    @_unavailable
    def record(self, run_id: str, queue: str, plan: Plan) -> None:
        """The run's plan, in one transaction: no job can be settled before all are known."""
        k = self.keys
        with self._r.pipeline() as pipe:
            pipe.set(k.run_queue(run_id), queue)
            pipe.set(k.run_portfolio(run_id), plan.text)
            for i in range(0, len(plan.jobs), 1000):
                pipe.hset(k.run_jobs(run_id), mapping={
                    p.job.id: dumps(p.to_json()) for p in plan.jobs[i:i + 1000]})
            pipe.execute()

    @_unavailable
    def planned(self, run_id: str) -> list[PlannedJob]:
        return [PlannedJob.from_json(json.loads(v))
                for v in self._r.hvals(self.keys.run_jobs(run_id))]

    @_unavailable
    def queue_name(self, run_id: str) -> str | None:
        return self._r.get(self.keys.run_queue(run_id))

    @_unavailable
    def portfolio_text(self, run_id: str) -> str | None:
        return self._r.get(self.keys.run_portfolio(run_id))

    @_unavailable
    def jobs(self, ids: list[str]) -> Iterator[Job | None]:
        """The jobs as the queue holds them now (None: not in the queue), in batches."""
        for i in range(0, len(ids), 500):
            for raw in self._r.mget([self.keys.job(j) for j in ids[i:i + 500]]):
                yield Job.from_json(json.loads(raw)) if raw else None

    @_unavailable
    def beat(self, run_id: str) -> None:
        """Refresh the run's heartbeat alone (a whole-record write could undo a close)."""
        self._r.hset(self.keys.run(run_id), "heartbeat", utc_now())


def start_run(runs: RunJobs, queue: JobQueue, store: ReportStore, plan: Plan,
              transport: Transport, *, run_id: str, trigger: str) -> Run:
    """Open the run, record its plan, queue its jobs and send their messages."""
    run = Run(id=run_id, portfolio=plan.portfolio, trigger=trigger, worker=DISTRIBUTED_WORKER,
              heartbeat=utc_now())
    if store.get_run(run_id) is not None:
        raise UsageError(f"--run-id {run_id}: the store already has that run")
    for p in plan.jobs:
        p.job.run_id = run_id
    store.create_run(run)
    runs.record(run_id, transport.name, plan)
    for p in plan.jobs:
        queue.enqueue(p.job)
    transport.ensure([p.job for p in plan.jobs])
    return run


def final_record(site: Site, reason: str) -> dict[str, Any]:
    """The page a site gets when its domain's crawl failed for good: not audited, and why."""
    host = host_of(site.url)
    return {
        "url": site.url, "final_url": site.url, "status": FAILED_SITE_STATUS,
        "http_status": None, "rendered": False, "encoding": None, "redirect_chain": [],
        "error": reason, "findings": {"icp": [], "gongan": [], "copyright": [], "licences": []},
        "violations": [], "review": [], "rules_version": "", "org": site.org,
        "owner": site.owner, "domain": site.domain, "host": host, "discovered_from": None,
    }


def _variants(url: str) -> tuple[str, ...]:
    """A homepage may have been stored under http:// (the https:// fetch fell back)."""
    key = normalise_url(url)
    if key.startswith("https://") and key.endswith("/") and key.count("/") == 3:
        return key, "http://" + key[len("https://"):]
    return (key,)


def _finalise(store: ReportStore, run_id: str, planned: PlannedJob, job: Job) -> int:
    """Final pages for the sites of a job that ended without crawling them; returns how many."""
    reason = (f"not crawled: the crawl of {job.target} ended {job.state} after "
              f"{job.attempts} attempt(s): {job.error or 'no reason given'}")[:500]
    wanted = {s.url: _variants(s.url) for s in planned.sites}
    present = store.pages_present(run_id, [v for vs in wanted.values() for v in vs])
    written = 0
    for site in planned.sites:
        if not present.intersection(wanted[site.url]):
            store.put_page(run_id, final_record(site, reason))
            written += 1
    return written


@dataclass
class RunProgress:
    """Where a distributed run stands, from its jobs."""

    run: Run
    total: int = 0
    states: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)  # domains whose job failed for good

    @property
    def done(self) -> int:
        return sum(self.states.get(s, 0) for s in ("finished", "failed", "cancelled"))

    @property
    def closed(self) -> bool:
        return self.run.status != "running"

    def line(self) -> str:
        running, queued = self.states.get("running", 0), self.states.get("queued", 0)
        failed = self.states.get("failed", 0) + self.states.get("cancelled", 0)
        return (f"run {self.run.id}: {self.done} of {self.total} job(s) done "
                f"({running} running, {queued} queued, {failed} failed)")


def settle(runs: RunJobs, queue: JobQueue, store: ReportStore, run_id: str,
           transport: Transport | None, *, alive: bool = False) -> RunProgress | None:
    """Move a distributed run on (see the module note): safe to call from any number of
    processes at once, as often as wanted. None when the store has no such run. `alive`: the
    caller is the run's coordinator or a worker (the run's heartbeat is kept while it is, or
    while a job runs; a run nobody works on is found dead, `crawler.reports.store.liveness`)."""
    run = store.get_run(run_id)
    if run is None:
        return None
    planned = {p.job.id: p for p in runs.planned(run_id)}
    progress = RunProgress(run, total=len(planned))
    if not planned:
        return progress
    if run.status == "running":
        queue.recover()
    jobs = dict(zip(planned, runs.jobs(list(planned)), strict=True))
    for job_id, job in jobs.items():
        if job is None:  # the coordinator died between the plan and the queue: queue it now
            jobs[job_id] = job = queue.enqueue(planned[job_id].job.copy())
        progress.states[job.state] = progress.states.get(job.state, 0) + 1
    if run.status != "running":
        for job in jobs.values():
            if job is not None and not job.done:
                queue.cancel(job.id, f"its run {run_id} was closed")
        return progress
    if transport is not None:
        transport.ensure([j for j in jobs.values() if j is not None and j.state == "queued"])
    if progress.done < progress.total:
        if alive or progress.states.get("running"):
            runs.beat(run_id)
        return progress
    failed = [j for j in jobs.values() if j is not None and j.state != "finished"]
    for job in failed:
        _finalise(store, run_id, planned[job.id], job)
    progress.failed = sorted(j.target for j in failed)
    note = ""
    if failed:
        named = ", ".join(progress.failed[:10])
        more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
        note = (f"{len(failed)} of {len(jobs)} job(s) could not be crawled ({named}{more}): "
                f"their sites are stored as {FAILED_SITE_STATUS} with the reason")
    progress.run = close_run(store, run_id, "incomplete" if failed else "finished", note=note)
    logger.info("run %s closed %s", run_id, progress.run.status)
    return progress


def distributed_runs(store: ReportStore) -> Iterable[Run]:
    return (r for r in store.list_runs() if r.status == "running"
            and r.worker == DISTRIBUTED_WORKER)


def settle_open_runs(store: ReportStore, *, queue_name: str | None = None,
                     alive: bool = False) -> list[RunProgress]:
    """Settle every running distributed run of a Redis store (of one engine queue, if named):
    what `footer-audit report`, `run` and each worker do as they start."""
    from crawler.jobs import queue_for
    from crawler.reports.store.redis_store import RedisStore

    if not isinstance(store, RedisStore):
        return []
    out: list[RunProgress] = []
    open_runs = list(distributed_runs(store))
    if not open_runs:
        return out
    runs = RunJobs(store.url, store.keys.prefix)
    try:
        with queue_for(store) as queue:
            for run in open_runs:
                name = runs.queue_name(run.id)
                if queue_name is not None and name != queue_name:
                    continue
                transport = None
                if name:
                    from crawler.jobs.rq_backend import RQTransport

                    transport = RQTransport(store.url, store.keys.prefix, name)
                progress = settle(runs, queue, store, run.id, transport, alive=alive)
                if progress is not None:
                    out.append(progress)
    finally:
        runs.close()
    return out
