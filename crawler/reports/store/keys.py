"""Redis key layout of the report store: every key name is built here, nowhere else.

All keys start with a configurable prefix (`footer-audit:` by default; `FOOTER_AUDIT_REDIS_PREFIX`
or `--redis-prefix`). Values are UTF-8 JSON unless said otherwise. `{run}` is a run id such as
`20261123T140512-3f9a1c`, `{job}` a job id such as `20261202T004755-3f9a1c07`, `{site}` a
lower-case host name, `{org}` the organisation's name as in the portfolio, `{url_key}` a page's
normalised URL, `{sort_key}` a violation's `org \\x1f site \\x1f url_key \\x1f seq` (seq
zero-padded to 5 digits).

    runs                        ZSET  run id -> start time (epoch seconds): every run
    portfolio:{name}:runs       ZSET  run id -> start time: the runs of one portfolio
    run:{run}                   HASH  the run: id, portfolio, trigger, started, finished, status,
                                      counts (JSON), rules_version, tool_version, worker,
                                      heartbeat, note
    run:{run}:pages             HASH  url_key -> the full page record (check JSON, org, owner,
                                      domain, host, discovered_from, snapshot)
    run:{run}:page-meta         HASH  url_key -> {meta: PageMeta, rows: [[sort_key, site, org,
                                      code, fingerprint, severity], ...]} (what to unindex on
                                      re-delivery; the per-site sums of `run_sites`)
    run:{run}:page-order        ZSET  url_key, all scores 0: pages in URL order (ZRANGEBYLEX)
    run:{run}:screenshots       HASH  url_key -> the page's evidence screenshot (binary JPEG or PNG;
                                      its type and clip box are in the page record)
    run:{run}:violations        HASH  sort_key -> ViolationRow
    run:{run}:violation-order   ZSET  sort_key, all scores 0: violations in export order
    run:{run}:by-site:{site}    SET   sort_keys of the run's violations on that site
    run:{run}:by-org:{org}      SET   sort_keys of the run's violations in that organisation
    run:{run}:by-rule:{code}    SET   sort_keys of the run's violations of that rule
    run:{run}:fingerprints      HASH  fingerprint -> number of rows with it in the run
    run:{run}:jobs              HASH  job id -> {job, sites}: a distributed run's jobs as
                                      planned, and the sites each one owns
    run:{run}:queue             STRING the job engine's queue a distributed run's jobs go to
    run:{run}:portfolio         STRING a distributed run's portfolio file, for its workers
    site:{site}:runs            ZSET  run id -> start time: runs that audited the site
    site:{site}:history         HASH  "{run}\\x1f{url_key}" -> {run_id, started, url, status,
                                      violations}
    site:{site}:open            SET   fingerprints of the site not marked fixed
    lifecycle                   HASH  fingerprint -> Lifecycle (first/last seen, fixed, reopened)
    waivers                     HASH  "{site}\\x1f{rule}" -> Waiver (reason, owner, until)
    api-tokens                  HASH  token name -> ApiToken (name, digest, scope, created,
                                      revoked, org): the API server's bearer tokens, hashed
    api-token-digests           HASH  digest (hex SHA-256 of a token) -> token name
    job:{job}                   STRING a crawl job (crawler.jobs.model.Job as JSON)
    jobs                        ZSET  job id -> creation time (epoch seconds): every job
    jobs:queued                 LIST  ids of queued jobs, the next to claim first
    jobs:running                SET   ids of running jobs (checked for dead runners)
    schedule:{name}:lock        STRING the token of the scheduler running the portfolio `{name}`
                                      now (SET NX PX, renewed by that token, deleted by it)
    schedule:{name}:state       HASH  last_fire (the latest fire time handled, ISO UTC),
                                      updated
    rate-limit:LIMITER/{token}/{n}/1/{period}
                                LIST  the API server's moving window of one token's request
                                      times (kept by the `limits` library under `rate_limit()`)

A page is written by one Lua script (`redis_store._PUT_PAGE`), which builds the `run:{run}:*` and
`site:{site}:*` names above from the same prefix: change them in both places.

Retention (`report prune`) deletes `run:{run}` and every `run:{run}:*` key, removes the run from
the `runs`, `portfolio:*:runs` and `site:*:runs`/`history` entries, and keeps lifecycles and
waivers (they describe sites, not runs).
"""

from __future__ import annotations

__all__ = ["DEFAULT_PREFIX", "Keys"]

DEFAULT_PREFIX = "footer-audit:"
SEP = "\x1f"  # between parts of a hash field or sort key: never in a host, URL or rule code


class Keys:
    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        self.prefix = prefix

    def runs(self) -> str:
        return f"{self.prefix}runs"

    def portfolio_runs(self, portfolio: str) -> str:
        return f"{self.prefix}portfolio:{portfolio}:runs"

    def run(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}"

    def run_pattern(self, run_id: str) -> str:
        """SCAN pattern for every `run:{run}:*` key (glob characters in the prefix escaped)."""
        escaped = "".join(f"\\{c}" if c in "*?[]\\" else c for c in self.run(run_id))
        return f"{escaped}:*"

    def run_jobs(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:jobs"

    def run_queue(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:queue"

    def run_portfolio(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:portfolio"

    def pages(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:pages"

    def page_meta(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:page-meta"

    def page_order(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:page-order"

    def screenshots(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:screenshots"

    def violations(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:violations"

    def violation_order(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:violation-order"

    def by_site(self, run_id: str, site: str) -> str:
        return f"{self.prefix}run:{run_id}:by-site:{site}"

    def by_org(self, run_id: str, org: str) -> str:
        return f"{self.prefix}run:{run_id}:by-org:{org}"

    def by_rule(self, run_id: str, code: str) -> str:
        return f"{self.prefix}run:{run_id}:by-rule:{code}"

    def fingerprints(self, run_id: str) -> str:
        return f"{self.prefix}run:{run_id}:fingerprints"

    def site_prefix(self) -> str:
        """`<prefix>site:`: the page-write script in redis_store appends `{site}:runs` etc."""
        return f"{self.prefix}site:"

    def site_runs(self, site: str) -> str:
        return f"{self.prefix}site:{site}:runs"

    def site_history(self, site: str) -> str:
        return f"{self.prefix}site:{site}:history"

    def site_open(self, site: str) -> str:
        return f"{self.prefix}site:{site}:open"

    def lifecycle(self) -> str:
        return f"{self.prefix}lifecycle"

    def waivers(self) -> str:
        return f"{self.prefix}waivers"

    def api_tokens(self) -> str:
        return f"{self.prefix}api-tokens"

    def api_token_digests(self) -> str:
        return f"{self.prefix}api-token-digests"

    def job(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def jobs(self) -> str:
        return f"{self.prefix}jobs"

    def jobs_queued(self) -> str:
        return f"{self.prefix}jobs:queued"

    def jobs_running(self) -> str:
        return f"{self.prefix}jobs:running"

    def schedule_lock(self, portfolio: str) -> str:
        return f"{self.prefix}schedule:{portfolio}:lock"

    def schedule_state(self, portfolio: str) -> str:
        return f"{self.prefix}schedule:{portfolio}:state"

    def rate_limit(self) -> str:
        """The key prefix the `limits` library builds the rate-limit windows under."""
        return f"{self.prefix}rate-limit"
