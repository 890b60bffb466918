"""The Redis report store (redis-py): the store for teams, the API and distributed runs.

Key names and what each holds: `crawler.reports.store.keys` (and docs/redis-layout.md). A page is
written in one MULTI/EXEC transaction, watched so that a page delivered twice (even by two
workers) is stored once and its old violations leave every index. Connection failures become
`StoreUnavailable`, which the run writer turns into spooling.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.client import NEVER_DECODE
from redis.retry import Retry

from crawler.errors import StoreError
from crawler.reports.lifecycle import Lifecycle, Waiver
from crawler.reports.store.base import (
    ApiToken,
    PageMeta,
    ReportStore,
    Run,
    SiteState,
    StoredScreenshot,
    StoreUnavailable,
    ViolationRow,
    dumps,
    normalise_url,
    page_rows,
    parse_time,
    redis_ident,
    split_screenshot,
    utc_now,
)
from crawler.reports.store.keys import DEFAULT_PREFIX, SEP, Keys

__all__ = ["RedisStore"]

F = TypeVar("F", bound=Callable[..., Any])
_RUN_FIELDS = ("id", "portfolio", "trigger", "started", "finished", "status", "counts",
               "rules_version", "tool_version", "worker", "heartbeat", "note")


def _unavailable(method: F) -> F:
    """Report a lost connection as StoreUnavailable with the server's address."""

    if inspect.isgeneratorfunction(method):  # the calls happen while the caller iterates
        @functools.wraps(method)
        def iterate(self: RedisStore, *args: Any, **kwargs: Any) -> Any:
            try:
                yield from method(self, *args, **kwargs)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                raise StoreUnavailable(f"Redis at {self.url} is unreachable: {exc}") from exc

        return iterate  # type: ignore[return-value]

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
                 connect_timeout: float = 2.0, timeout: float = 10.0, retries: int = 2) -> None:
        """`timeout` bounds each call (seconds) and `retries` the attempts after a failed one:
        a crawl's writer uses short ones so a frozen server costs seconds, not minutes."""
        self.url = url
        self.keys = Keys(prefix)
        self.ident = redis_ident(url, prefix)
        try:
            # Every reply is a str (decode_responses), which redis's types cannot say: Any.
            self._r: Any = redis.Redis.from_url(
                url, decode_responses=True, socket_connect_timeout=min(connect_timeout, timeout),
                socket_timeout=timeout,
                retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries),
                health_check_interval=30)
        except ValueError as exc:  # a malformed URL: no later attempt can work
            raise StoreError(f"bad Redis URL {url!r}: {exc}") from exc
        self._put_page_script = self._r.register_script(_PUT_PAGE)
        self._add_token_script = self._r.register_script(_ADD_TOKEN)
        self._run_started: dict[str, str] = {}

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
                   tool_version=data.get("tool_version", ""), worker=data.get("worker", ""),
                   heartbeat=data.get("heartbeat") or None, note=data.get("note", ""))

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
        self._run_started.pop(run_id, None)
        doomed = [k.run(run_id)]
        for key in self._r.scan_iter(match=k.run_pattern(run_id), count=1000):
            doomed.append(key)
            if len(doomed) >= 500:
                self._r.unlink(*doomed)
                doomed = []
        if doomed:
            self._r.unlink(*doomed)

    # -- pages and violations ----------------------------------------------------------------
    def _started(self, run_id: str) -> str:
        """The run's start time (cached: it never changes), for the site history entries."""
        started = self._run_started.get(run_id)
        if started is None:
            run = self.get_run(run_id)
            started = run.started if run else ""
            if run:
                self._run_started[run_id] = started
        return started

    @_unavailable
    def put_page(self, run_id: str, record: dict[str, Any]) -> bool:
        record, image = split_screenshot(record)
        meta, rows = page_rows(run_id, record)
        k = self.keys
        started = self._started(run_id)
        entry = {"meta": meta.to_json(),
                 # The severity last: the page-write script reads only the first five.
                 "rows": [[r.sort_key, r.site, r.org, r.code, r.fingerprint, r.severity]
                          for r in rows]}
        history = dumps({"run_id": run_id, "started": started, "url": meta.url,
                         "status": meta.status, "violations": meta.violations})
        args: list[Any] = [k.run(run_id) + ":", k.site_prefix(), run_id, meta.url_key,
                           meta.site, dumps(record), dumps(entry),
                           _epoch(started) if started else "", history, len(rows)]
        for r in rows:
            args += [r.sort_key, r.to_json_text(), r.site, r.org, r.code, r.fingerprint]
        if image is not None:
            args.append(image)  # binary-safe: Lua strings hold bytes
        # One atomic script: a page delivered twice (even by two workers) is stored once, and its
        # old violations leave every index. A count left at 0 reads as absent.
        return bool(self._put_page_script(args=args))

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
    def get_screenshot(self, run_id: str, url: str) -> StoredScreenshot | None:
        k, key = self.keys, normalise_url(url)
        # The client decodes replies as text; the image must come back as bytes.
        data = self._r.execute_command("HGET", k.screenshots(run_id), key,
                                       **{NEVER_DECODE: True})
        if data is None:
            return None
        raw = self._r.hget(k.pages(run_id), key)
        shot = (json.loads(raw).get("screenshot") or {}) if raw else {}
        return StoredScreenshot(bytes(data), str(shot.get("type") or ""), shot.get("clip") or [])

    @_unavailable
    def get_page(self, run_id: str, url: str) -> dict[str, Any] | None:
        raw = self._r.hget(self.keys.pages(run_id), normalise_url(url))
        return json.loads(raw) if raw else None

    @_unavailable
    def run_sites(self, run_id: str) -> list[SiteState]:
        k = self.keys
        states: dict[str, SiteState] = {}
        unknown: list[tuple[str, str]] = []  # (sort_key, code) of entries without a severity
        for raw in self._r.hvals(k.page_meta(run_id)):
            entry = json.loads(raw)
            meta = entry["meta"]
            state = states.setdefault(meta["site"],
                                      SiteState(meta["site"], meta["org"], meta["owner"]))
            state.statuses[meta["status"]] = state.statuses.get(meta["status"], 0) + 1
            for row in entry["rows"]:
                if len(row) > 5:
                    key = (row[3], row[5])
                    state.violations[key] = state.violations.get(key, 0) + 1
                else:
                    unknown.append((row[0], row[1]))
        # Pages written before the entries carried severities: read their rows.
        for i in range(0, len(unknown), 500):
            chunk = unknown[i:i + 500]
            for raw in self._r.hmget(k.violations(run_id), [sk for sk, _ in chunk]):
                if raw is None:
                    continue
                row = json.loads(raw)
                found = states.get(row["site"])
                if found is not None:
                    key = (row["code"], row["severity"])
                    found.violations[key] = found.violations.get(key, 0) + 1
        return sorted(states.values(), key=lambda s: (s.org, s.site))

    @_unavailable
    def count_violations(self, run_id: str, org: str | None = None) -> int:
        k = self.keys
        if org is None:
            return int(self._r.zcard(k.violation_order(run_id)))
        return int(self._r.scard(k.by_org(run_id, org)))

    @_unavailable
    def iter_page_meta(self, run_id: str) -> Iterator[PageMeta]:
        k = self.keys
        for raw in self._scan_order(k.page_order(run_id), k.page_meta(run_id), 250):
            yield PageMeta(**json.loads(raw)["meta"])

    @_unavailable
    def pages_present(self, run_id: str, url_keys: Iterable[str]) -> set[str]:
        keys = sorted(set(url_keys))
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            batch = keys[i:i + 500]
            present = self._r.hmget(self.keys.page_meta(run_id), batch)
            found.update(key for key, value in zip(batch, present, strict=True) if value)
        return found

    @_unavailable
    def iter_violations(self, run_id: str, batch: int = 1000) -> Iterator[ViolationRow]:
        k = self.keys
        for raw in self._scan_order(k.violation_order(run_id), k.violations(run_id), batch):
            yield ViolationRow.from_json_text(raw)

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
        return [ViolationRow.from_json_text(v)
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
        return {fp: Lifecycle.from_json_text(v)
                for fp, v in zip(fps, values, strict=True) if v is not None}

    @_unavailable
    def put_lifecycle(self, items: Iterable[Lifecycle]) -> None:
        k = self.keys
        with self._r.pipeline() as pipe:
            for lc in items:
                pipe.hset(k.lifecycle(), lc.fingerprint, lc.to_json_text())
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
                     waiver.to_json_text())

    @_unavailable
    def delete_waiver(self, site: str, rule: str) -> bool:
        return bool(self._r.hdel(self.keys.waivers(), f"{site}{SEP}{rule}"))

    @_unavailable
    def list_waivers(self) -> list[Waiver]:
        waivers = [Waiver.from_json_text(v) for v in self._r.hvals(self.keys.waivers())]
        return sorted(waivers, key=lambda w: (w.site, w.rule))

    # -- API tokens --------------------------------------------------------------------------
    @_unavailable
    def add_token(self, token: ApiToken) -> bool:
        k = self.keys
        return bool(self._add_token_script(
            keys=[k.api_tokens(), k.api_token_digests()],
            args=[token.name, dumps(token.to_json()), token.digest]))

    @_unavailable
    def find_token(self, digest: str) -> ApiToken | None:
        name = self._r.hget(self.keys.api_token_digests(), digest)
        raw = self._r.hget(self.keys.api_tokens(), name) if name is not None else None
        return ApiToken.from_json(json.loads(raw)) if raw else None

    @_unavailable
    def list_tokens(self) -> list[ApiToken]:
        tokens = [ApiToken.from_json(json.loads(v))
                  for v in self._r.hvals(self.keys.api_tokens())]
        return sorted(tokens, key=lambda t: t.name)

    @_unavailable
    def revoke_token(self, name: str, when: str | None = None) -> bool:
        raw = self._r.hget(self.keys.api_tokens(), name)
        if raw is None:
            return False
        token = ApiToken.from_json(json.loads(raw))
        if token.revoked:
            return False
        token.revoked = when or utc_now()
        self._r.hset(self.keys.api_tokens(), name, dumps(token.to_json()))
        return True


