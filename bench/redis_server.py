"""A throwaway redis-server on a free loopback port, for runs that stop and restart Redis (the
fault benchmark and its tests).

    with RedisServer() as server:      # started; always stopped on exit, even on failure
        server.url                     # redis://127.0.0.1:PORT/0
        server.stop(); server.start()  # same port, empty data (no persistence)
    with RedisServer(persist=True):    # append-only file, fsync on every write: a restart
                                       # (stop, start) comes back with everything acknowledged
        server.freeze(); server.thaw()  # SIGSTOP / SIGCONT: connections hang, nothing is refused

Only the process this helper started is ever signalled (by the pid it wrote).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import ClassVar

import redis

__all__ = ["RedisServer", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    # Pids of servers started and not yet stopped in this process (checked by test_zz_resources:
    # redis-server rewrites its own /proc environ and cmdline, so it cannot be found from there).
    running: ClassVar[set[int]] = set()

    def __init__(self, port: int | None = None, *, persist: bool = False) -> None:
        self.persist = persist
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise RuntimeError("redis-server is not installed (scripts/setup-dev.sh installs it)")
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = Path(tempfile.mkdtemp(prefix="footer-audit-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "yes" if self.persist else "no", "--appendfsync", "always",
             "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        RedisServer.running.add(self.proc.pid)
        deadline = time.monotonic() + timeout
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        log = (self.dir / "redis.log")
                        text = log.read_text() if log.exists() else ""
                        raise RuntimeError(f"redis-server did not start: {text[-500:]}") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def freeze(self) -> None:
        """Stop the server's process (SIGSTOP): it accepts nothing and answers nothing."""
        assert self.proc is not None and self.proc.poll() is None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.thaw()  # a frozen server would not act on SIGTERM
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        RedisServer.running.discard(self.proc.pid)
        self.proc = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
