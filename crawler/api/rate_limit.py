"""The per-token rate limit, through the `limits` library (a moving window).

`limits` is the maintained engine under Flask-Limiter and SlowAPI; it is used directly because
the key is the token, known only once the request is authenticated (SlowAPI keys a decorator on
each endpoint by a function of the request, and asks every endpoint for a `request` argument).
The window lives in the server's memory, or in Redis when the report store is Redis, so that
several server processes share one count per token.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

__all__ = ["RateLimiter", "Verdict"]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds until a request would be allowed again (0 when allowed)


class RateLimiter:
    def __init__(self, rate: str, *, redis_url: str | None = None,
                 key_prefix: str = "") -> None:
        """`key_prefix`: the Redis store's `Keys.rate_limit()` (docs/redis-layout.md)."""
        self.item = parse(rate)
        storage: Storage = (RedisStorage(redis_url, key_prefix=key_prefix)
                            if redis_url else MemoryStorage())
        self.limiter = MovingWindowRateLimiter(storage)

    def hit(self, key: str) -> Verdict:
        """Count one request of `key`; refused requests are not counted."""
        if self.limiter.hit(self.item, key):
            stats = self.limiter.get_window_stats(self.item, key)
            return Verdict(True, self.item.amount, stats.remaining, 0)
        stats = self.limiter.get_window_stats(self.item, key)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(False, self.item.amount, 0, wait)
