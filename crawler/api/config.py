"""What the operator chose for `footer-audit serve`, checked once at start."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.errors import UsageError
from crawler.fetch.limits import DEFAULT_TIMEOUT
from crawler.net.addresses import parse_networks

__all__ = ["DEFAULT_MAX_BODY", "DEFAULT_PORT", "DEFAULT_RATE", "ApiConfig", "parse_origin",
           "parse_size"]

DEFAULT_PORT = 8787
DEFAULT_MAX_BODY = 5 * 1024 * 1024
DEFAULT_RATE = "120/minute"

# An origin is scheme://host[:port] and nothing more: `chrome-extension://<id>` for the
# extension (Chromium and Edge both use that scheme), http(s) for a web page.
_ORIGIN = re.compile(r"^(?:chrome-extension://[a-p]{32}|https?://[A-Za-z0-9.\-\[\]:]+)$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024 ** 2, "mb": 1024 ** 2,
          "mib": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3, "gib": 1024 ** 3}


def parse_size(text: str) -> int:
    """`5MB`, `512k`, `1048576` as bytes (binary units: 1 MB = 1,048,576 bytes)."""
    match = _SIZE.match(text)
    unit = (match.group(2) or "").lower() if match else None
    if match is None or unit not in _UNITS:
        raise UsageError(f"--max-body {text!r}: expected a size such as 5MB, 512KB or 1048576")
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < 1024:
        raise UsageError(f"--max-body {text!r}: at least 1KB")
    return size


def parse_origin(text: str) -> str:
    """An allowed CORS origin; a wildcard, `null` or anything with a path is refused."""
    origin = text.strip().rstrip("/")
    if not _ORIGIN.match(origin):
        raise UsageError(f"--allow-origin {text!r}: expected chrome-extension://<32-letter id> "
                         "or http(s)://host[:port] (no wildcard, no path)")
    return origin


@dataclass(frozen=True)
class ApiConfig:
    """The server's settings (`footer-audit serve` options)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    store_url: str | None = None  # a SQLite path or redis:// URL; None: $REDIS_URL, else SQLite
    store_prefix: str | None = None  # Redis key prefix (default: the store's)
    allow_origins: tuple[str, ...] = ()  # CORS: extension origins, beside the server's own
    allow_networks: tuple[str, ...] = ()  # private ranges /check and crawls may reach
    max_body: int = DEFAULT_MAX_BODY  # bytes; larger request bodies get 413
    rate: str = DEFAULT_RATE  # per token, `limits` notation: 120/minute, 10/second...
    portfolio: str | None = None  # a portfolio file: expectations for /audit, facts for /snippet
    check_concurrency: int = 2  # /check children at once (each runs a crawl, maybe Chromium)
    check_timeout: float = DEFAULT_TIMEOUT  # seconds for the page, as `check --timeout`
    audit_workers: int = 0  # processes auditing /audit bodies; 0: the server's threads
    crawl_slots: int = 2  # crawl jobs the server runs at once; 0: it only queues them
    crawl_resolve: tuple[str, ...] = ()  # --resolve rules for crawls (staging servers)

    def __post_init__(self) -> None:
        from limits import parse

        for origin in self.allow_origins:
            parse_origin(origin)
        parse_networks(self.allow_networks)
        try:
            parse(self.rate)
        except ValueError:
            raise UsageError(f"--rate {self.rate!r}: expected a rate such as 120/minute or "
                             "10/second") from None
        if self.max_body < 1024:
            raise UsageError("--max-body: at least 1KB")
        if self.check_concurrency < 1:
            raise UsageError("--check-concurrency: at least 1")
        if self.check_timeout <= 0:
            raise UsageError(f"--timeout must be positive, not {self.check_timeout}")
        if self.audit_workers < 0:
            raise UsageError("--audit-workers: 0 or more")
        if self.crawl_slots < 0:
            raise UsageError("--crawl-slots: 0 or more")
        if self.crawl_resolve:
            from crawler.fetch.resolve import parse_resolve

            parse_resolve(self.crawl_resolve)

    @property
    def own_origins(self) -> tuple[str, ...]:
        """The server's own origins (its /docs page calls the API from there)."""
        hosts = [self.host]
        if self.host in ("127.0.0.1", "localhost", "::1"):
            hosts = ["127.0.0.1", "localhost"]
        return tuple(f"http://{h}:{self.port}" for h in hosts)