# Adds a token unless its name is taken: KEYS[1] api-tokens, KEYS[2] api-token-digests; ARGV: name,
# token JSON, digest. Returns 1 when added, 0 when the name exists.
_ADD_TOKEN = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
return 1
"""

# Writes one page. Key names follow crawler.reports.store.keys: ARGV[1] is "<prefix>run:<id>:",
# ARGV[2] "<prefix>site:". ARGV: 3 run id, 4 url_key, 5 site, 6 record, 7 page-meta entry,
# 8 run start (epoch) or "", 9 history entry, 10 number of rows, then 6 values per row:
# sort_key, row JSON, site, org, rule code, fingerprint, then optionally the screenshot's bytes.
# Returns 1 for a new page, 0 if replaced.
_PUT_PAGE = """
local base, sbase, run_id, url_key, site = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local hist_field = run_id .. '\\31' .. url_key
local old = redis.call('HGET', base .. 'page-meta', url_key)
if old then
  local o = cjson.decode(old)
  for _, r in ipairs(o['rows']) do
    redis.call('HDEL', base .. 'violations', r[1])
    redis.call('ZREM', base .. 'violation-order', r[1])
    redis.call('SREM', base .. 'by-site:' .. r[2], r[1])
    redis.call('SREM', base .. 'by-org:' .. r[3], r[1])
    redis.call('SREM', base .. 'by-rule:' .. r[4], r[1])
    redis.call('HINCRBY', base .. 'fingerprints', r[5], -1)
  end
  local old_site = o['meta']['site']
  if old_site ~= site then
    redis.call('HDEL', sbase .. old_site .. ':history', hist_field)
  end
