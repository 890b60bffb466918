"""The real `footer-audit serve` (uvicorn) in a subprocess on a free loopback port, with tokens
made by `footer-audit token`: what an operator runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.redis_server import free_port
from crawler.demo.server import wait_until_serving
from tests.conftest import ROOT, _env
from tests.mockserver import footer_html, page

pytestmark = pytest.mark.slow  # a real `footer-audit serve` process


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from crawler.app.cli import main; main()",
                           *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    db = str(tmp_path / "reports.sqlite3")
    env = _env({"FOOTER_AUDIT_DB": db})
    env.pop("REDIS_URL", None)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from crawler.app.cli import main; main()", "serve",
         "--port", str(port), "--store", db, "--max-body", "64KB", "--audit-workers", "1",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_serving(base, proc), proc.stderr.read() if proc.stderr else ""
        yield base, db, env
    finally:
        proc.send_signal(signal.SIGTERM)  # the server this fixture started, by its pid
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    errors = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode in (0, -signal.SIGTERM), errors
    assert "Traceback" not in errors, errors


def test_serve_with_a_token_from_the_command_line(server) -> None:
    base, db, env = server
    made = _cli("token", "create", "--name", "laptop", "--store", db, env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("fa_") and "shown only now" in made.stderr
    auth = {"Authorization": f"Bearer {token}"}
    html = page(footer_html(link=False))
    audited = httpx.post(f"{base}/api/v1/audit", headers=auth, timeout=30,
                         json={"url": "https://www.example.cn/", "html": html})
    assert audited.status_code == 200, audited.text
    assert "icp_link_missing" in {v["code"] for v in audited.json()["violations"]}
    assert httpx.post(f"{base}/api/v1/audit", timeout=30,
                      json={"url": "https://www.example.cn/", "html": html}).status_code == 401

    listed = _cli("token", "list", "--store", db, env=env)
    assert "laptop\taudit" in listed.stdout and token not in listed.stdout
    assert _cli("token", "revoke", "laptop", "--store", db, env=env).returncode == 0
    refused = httpx.get(f"{base}/api/v1/runs", headers=auth, timeout=10)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    again = _cli("token", "revoke", "laptop", "--store", db, env=env)
    assert again.returncode == 2 and "revoked already" in again.stderr


def test_a_streamed_body_over_the_limit_is_refused_as_it_arrives(server) -> None:
    base, db, env = server
    token = _cli("token", "create", "--name", "bulk", "--store", db, env=env).stdout.strip()
    port = int(base.rsplit(":", 1)[1])
    # A chunked body (no Content-Length) that crosses the 64 KB limit and never ends: a server
    # that read bodies whole would wait for the rest; this one answers 413 at the crossing.
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall((f"POST /api/v1/audit HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        chunk = b"x" * 8192
        for _ in range(10):  # 80 KB
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            assert data, "the server closed the connection without answering"
            answer += data
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"413", answer[:300]
    assert b"application/problem+json" in answer.lower()


def test_token_usage_errors() -> None:
    env = _env()
    bad_scope = _cli("token", "create", "--name", "x", "--scope", "root", "--store",
                     os.devnull + ".sqlite3", env=env)
    assert bad_scope.returncode == 2 and "audit, crawl, admin" in bad_scope.stderr
    bad_name = _cli("token", "create", "--name", "a b", "--store", os.devnull + ".sqlite3",
                    env=env)
    assert bad_name.returncode == 2 and "token name" in bad_name.stderr
