"""The site farm: many virtual-host sites served from ONE loopback port, http and https alike.

The crawl reaches it through `--resolve '*:127.0.0.1:PORT'`, so page URLs stay the real ones
(`https://www.example.cn/`) while every connection lands here. The first byte of a connection
tells TLS (0x16) from plain HTTP; the TLS certificate is self-signed (the crawler does not verify
certificates). A host with `"https": false` fails the TLS handshake, like a site without https.

The spec is JSON: `{"hosts": {HOST: {"https": bool, "pages": {PATH: PAGE}}}}` where PAGE is
`{"status": 200, "body": "...", "type": "text/html; charset=utf-8", "headers": {...},
"delay": seconds, "size": bytes (a huge page streamed to that length), "encoding": "gbk",
"gzip": true (the body sent gzip-compressed as the file itself, a `.xml.gz` sitemap)}`.
An unknown path is a 404; an unknown host is a 404 page too.

Run: `python -m crawler.demo.farm SPEC.json [--log FILE] [--port N]` (or this file by its path)
prints the port on its first line. Every request is appended to the log as `scheme host path`
(tests check what was and was not fetched). `serve_farm(spec, workdir)` runs it in a subprocess
as a context manager. The pages come from `crawler/demo/pages.py`, or any HTML.

The server needs nothing of the project (the standard library and `cryptography`), so it starts
as a script whatever the interpreter's path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import gzip
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Farm", "FarmServer", "serve_farm"]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found",
            500: "Internal Server Error", 503: "Service Unavailable"}


def _self_signed(workdir: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "footer-audit farm")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    cert_path, key_path = workdir / "farm-cert.pem", workdir / "farm-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class FarmServer:
    def __init__(self, spec: dict[str, Any], log_path: Path | None, workdir: Path):
        self.hosts: dict[str, Any] = {h.lower(): v for h, v in spec.get("hosts", {}).items()}
        self.log = open(log_path, "a", buffering=1, encoding="utf-8") if log_path else None  # noqa: SIM115
        # Arrival times beside the log (Farm.arrivals): tests of pacing and concurrency read them.
        self.times = (open(f"{log_path}.times", "a", buffering=1, encoding="utf-8")  # noqa: SIM115
                      if log_path else None)
        cert, key = _self_signed(workdir)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.tls.sni_callback = self._sni

    def _sni(self, sslobj: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> int | None:
        site = self.hosts.get((name or "").lower())
        if site is not None and site.get("https", True) is False:
            return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
        return None

    async def serve(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        sock.setblocking(False)
        tasks: set[asyncio.Task[None]] = set()  # keep references so tasks are not collected
        while True:
            conn, _ = await loop.sock_accept(sock)
            task = loop.create_task(self._accept(conn))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def _accept(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            first = await asyncio.wait_for(self._peek(conn), 10)
        except (TimeoutError, OSError):
            conn.close()
            return
        tls = first[:1] == b"\x16"
        reader = asyncio.StreamReader(limit=1 << 20)
        try:
            transport, _ = await loop.connect_accepted_socket(
                lambda: asyncio.StreamReaderProtocol(reader), conn,
                ssl=self.tls if tls else None, ssl_handshake_timeout=10 if tls else None)
        except (ssl.SSLError, OSError, ConnectionError):
            conn.close()
            return
        writer = asyncio.StreamWriter(transport, transport.get_protocol(), reader, loop)
        await self._serve_http(reader, writer, "https" if tls else "http")

    @staticmethod
    async def _peek(conn: socket.socket) -> bytes:
        loop = asyncio.get_running_loop()
        while True:
            try:
                return conn.recv(1, socket.MSG_PEEK)
            except BlockingIOError:
                fut = loop.create_future()
                loop.add_reader(conn.fileno(), fut.set_result, None)
                try:
                    await fut
                finally:
                    loop.remove_reader(conn.fileno())

    async def _serve_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                          scheme: str) -> None:
        try:
            while True:
                # Idle keep-alive connections are closed after a few seconds, as servers do.
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = [*lines[0].split(" "), "", ""][:3]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                if int(headers.get("content-length", "0") or 0):
                    await reader.readexactly(int(headers["content-length"]))
                host = headers.get("host", "").split(":")[0].lower()
                path = target.split("?")[0] if not target.startswith("http") else \
                    "/" + target.split("/", 3)[-1]
                if self.log:
                    self.log.write(f"{scheme} {host} {target}\n")
                if self.times:
                    self.times.write(f"{time.monotonic():.3f} {host} {target}\n")
                keep = await self._respond(writer, host, path, target, method)
                if not keep or headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
                ssl.SSLError, OSError, TimeoutError):
            pass
        finally:
            with contextlib.suppress(Exception):  # the peer may be gone already
                writer.close()

    async def _respond(self, writer: asyncio.StreamWriter, host: str, path: str, target: str,
                       method: str) -> bool:
        site = self.hosts.get(host) or {}
        pages = site.get("pages", {})
        spec = pages.get(target) or pages.get(path)
        if spec is None:
            spec = {"status": 404, "body": "<html><body>not found</body></html>"}
        if spec.get("delay"):
            await asyncio.sleep(float(spec["delay"]))
        status = int(spec.get("status", 200))
        encoding = spec.get("encoding", "utf-8")
        ctype = spec.get("type", f"text/html; charset={encoding}")
        extra = dict(spec.get("headers", {}))
        if spec.get("location"):
            extra["Location"] = spec["location"]
        size = spec.get("size")
        body = b"" if size else spec.get("body", "").encode(encoding, "replace")
        if spec.get("gzip"):
            body = gzip.compress(body)
        length = int(size) if size else len(body)
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
                f"Content-Type: {ctype}", f"Content-Length: {length}"]
        head += [f"{k}: {v}" for k, v in extra.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if method == "HEAD":
            await writer.drain()
            return True
        if size:
            await self._stream_huge(writer, length)
            return False
        writer.write(body)
        await writer.drain()
        return True

    @staticmethod
    async def _stream_huge(writer: asyncio.StreamWriter, length: int) -> None:
        chunk = (b"<p>" + b"x" * 1017 + b"</p>\n") * 64  # 64 KiB of filler markup
        sent = 0
        opening = b"<!doctype html><html><head><meta charset=utf-8></head><body>"
        writer.write(opening)
        sent += len(opening)
        while sent < length:
            if writer.transport.is_closing():  # the client cut the page off
                return
            piece = chunk[: length - sent]
            writer.write(piece)
            sent += len(piece)
            await writer.drain()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--log")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    spec = json.loads(Path(args.spec).read_text(encoding="utf-8"))
    workdir = Path(tempfile.mkdtemp(prefix="farm-"))
    server = FarmServer(spec, Path(args.log) if args.log else None, workdir)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    # Ctrl-C in a terminal reaches the farm too (same process group): stop without a traceback.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(server.serve(sock))


@dataclass
class Farm:
    port: int
    log_path: Path
    process: subprocess.Popen[str]

    def requests(self) -> list[tuple[str, str, str]]:
        """(scheme, host, target) of every request served so far."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [tuple(line.split(" ", 2)) for line in lines if line.count(" ") >= 2]  # type: ignore[misc]

    def arrivals(self) -> list[tuple[float, str, str]]:
        """(monotonic seconds, host, target) of every request, as it arrived."""
        path = Path(f"{self.log_path}.times")
        if not path.exists():
            return []
        rows = (line.split(" ", 2) for line in path.read_text(encoding="utf-8").splitlines())
        return [(float(t), host, target) for t, host, target in rows]

    def hosts_requested(self) -> set[str]:
        return {host for _, host, _ in self.requests()}

    @property
    def resolve(self) -> str:
        """The `--resolve` rule that sends every host here."""
        return f"*:127.0.0.1:{self.port}"


@contextlib.contextmanager
def serve_farm(spec: dict[str, Any], workdir: Path, port: int = 0) -> Iterator[Farm]:
    """Start the farm in a subprocess for the duration of the block (on `port`, 0: any)."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec_path = workdir / "farm-spec.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    log_path = workdir / "farm-requests.log"
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), str(spec_path),
                             "--log", str(log_path), "--port", str(port)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"farm server did not start (exit {proc.poll()})")
        yield Farm(int(line), log_path, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
