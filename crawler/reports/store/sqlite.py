"""The embedded report store: one SQLite file (standard library), the default with no Redis.

WAL mode so a CLI can read while a crawl writes; one transaction per page so a killed crawl keeps
every page it stored. Iterators read with `fetchmany`, never the whole table.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crawler.reports.changes import Lifecycle, Waiver
from crawler.reports.store.base import (
    ApiToken,
    PageMeta,
    ReportStore,
    Run,
    StoredScreenshot,
    StoreUnavailable,
    ViolationRow,
    dumps,
    normalise_url,
    page_rows,
    split_screenshot,
    sqlite_ident,
    utc_now,
)

__all__ = ["SQLiteStore", "default_db_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, portfolio TEXT NOT NULL, trigger TEXT NOT NULL, started TEXT NOT NULL,
    finished TEXT, status TEXT NOT NULL, counts TEXT NOT NULL DEFAULT '{}',
    rules_version TEXT NOT NULL DEFAULT '', tool_version TEXT NOT NULL DEFAULT '',
    worker TEXT NOT NULL DEFAULT '', heartbeat TEXT, note TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS runs_portfolio ON runs (portfolio, started);
CREATE TABLE IF NOT EXISTS pages (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, url_key TEXT NOT NULL,
    url TEXT NOT NULL, site TEXT NOT NULL, org TEXT NOT NULL, owner TEXT NOT NULL,
    status TEXT NOT NULL, violations INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (run_id, url_key));
CREATE INDEX IF NOT EXISTS pages_site ON pages (site);
CREATE TABLE IF NOT EXISTS violations (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, sort_key TEXT NOT NULL,
    url_key TEXT NOT NULL, site TEXT NOT NULL, org TEXT NOT NULL, code TEXT NOT NULL,
    fingerprint TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (run_id, sort_key));
CREATE INDEX IF NOT EXISTS violations_page ON violations (run_id, url_key);
CREATE INDEX IF NOT EXISTS violations_site ON violations (run_id, site);
CREATE INDEX IF NOT EXISTS violations_org ON violations (run_id, org);
CREATE INDEX IF NOT EXISTS violations_rule ON violations (run_id, code);
CREATE INDEX IF NOT EXISTS violations_fp ON violations (run_id, fingerprint);
CREATE TABLE IF NOT EXISTS screenshots (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, url_key TEXT NOT NULL,
    type TEXT NOT NULL, clip TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (run_id, url_key));
CREATE TABLE IF NOT EXISTS lifecycle (
    fingerprint TEXT PRIMARY KEY, site TEXT NOT NULL, fixed INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS lifecycle_open ON lifecycle (site, fixed);
CREATE TABLE IF NOT EXISTS waivers (
    site TEXT NOT NULL, rule TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (site, rule));
CREATE TABLE IF NOT EXISTS api_tokens (
    name TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
"""
# Columns added after the first release: a database created before them gets them on open.
_RUN_COLUMNS_ADDED = {"worker": "TEXT NOT NULL DEFAULT ''", "heartbeat": "TEXT",
                      "note": "TEXT NOT NULL DEFAULT ''"}
_RUN_COLUMNS = ("id, portfolio, trigger, started, finished, status, counts, rules_version, "
                "tool_version, worker, heartbeat, note")
_CHUNK = 500  # below SQLite's bound-parameter limit


