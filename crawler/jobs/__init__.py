"""Crawl jobs: crawls asked for through the API, queued in the report store and run apart from
the request (`model`: the job; `queue`: the one interface; `runner`: the embedded pool)."""