end
redis.call('HSET', base .. 'pages', url_key, ARGV[6])
redis.call('HSET', base .. 'page-meta', url_key, ARGV[7])
redis.call('ZADD', base .. 'page-order', 0, url_key)
local n = tonumber(ARGV[10])
for i = 0, n - 1 do
  local j = 11 + i * 6
  local sk = ARGV[j]
  redis.call('HSET', base .. 'violations', sk, ARGV[j + 1])
  redis.call('ZADD', base .. 'violation-order', 0, sk)
  redis.call('SADD', base .. 'by-site:' .. ARGV[j + 2], sk)
  redis.call('SADD', base .. 'by-org:' .. ARGV[j + 3], sk)
  redis.call('SADD', base .. 'by-rule:' .. ARGV[j + 4], sk)
  redis.call('HINCRBY', base .. 'fingerprints', ARGV[j + 5], 1)
end
if ARGV[8] ~= '' then
  redis.call('ZADD', sbase .. site .. ':runs', ARGV[8], run_id)
end
redis.call('HSET', sbase .. site .. ':history', hist_field, ARGV[9])
local shot = 11 + n * 6
if #ARGV >= shot then
  redis.call('HSET', base .. 'screenshots', url_key, ARGV[shot])
else
  redis.call('HDEL', base .. 'screenshots', url_key)
end
if old then return 0 end
return 1
"""