def default_db_path() -> Path:
    """`$FOOTER_AUDIT_DB`, else `$XDG_DATA_HOME/footer-audit/reports.sqlite3`."""
    if os.environ.get("FOOTER_AUDIT_DB"):
        return Path(os.environ["FOOTER_AUDIT_DB"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "footer-audit" / "reports.sqlite3"


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class SQLiteStore(ReportStore):
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_db_path()
        self.url = f"sqlite:///{self.path}"
        self.ident = sqlite_ident(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The run writer's thread uses it during a crawl (one thread at a time).
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            # 32 MiB of page cache: the violation indexes of a large run stay in memory.
            self._db.execute("PRAGMA cache_size=-32768")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
            have = {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}
            for name, decl in _RUN_COLUMNS_ADDED.items():
                if name not in have:
                    self._db.execute(f"ALTER TABLE runs ADD COLUMN {name} {decl}")
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"cannot open the report database {self.path}: {exc}") from exc

    def _tx(self, statements: Iterable[tuple[str, Any]]) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    if isinstance(args, list):
                        self._db.executemany(sql, args)
                    else:
                        self._db.execute(sql, args)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # locked or disk trouble: retryable
            raise StoreUnavailable(f"report database {self.path}: {exc}") from exc

    def _pages_of(self, sql: str, args: tuple[Any, ...], batch: int) -> Iterator[tuple]:
        """Keyset pagination on the query's first column (a unique key, ordered): each batch is
        read completely, so no statement stays open while the caller writes."""
        last = ""
        while True:
            rows = self._db.execute(sql, (*args, last, batch)).fetchall()
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1][0]

    # -- runs --------------------------------------------------------------------------------
    def _run_args(self, run: Run) -> tuple[Any, ...]:
        return (run.id, run.portfolio, run.trigger, run.started, run.finished, run.status,
                json.dumps(run.counts), run.rules_version, run.tool_version, run.worker,
                run.heartbeat, run.note)

    def create_run(self, run: Run) -> None:
        self._tx([(f"INSERT OR IGNORE INTO runs ({_RUN_COLUMNS}) VALUES "
                   "(?,?,?,?,?,?,?,?,?,?,?,?)", self._run_args(run))])

    def update_run(self, run: Run) -> None:
        # An upsert, not INSERT OR REPLACE: a replace deletes the row and cascades to its pages.
        self._tx([(f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                   "ON CONFLICT (id) DO UPDATE SET "
                   "portfolio=excluded.portfolio, trigger=excluded.trigger, "
                   "started=excluded.started, finished=excluded.finished, status=excluded.status, "
                   "counts=excluded.counts, rules_version=excluded.rules_version, "
                   "tool_version=excluded.tool_version, worker=excluded.worker, "
                   "heartbeat=excluded.heartbeat, note=excluded.note", self._run_args(run))])

    @staticmethod
    def _run(row: tuple) -> Run:
        return Run(id=row[0], portfolio=row[1], trigger=row[2], started=row[3], finished=row[4],
                   status=row[5], counts=json.loads(row[6]), rules_version=row[7],
                   tool_version=row[8], worker=row[9], heartbeat=row[10], note=row[11])

    def get_run(self, run_id: str) -> Run | None:
        row = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id=?", (run_id,)).fetchone()
        return self._run(row) if row else None

    def list_runs(self, portfolio: str | None = None, limit: int | None = None) -> list[Run]:
        sql, args = f"SELECT {_RUN_COLUMNS} FROM runs", []
        if portfolio is not None:
            sql += " WHERE portfolio=?"
            args.append(portfolio)
        sql += " ORDER BY started DESC, id DESC LIMIT ?"
        args.append(-1 if limit is None else limit)
        return [self._run(r) for r in self._db.execute(sql, args)]

    def delete_run(self, run_id: str) -> None:
        self._tx([("DELETE FROM violations WHERE run_id=?", (run_id,)),
                  ("DELETE FROM screenshots WHERE run_id=?", (run_id,)),
                  ("DELETE FROM pages WHERE run_id=?", (run_id,)),
                  ("DELETE FROM runs WHERE id=?", (run_id,))])

    # -- pages and violations ----------------------------------------------------------------
    def put_page(self, run_id: str, record: dict[str, Any]) -> bool:
        record, image = split_screenshot(record)
        meta, rows = page_rows(run_id, record)
        existed = self._db.execute("SELECT 1 FROM pages WHERE run_id=? AND url_key=?",
                                   (run_id, meta.url_key)).fetchone() is not None
        shot = record.get("screenshot") or {}
        self._tx([
            ("DELETE FROM violations WHERE run_id=? AND url_key=?", (run_id, meta.url_key)),
            # A page delivered again keeps only its latest screenshot, or none.
            ("DELETE FROM screenshots WHERE run_id=? AND url_key=?", (run_id, meta.url_key)),
            *([("INSERT INTO screenshots VALUES (?,?,?,?,?)",
                (run_id, meta.url_key, str(shot.get("type") or ""), dumps(shot.get("clip")),
                 image))] if image is not None else []),
            ("INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?,?)",
             (run_id, meta.url_key, meta.url, meta.site, meta.org, meta.owner, meta.status,
              meta.violations, dumps(record))),
            ("INSERT OR REPLACE INTO violations VALUES (?,?,?,?,?,?,?,?)",
             [(run_id, r.sort_key, r.url_key, r.site, r.org, r.code, r.fingerprint,
               dumps(r.to_json())) for r in rows]),
        ])
        return not existed

    def iter_pages(self, run_id: str, batch: int = 200) -> Iterator[dict[str, Any]]:
        for _key, record in self._pages_of(
                "SELECT url_key, record FROM pages WHERE run_id=? AND url_key>? "
                "ORDER BY url_key LIMIT ?", (run_id,), batch):
            yield json.loads(record)

    def get_screenshot(self, run_id: str, url: str) -> StoredScreenshot | None:
        row = self._db.execute("SELECT type, clip, data FROM screenshots WHERE run_id=? AND "
                               "url_key=?", (run_id, normalise_url(url))).fetchone()
        if row is None:
            return None
        return StoredScreenshot(bytes(row[2]), row[0], json.loads(row[1]) or [])

    def iter_page_meta(self, run_id: str) -> Iterator[PageMeta]:
        for row in self._pages_of("SELECT url_key, url, site, org, owner, status, violations "
                                  "FROM pages WHERE run_id=? AND url_key>? ORDER BY url_key "
                                  "LIMIT ?", (run_id,), 1000):
            yield PageMeta(*row)

    def iter_violations(self, run_id: str, batch: int = 1000) -> Iterator[ViolationRow]:
        for _key, row in self._pages_of(
                "SELECT sort_key, row FROM violations WHERE run_id=? AND sort_key>? "
                "ORDER BY sort_key LIMIT ?", (run_id,), batch):
            yield ViolationRow.from_json(json.loads(row))

    def find_violations(self, run_id: str, *, site: str | None = None, org: str | None = None,
                        rule: str | None = None) -> list[ViolationRow]:
        sql, args = "SELECT row FROM violations WHERE run_id=?", [run_id]
        for column, value in (("site", site), ("org", org), ("code", rule)):
            if value is not None:
                sql += f" AND {column}=?"
                args.append(value)
        sql += " ORDER BY sort_key"
        return [ViolationRow.from_json(json.loads(r)) for (r,) in self._db.execute(sql, args)]

    def fingerprints_present(self, run_id: str, fps: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(fps)):
            marks = ",".join("?" * len(chunk))
            found.update(fp for (fp,) in self._db.execute(
                f"SELECT DISTINCT fingerprint FROM violations WHERE run_id=? "
                f"AND fingerprint IN ({marks})", [run_id, *chunk]))
        return found

    def site_history(self, site: str, limit: int | None = None) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT p.run_id, r.started, p.url, p.status, p.violations FROM pages p "
            "JOIN runs r ON r.id = p.run_id WHERE p.site=? "
            "ORDER BY r.started DESC, p.run_id DESC, p.url LIMIT ?",
            (site.lower(), -1 if limit is None else limit))
        return [dict(zip(("run_id", "started", "url", "status", "violations"), r, strict=True))
                for r in rows]

    # -- lifecycle and waivers ---------------------------------------------------------------
    def get_lifecycle(self, fps: Iterable[str]) -> dict[str, Lifecycle]:
        out: dict[str, Lifecycle] = {}
        for chunk in _chunks(list(fps)):
            marks = ",".join("?" * len(chunk))
            for (data,) in self._db.execute(
                    f"SELECT data FROM lifecycle WHERE fingerprint IN ({marks})", chunk):
                lc = Lifecycle.from_json(json.loads(data))
                out[lc.fingerprint] = lc
        return out

    def put_lifecycle(self, items: Iterable[Lifecycle]) -> None:
        rows = [(lc.fingerprint, lc.site, 1 if lc.fixed_at else 0, dumps(lc.to_json()))
                for lc in items]
        if rows:
            self._tx([("INSERT OR REPLACE INTO lifecycle VALUES (?,?,?,?)", rows)])

    def open_lifecycle(self, site: str) -> list[Lifecycle]:
        return [Lifecycle.from_json(json.loads(d)) for (d,) in self._db.execute(
            "SELECT data FROM lifecycle WHERE site=? AND fixed=0 ORDER BY fingerprint", (site,))]

    def put_waiver(self, waiver: Waiver) -> None:
        self._tx([("INSERT OR REPLACE INTO waivers VALUES (?,?,?)",
                   (waiver.site, waiver.rule, dumps(waiver.to_json())))])

    def delete_waiver(self, site: str, rule: str) -> bool:
        cur = self._db.execute("DELETE FROM waivers WHERE site=? AND rule=?", (site, rule))
        return cur.rowcount > 0

    def list_waivers(self) -> list[Waiver]:
        return [Waiver.from_json(json.loads(d)) for (d,) in self._db.execute(
            "SELECT data FROM waivers ORDER BY site, rule")]

    # -- API tokens --------------------------------------------------------------------------
    def add_token(self, token: ApiToken) -> bool:
        try:
            self._tx([("INSERT INTO api_tokens VALUES (?,?,?)",
                       (token.name, token.digest, dumps(token.to_json())))])
        except sqlite3.IntegrityError:
            return False
        return True

    def find_token(self, digest: str) -> ApiToken | None:
        row = self._db.execute("SELECT data FROM api_tokens WHERE digest=?",
                               (digest,)).fetchone()
        return ApiToken.from_json(json.loads(row[0])) if row else None

    def list_tokens(self) -> list[ApiToken]:
        return [ApiToken.from_json(json.loads(d)) for (d,) in self._db.execute(
            "SELECT data FROM api_tokens ORDER BY name")]

    def revoke_token(self, name: str, when: str | None = None) -> bool:
        row = self._db.execute("SELECT data FROM api_tokens WHERE name=?", (name,)).fetchone()
        if row is None:
            return False
        token = ApiToken.from_json(json.loads(row[0]))
        if token.revoked:
            return False
        token.revoked = when or utc_now()
        self._tx([("UPDATE api_tokens SET data=? WHERE name=?",
                   (dumps(token.to_json()), name))])
        return True

    def ping(self) -> None:
        try:
            self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"report database {self.path}: {exc}") from exc

    def close(self) -> None:
        self._db.close()
