"""Crawls through the API: POST /api/v1/crawls queues a job the server runs in a child process
(a site the farm serves on 127.0.0.1), GET follows it, its events stream progress then the end;
tokens, scopes and bad bodies; jobs that outlive the server."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.farm import serve_farm
from crawler.demo.pages import footer, page

pytestmark = pytest.mark.slow  # crawl processes

ROOT = Path(__file__).resolve().parent.parent

SITES = {"hosts": {
    "jobs.cn": {"pages": {
        "/": {"body": page(links=("/about/",), foot=footer("京ICP备12345678号-1", link=False))},
        "/about/": {"body": page("关于", foot=footer("京ICP备12345678号-1", link=False))},
    }},
    "www.jobs.cn": {"pages": {"/": {"body": page(foot=footer())}}},
}}


@contextmanager
def _api(db: Path, **config: Any) -> Iterator[tuple[Any, Any]]:
    """The app over the SQLite store `db` behind TestClient (its lifespan starts the runner)."""
    from fastapi.testclient import TestClient

    from crawler.api.app import create_app
    from crawler.api.config import ApiConfig
    from crawler.reports.store import open_store

    with open_store(str(db)) as store:
        app = create_app(ApiConfig(store_url=str(db), **config))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, store


def _token(store: Any, scope: str) -> dict[str, str]:
    from crawler.api.tokens import create_token

    token, _ = create_token(store, f"{scope}-{uuid.uuid4().hex[:6]}", scope)
    return {"Authorization": f"Bearer {token}"}


def _events(client: Any, url: str, headers: dict[str, str]) -> list[tuple[str, dict]]:
    """Every event of the stream, parsed, until the server closes it."""
    events, name = [], None
    with client.stream("GET", url, headers=headers, timeout=120) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


@pytest.fixture
def child_env(tmp_path, monkeypatch):
    """Crawl children import this tree and keep their data in tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


def test_a_crawl_from_the_api_streams_its_progress_to_its_run(tmp_path, child_env):
    with serve_farm(SITES, tmp_path / "farm") as farm, \
            _api(tmp_path / "store.sqlite3", crawl_slots=1, crawl_resolve=(farm.resolve,)) \
            as (client, store):
        crawl, reader = _token(store, "crawl"), _token(store, "audit")
        answer = client.post("/api/v1/crawls", headers=crawl,
                             json={"site": "https://jobs.cn/index.html", "render": "never",
                                   "timeout": 10})
        assert answer.status_code == 202, answer.text
        job = answer.json()
        assert answer.headers["location"] == job["links"]["self"] == f"/api/v1/crawls/{job['id']}"
        assert (job["kind"], job["target"], job["state"]) == ("crawl-site", "jobs.cn", "queued")
        assert job["options"] == {"render": "never", "timeout": 10.0}
        assert "worker" not in job  # nor the operator's network allowances

        events = _events(client, job["links"]["events"], reader)
        names = [name for name, _ in events]
        assert names[-1] == "end" and set(names[:-1]) == {"progress"} and len(names) >= 2
        progress = [data for name, data in events if name == "progress"]
        assert progress[0]["state"] in ("queued", "running")
        assert [p["pages_done"] for p in progress] == sorted(p["pages_done"] for p in progress)
        end = events[-1][1]
        assert end["state"] == "finished", end["error"]
        assert end["pages_done"] >= 3 and end["violations"] > 0 and end["run_id"]

        shown = client.get(job["links"]["self"], headers=reader).json()
        assert shown == end
        run = client.get(end["links"]["run"], headers=reader)
        assert run.status_code == 200, run.text
        assert run.json()["run"]["trigger"] == "api"
        assert run.json()["summary"]["pages"] == end["pages_done"]
        report = client.get(end["links"]["report"], headers=reader)
        assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
        listed = client.get("/api/v1/crawls", headers=reader).json()["crawls"]
        assert [c["id"] for c in listed] == [job["id"]]
        assert client.get("/api/v1/crawls?state=queued", headers=reader).json()["crawls"] == []


