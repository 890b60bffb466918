"""Options several commands share, spelt the same way in each."""

from __future__ import annotations

__all__ = ["STORE_HELP"]

# `--store URL` of `crawl`, `run` and `report` (crawler.reports.store.store_url reads the default).
STORE_HELP = ("Report store: redis://HOST:PORT/DB or a SQLite file (default: $REDIS_URL, else the "
              "embedded SQLite file).")
