"""Crawl jobs in the embedded store's SQLite file: the `jobs` table.

Each job is one row: the columns a query needs (state, creation, queue order) and the whole job
as JSON. Every change is a read-modify-write under SQLite's write lock (`BEGIN IMMEDIATE`), so
two processes claiming at once never take the same job. The queue has a connection of its own:
the report store's connection belongs to the crawl writer's thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.jobs.model import Job
from crawler.jobs.queue import JobQueue, Mutation
from crawler.reports.store.base import StoreUnavailable, dumps

__all__ = ["SQLiteJobQueue"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
    created TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, seq);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created);
"""


class SQLiteJobQueue(JobQueue):
    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.store_url = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"cannot open the job queue in {self.path}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction holding the write lock from its first statement."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # locked too long, disk trouble
            raise StoreUnavailable(f"job queue in {self.path}: {exc}") from exc

    @staticmethod
    def _store(db: sqlite3.Connection, job: Job) -> None:
        db.execute("UPDATE jobs SET state=?, data=? WHERE id=?",
                   (job.state, dumps(job.to_json()), job.id))

    def _insert(self, job: Job) -> None:
        with self._write() as db:
            db.execute("INSERT INTO jobs (id, state, created, data) VALUES (?,?,?,?)",
                       (job.id, job.state, job.created, dumps(job.to_json())))

    def _read(self, job_id: str) -> Job | None:
        row = self._db.execute("SELECT data FROM jobs WHERE id=?", (job_id,)).fetchone()
        return Job.from_json(json.loads(row[0])) if row else None

    def _mutate(self, job_id: str, change: Mutation) -> Job | None:
        with self._write() as db:
            row = db.execute("SELECT data FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None:
                return None
            job = change(Job.from_json(json.loads(row[0])))
            if job is not None:
                self._store(db, job)
            return job

    def _claim_next(self, change: Mutation) -> Job | None:
        with self._write() as db:
            for (data,) in db.execute("SELECT data FROM jobs WHERE state='queued' ORDER BY seq"
                                      " LIMIT 20").fetchall():
                job = change(Job.from_json(json.loads(data)))
                if job is not None:
                    self._store(db, job)
                    return job
            return None

    def _running(self) -> list[Job]:
        return [Job.from_json(json.loads(d)) for (d,) in self._db.execute(
            "SELECT data FROM jobs WHERE state='running' ORDER BY seq")]

    def _delete_ended(self, before: str) -> int:
        with self._write() as db:
            return db.execute("DELETE FROM jobs WHERE state IN ('finished', 'failed', "
                              "'cancelled') AND created < ?", (before,)).rowcount

    def list(self, limit: int = 50, state: str | None = None) -> list[Job]:
        sql, args = "SELECT data FROM jobs", []
        if state is not None:
            sql += " WHERE state=?"
            args.append(state)
        sql += " ORDER BY created DESC, seq DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            return [Job.from_json(json.loads(d)) for (d,) in self._db.execute(sql, args)]

    def close(self) -> None:
        self._db.close()