def test_who_may_crawl_and_what_a_crawl_request_may_say(tmp_path):
    with _api(tmp_path / "store.sqlite3", crawl_slots=0) as (client, store):
        crawl, reader = _token(store, "crawl"), _token(store, "audit")
        body = {"site": "example.cn"}
        assert client.post("/api/v1/crawls", json=body).status_code == 401
        refused = client.post("/api/v1/crawls", json=body, headers=reader)
        assert refused.status_code == 403 and "needs 'crawl'" in refused.json()["detail"]
        assert refused.headers["content-type"] == "application/problem+json"
        for bad in ({}, {"site": "example.cn", "org": "某某公司"}, {"site": "not a host!"},
                    {"site": "127.0.0.1"}, {"site": "example.cn", "render": "sometimes"},
                    {"site": "example.cn", "timeout": 0},
                    # Where a crawl may connect is the operator's choice, not the caller's.
                    {"site": "example.cn", "allow_networks": ["127.0.0.0/8"]},
                    {"site": "example.cn", "resolve": ["*:127.0.0.1:80"]},
                    {"org": "某某公司"}):  # this server has no portfolio
            answer = client.post("/api/v1/crawls", json=body if bad is None else bad,
                                 headers=crawl)
            assert answer.status_code == 422, (bad, answer.text)
            assert answer.json()["status"] == 422
        assert client.get("/api/v1/crawls", headers=reader).json()["crawls"] == []
        for missing in ("20260101T000000-00000000", "nope"):
            answer = client.get(f"/api/v1/crawls/{missing}", headers=reader)
            assert answer.status_code == 404 and answer.json()["detail"].startswith("no crawl")
        assert client.get("/api/v1/crawls").status_code == 401


def test_crawls_of_an_organisation_and_cancelling(tmp_path):
    portfolio = tmp_path / "portfolio.yaml"
    portfolio.write_text("organisations:\n  - name: 北京某某科技有限公司\n    province: 北京\n"
                         "    domains:\n      - domain: example.cn\n", encoding="utf-8")
    with _api(tmp_path / "store.sqlite3", crawl_slots=0, portfolio=str(portfolio)) \
            as (client, store):
        crawl, reader = _token(store, "crawl"), _token(store, "audit")
        unknown = client.post("/api/v1/crawls", json={"org": "别的公司"}, headers=crawl)
        assert unknown.status_code == 422 and "no organisation" in unknown.json()["detail"]
        org = client.post("/api/v1/crawls", json={"org": "北京某某科技有限公司"}, headers=crawl)
        assert org.status_code == 202 and org.json()["kind"] == "crawl-org"
        # A site of the portfolio is crawled as its domain there, with the file's expectations.
        site = client.post("/api/v1/crawls", json={"site": "https://shop.example.cn/"},
                           headers=crawl)
        assert (site.json()["kind"], site.json()["target"]) == ("crawl-domain", "example.cn")
        other = client.post("/api/v1/crawls", json={"site": "other.cn"}, headers=crawl)
        assert (other.json()["kind"], other.json()["target"]) == ("crawl-site", "other.cn")
        from crawler.jobs import queue_for

        with queue_for(store) as queue:
            for job in (site, org):
                assert queue.get(job.json()["id"]).options.portfolio == str(portfolio.resolve())

        job_id = org.json()["id"]
        assert client.post(f"/api/v1/crawls/{job_id}/cancel", headers=reader).status_code == 403
        cancelled = client.post(f"/api/v1/crawls/{job_id}/cancel", headers=crawl)
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        assert "links" in cancelled.json() and "run" not in cancelled.json()["links"]
        # The stream of an ended job is its end event alone.
        events = _events(client, f"/api/v1/crawls/{job_id}/events", reader)
        assert [name for name, _ in events] == ["end"]
        assert events[0][1]["state"] == "cancelled"


def test_queued_crawls_outlive_the_server(tmp_path):
    db = tmp_path / "store.sqlite3"
    with _api(db, crawl_slots=0) as (client, store):
        crawl = _token(store, "crawl")
        job = client.post("/api/v1/crawls", json={"site": "example.cn"}, headers=crawl).json()
    with _api(db, crawl_slots=0) as (client, store):
        again = client.get(f"/api/v1/crawls/{job['id']}", headers=_token(store, "audit"))
        assert again.status_code == 200 and again.json() == job
