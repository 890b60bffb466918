"""The Redis report store (redis-py): the store for teams, the API and distributed runs.

Key names and what each holds: `crawler.store.keys` (and docs/redis-layout.md). A page is written
in one MULTI/EXEC transaction, watched so that a page delivered twice (even by two workers) is
stored once and its old violations leave every index. Connection failures become
`StoreUnavailable`, which the run writer turns into spooling.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from crawler.changes import Lifecycle, Waiver
from crawler.store.base import (
    PageMeta,
    ReportStore,
    Run,
    StoreUnavailable,
    ViolationRow,
    dumps,
    page_rows,
    parse_time,
)
from crawler.store.keys import DEFAULT_PREFIX, SEP, Keys

__all__ = ["RedisStore"]

F = TypeVar("F", bound=Callable[..., Any])
_RUN_FIELDS = ("id", "portfolio", "trigger", "started", "finished", "status", "counts",
               "rules_version", "tool_version")


def _unavailable(method: F) -> F:
    """Report a lost connection as StoreUnavailable with the server's address."""

    @functools.wraps(method)
    def wrapper(self: RedisStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise StoreUnavailable(f"Redis at {self.url} is unreachable: {exc}") from exc

    return wrapper  # type: ignore[return-value]


def _epoch(started: str) -> float:
    return parse_time(started).timestamp()


class RedisStore(ReportStore):
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX, *,
                 connect_timeout: float = 2.0, timeout: float = 10.0) -> None:
        self.url = url
        self.keys = Keys(prefix)
        try:
            self._r = redis.Redis.from_url(
                url, decode_responses=True, socket_connect_timeout=connect_timeout,
                socket_timeout=timeout, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
                health_check_interval=30)
        except ValueError as exc:  # a malformed URL
            raise StoreUnavailable(f"bad Redis URL {url!r}: {exc}") from exc

    @_unavailable
    def ping(self) -> None:
        self._r.ping()

    def close(self) -> None:
        self._r.close()

    # -- runs --------------------------------------------------------------------------------
    def _run_mapping(self, run: Run) -> dict[str, str]:
        data = run.to_json()
        data["counts"] = json.dumps(run.counts)
        return {k: "" if data[k] is None else str(data[k]) for k in _RUN_FIELDS}

    @_unavailable
    def create_run(self, run: Run) -> None:
        if self._r.exists(self.keys.run(run.id)):
            return
        self.update_run(run)

    @_unavailable
    def update_run(self, run: Run) -> None:
        k = self.keys
        with self._r.pipeline() as pipe:
            pipe.hset(k.run(run.id), mapping=self._run_mapping(run))
            pipe.zadd(k.runs(), {run.id: _epoch(run.started)})
            pipe.zadd(k.portfolio_runs(run.portfolio), {run.id: _epoch(run.started)})
            pipe.execute()

    @staticmethod
    def _run(data: dict[str, str]) -> Run:
        return Run(id=data["id"], portfolio=data["portfolio"], trigger=data["trigger"],
                   started=data["started"], finished=data.get("finished") or None,
                   status=data["status"], counts=json.loads(data.get("counts") or "{}"),
                   rules_version=data.get("rules_version", ""),
                   tool_version=data.get("tool_version", ""))

    @_unavailable
    def get_run(self, run_id: str) -> Run | None:
        data = self._r.hgetall(self.keys.run(run_id))
        return self._run(data) if data else None

    @_unavailable
    def list_runs(self, portfolio: str | None = None, limit: int | None = None) -> list[Run]:
        key = self.keys.runs() if portfolio is None else self.keys.portfolio_runs(portfolio)
        ids = self._r.zrevrange(key, 0, -1 if limit is None else limit - 1, withscores=True)
        # Same order as SQLite: start time, then id, newest first.
        ids.sort(key=lambda pair: (pair[1], pair[0]), reverse=True)
        with self._r.pipeline(transaction=False) as pipe:
            for run_id, _score in ids:
                pipe.hgetall(self.keys.run(run_id))
            found = pipe.execute()
        runs = [self._run(d) for d in found if d]
        runs.sort(key=lambda r: (r.started, r.id), reverse=True)
        return runs

    @_unavailable
    def delete_run(self, run_id: str) -> None:
        k = self.keys
        run = self.get_run(run_id)
        history: dict[str, list[str]] = {}
        for m in self.iter_page_meta(run_id):
            history.setdefault(m.site, []).append(f"{run_id}{SEP}{m.url_key}")
        with self._r.pipeline(transaction=False) as pipe:
            for site in history:
                pipe.zrem(k.site_runs(site), run_id)
                pipe.hdel(k.site_history(site), *history[site])
            pipe.zrem(k.runs(), run_id)
            if run:
                pipe.zrem(k.portfolio_runs(run.portfolio), run_id)
            pipe.execute()
        doomed = [k.run(run_id)]
        for key in self._r.scan_iter(match=k.run_pattern(run_id), count=1000):
            doomed.append(key)
            if len(doomed) >= 500:
                self._r.unlink(*doomed)
                doomed = []
        if doomed:
            self._r.unlink(*doomed)

    # -- pages and violations ----------------------------------------------------------------
    @_unavailable
    def put_page(self, run_id: str, record: dict[str, Any]) -> bool:
        meta, rows = page_rows(run_id, record)
        k = self.keys
        run = self.get_run(run_id)
        started = run.started if run else ""
        entry = {"meta": meta.to_json(),
                 "rows": [[r.sort_key, r.site, r.org, r.code, r.fingerprint] for r in rows]}
        history = dumps({"run_id": run_id, "started": started, "url": meta.url,
                         "status": meta.status, "violations": meta.violations})

        def write(pipe: redis.client.Pipeline) -> bool:
            old_raw = pipe.hget(k.page_meta(run_id), meta.url_key)
            pipe.multi()
            if old_raw:
                old = json.loads(old_raw)
                for sort_key, site, org, code, fp in old["rows"]:
                    pipe.hdel(k.violations(run_id), sort_key)
                    pipe.zrem(k.violation_order(run_id), sort_key)
                    pipe.srem(k.by_site(run_id, site), sort_key)
                    pipe.srem(k.by_org(run_id, org), sort_key)
                    pipe.srem(k.by_rule(run_id, code), sort_key)
                    pipe.hincrby(k.fingerprints(run_id), fp, -1)
                old_site = old["meta"]["site"]
                if old_site != meta.site:
                    pipe.hdel(k.site_history(old_site), f"{run_id}{SEP}{meta.url_key}")
            pipe.hset(k.pages(run_id), meta.url_key, dumps(record))
            pipe.hset(k.page_meta(run_id), meta.url_key, dumps(entry))
            pipe.zadd(k.page_order(run_id), {meta.url_key: 0})
            if rows:
                pipe.hset(k.violations(run_id),
                          mapping={r.sort_key: dumps(r.to_json()) for r in rows})
                pipe.zadd(k.violation_order(run_id), dict.fromkeys((r.sort_key for r in rows), 0))
            for r in rows:
                pipe.sadd(k.by_site(run_id, r.site), r.sort_key)
                pipe.sadd(k.by_org(run_id, r.org), r.sort_key)
                pipe.sadd(k.by_rule(run_id, r.code), r.sort_key)
                pipe.hincrby(k.fingerprints(run_id), r.fingerprint, 1)
            if started:
                pipe.zadd(k.site_runs(meta.site), {run_id: _epoch(started)})
            pipe.hset(k.site_history(meta.site), f"{run_id}{SEP}{meta.url_key}", history)
            return old_raw is None

        # A count left at 0 by a replaced page reads as absent in fingerprints_present.
        return bool(self._r.transaction(write, k.page_meta(run_id), value_from_callable=True))

    def _scan_order(self, order_key: str, data_key: str, batch: int) -> Iterator[str]:
        last = "-"
        while True:
            members = self._r.zrangebylex(order_key, last, "+", start=0, num=batch)
            if not members:
                return
            values = self._r.hmget(data_key, members)
            yield from (v for v in values if v is not None)
            if len(members) < batch:
                return
            last = "(" + members[-1]

    @_unavailable
    def iter_pages(self, run_id: str, batch: int = 200) -> Iterator[dict[str, Any]]:
        k = self.keys
        for raw in self._scan_order(k.page_order(run_id), k.pages(run_id), batch):
            yield json.loads(raw)

    @_unavailable
    def iter_page_meta(self, run_id: str) -> Iterator[PageMeta]:
        k = self.keys
        for raw in self._scan_order(k.page_order(run_id), k.page_meta(run_id), 1000):
            yield PageMeta(**json.loads(raw)["meta"])

    @_unavailable
    def iter_violations(self, run_id: str, batch: int = 1000) -> Iterator[ViolationRow]:
        k = self.keys
        for raw in self._scan_order(k.violation_order(run_id), k.violations(run_id), batch):
            yield ViolationRow.from_json(json.loads(raw))

    @_unavailable
    def find_violations(self, run_id: str, *, site: str | None = None, org: str | None = None,
                        rule: str | None = None) -> list[ViolationRow]:
        k = self.keys
        sets = [key for key, value in ((k.by_site(run_id, site or ""), site),
                                       (k.by_org(run_id, org or ""), org),
                                       (k.by_rule(run_id, rule or ""), rule)) if value is not None]
        if not sets:
            return list(self.iter_violations(run_id))
        members = sorted(self._r.sinter(sets))
        if not members:
            return []
        return [ViolationRow.from_json(json.loads(v))
                for v in self._r.hmget(k.violations(run_id), members) if v is not None]

    @_unavailable
    def fingerprints_present(self, run_id: str, fps: Iterable[str]) -> set[str]:
        fps = list(fps)
        if not fps:
            return set()
        counts = self._r.hmget(self.keys.fingerprints(run_id), fps)
        return {fp for fp, n in zip(fps, counts, strict=True) if n and int(n) > 0}

    @_unavailable
    def site_history(self, site: str, limit: int | None = None) -> list[dict[str, Any]]:
        entries = [json.loads(v) for v in self._r.hvals(self.keys.site_history(site.lower()))]
        entries.sort(key=lambda e: e["url"])
        # Newest run first; within a run, pages in URL order (stable sort), as SQLite returns them.
        entries.sort(key=lambda e: (e["started"], e["run_id"]), reverse=True)
        return entries if limit is None else entries[:limit]

    # -- lifecycle and waivers ---------------------------------------------------------------
    @_unavailable
    def get_lifecycle(self, fps: Iterable[str]) -> dict[str, Lifecycle]:
        fps = list(fps)
        if not fps:
            return {}
        values = self._r.hmget(self.keys.lifecycle(), fps)
        return {fp: Lifecycle.from_json(json.loads(v))
                for fp, v in zip(fps, values, strict=True) if v is not None}

    @_unavailable
    def put_lifecycle(self, items: Iterable[Lifecycle]) -> None:
        k = self.keys
        with self._r.pipeline() as pipe:
            for lc in items:
                pipe.hset(k.lifecycle(), lc.fingerprint, dumps(lc.to_json()))
                if lc.fixed_at:
                    pipe.srem(k.site_open(lc.site), lc.fingerprint)
                else:
                    pipe.sadd(k.site_open(lc.site), lc.fingerprint)
            pipe.execute()

    @_unavailable
    def open_lifecycle(self, site: str) -> list[Lifecycle]:
        fps = sorted(self._r.smembers(self.keys.site_open(site)))
        found = self.get_lifecycle(fps)
        return [found[fp] for fp in fps if fp in found and not found[fp].fixed_at]

    @_unavailable
    def put_waiver(self, waiver: Waiver) -> None:
        self._r.hset(self.keys.waivers(), f"{waiver.site}{SEP}{waiver.rule}",
                     dumps(waiver.to_json()))

    @_unavailable
    def delete_waiver(self, site: str, rule: str) -> bool:
        return bool(self._r.hdel(self.keys.waivers(), f"{site}{SEP}{rule}"))

    @_unavailable
    def list_waivers(self) -> list[Waiver]:
        waivers = [Waiver.from_json(json.loads(v)) for v in self._r.hvals(self.keys.waivers())]
        return sorted(waivers, key=lambda w: (w.site, w.rule))
