"""The device's outbox: operations and photos waiting for the server, kept on disk until confirmed.

One SQLite file (WAL, synchronous=FULL), one transaction per change, so a crash or a power cut at
any moment leaves every item either as it was or as it became — never half-written, never lost.

Operations are keyed by their id, made once when the item is added and never on a retry. States:

    pending ──push──▶ sent ──applied / already_applied──▶ applied   (kept as history)
                        └──────conflict / rejected─────▶ failed    (kept, with the server's error)

`sent` means "the server may hold it": its body is never replaced, only sent again (the server answers
a replay from its stored result). Nothing leaves the outbox; applied items stay so that a re-run of
the same file knows what is done. Photos are content-addressed and move pending → held (the server
has every byte) or failed (the server refused them, with the reason).
"""
import json
import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sync.photo_files import describe_photo

OPERATION_STATES = ("pending", "sent", "applied", "failed")
PHOTO_STATES = ("pending", "held", "failed")
CONFIRMED = ("applied", "already_applied")

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS operations (
    position INTEGER PRIMARY KEY AUTOINCREMENT,   -- the order operations are pushed in
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN {OPERATION_STATES}),
    server_status TEXT,       -- applied / already_applied / conflict / rejected, as last answered
    result TEXT,              -- the server's result (JSON) once confirmed
    error TEXT,               -- the server's error (JSON) when conflict / rejected
    last_error TEXT,          -- why the last attempt did not get an answer, for people
    attempts INTEGER NOT NULL DEFAULT 0,
    source TEXT,              -- where it came from, for people: "缺陷.csv 第 3 行"
    digest TEXT,              -- of the source content: tells an unchanged re-run from an edited row
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS photos (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    metadata TEXT NOT NULL,   -- captured_at, latitude, longitude (JSON)
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN {PHOTO_STATES}),
    last_error TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS operation_photos (
    operation_id TEXT NOT NULL REFERENCES operations (id),
    sha256 TEXT NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (operation_id, sha256)
);
CREATE TABLE IF NOT EXISTS pulled (
    kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
"""


@dataclass(frozen=True)
class Item:
    id: str
    operation: dict
    state: str
    server_status: str | None
    result: dict | None
    error: dict | None
    last_error: str | None
    attempts: int
    source: str | None
    digest: str | None
    photos: tuple[str, ...]


@dataclass(frozen=True)
class Photo:
    sha256: str
    path: str
    size: int
    metadata: dict
    state: str
    last_error: str | None


@dataclass(frozen=True)
class Added:
    item: Item
    # new | unchanged | requeued | replaced | kept (the body differs, but the server may hold the old)
    outcome: str


class Outbox:
    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._transaction() as db:
            for statement in _statements(SCHEMA):
                db.execute(statement)
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)",
                       (str(uuid.uuid4()),))

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def _transaction(self):
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ---- meta ------------------------------------------------------------------------------

    @property
    def device_id(self) -> str:
        return self.get_meta("device_id")

    def get_meta(self, key: str, default=None):
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # ---- adding ----------------------------------------------------------------------------

    def add(self, operation: dict, *, photos=(), source=None, digest=None) -> Added:
        """Queue an operation (and its photos: paths, or PhotoFile), or find it already queued.

        Adding again what failed puts it back in the queue (with the new body if it changed), and
        its refused photos too; a body that changed after it was sent is kept as sent, since the
        server may hold it.
        """
        op_id, body = str(operation["id"]), _canonical(operation)
        # hashing reads the files: done before the write lock is taken
        photos = [p if hasattr(p, "sha256") else describe_photo(p) for p in photos]
        with self._transaction() as db:
            row = db.execute("SELECT * FROM operations WHERE id = ?", (op_id,)).fetchone()
            if row is None:
                db.execute("INSERT INTO operations (id, body, source, digest, created_at, updated_at)"
                           " VALUES (?, ?, ?, ?, ?, ?)", (op_id, body, source, digest, _now(), _now()))
                outcome = "new"
            elif row["body"] == body:
                outcome = "unchanged"
                if row["state"] == "failed":
                    self._requeue(db, op_id, body)
                    outcome = "requeued"
            elif row["state"] in ("pending", "failed"):
                self._requeue(db, op_id, body)
                db.execute("DELETE FROM operation_photos WHERE operation_id = ?", (op_id,))
                outcome = "replaced"
            else:
                return Added(self.get(op_id), "kept")
            db.execute("UPDATE operations SET source = ?, digest = ? WHERE id = ?",
                       (source, digest, op_id))
            for photo in photos:
                self._link_photo(db, op_id, photo)
        return Added(self.get(op_id), outcome)

    @staticmethod
    def _requeue(db, op_id: str, body: str) -> None:
        db.execute("UPDATE operations SET body = ?, state = 'pending', server_status = NULL, "
                   "result = NULL, error = NULL, last_error = NULL, updated_at = ? WHERE id = ?",
                   (body, _now(), op_id))

    @staticmethod
    def _link_photo(db, op_id: str, photo) -> None:
        db.execute("INSERT INTO photos (sha256, path, size, metadata, updated_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, "
                   "metadata = excluded.metadata",
                   (photo.sha256, str(photo.path), photo.size, json.dumps(photo.metadata or {}),
                    _now()))
        # adding a row again is asking to try again: a refused photo (perhaps garbled on the way) too
        db.execute("UPDATE photos SET state = 'pending', last_error = NULL "
                   "WHERE sha256 = ? AND state = 'failed'", (photo.sha256,))
        db.execute("INSERT OR IGNORE INTO operation_photos (operation_id, sha256) VALUES (?, ?)",
                   (op_id, photo.sha256))

    # ---- reading ---------------------------------------------------------------------------

    def get(self, op_id: str) -> Item | None:
        row = self._db.execute("SELECT * FROM operations WHERE id = ?", (str(op_id),)).fetchone()
        return self._item(row) if row else None

    def items(self, states=OPERATION_STATES) -> list[Item]:
        marks = ",".join("?" * len(states))
        rows = self._db.execute(f"SELECT * FROM operations WHERE state IN ({marks}) "
                                "ORDER BY position", tuple(states)).fetchall()
        return [self._item(row) for row in rows]

    def to_push(self) -> list[Item]:
        """What the server has not confirmed or refused yet, oldest first."""
        return self.items(("pending", "sent"))

    def counts(self) -> dict:
        rows = self._db.execute("SELECT state, count(*) AS n FROM operations GROUP BY state")
        return {state: 0 for state in OPERATION_STATES} | {r["state"]: r["n"] for r in rows}

    def photo(self, sha256: str) -> Photo | None:
        row = self._db.execute("SELECT * FROM photos WHERE sha256 = ?", (sha256,)).fetchone()
        return _photo(row) if row else None

    def photos_waiting(self) -> list[Photo]:
        """Photos not yet held by the server, of operations it has not refused."""
        rows = self._db.execute(
            "SELECT DISTINCT p.* FROM photos p JOIN operation_photos l ON l.sha256 = p.sha256 "
            "JOIN operations o ON o.id = l.operation_id "
            "WHERE p.state = 'pending' AND o.state != 'failed' ORDER BY p.sha256").fetchall()
        return [_photo(row) for row in rows]

    def photo_counts(self) -> dict:
        rows = self._db.execute("SELECT state, count(*) AS n FROM photos GROUP BY state")
        return {state: 0 for state in PHOTO_STATES} | {r["state"]: r["n"] for r in rows}

    def _item(self, row) -> Item:
        photos = tuple(r["sha256"] for r in self._db.execute(
            "SELECT sha256 FROM operation_photos WHERE operation_id = ? ORDER BY rowid", (row["id"],)))
        return Item(id=row["id"], operation=json.loads(row["body"]), state=row["state"],
                    server_status=row["server_status"], result=_json(row["result"]),
                    error=_json(row["error"]), last_error=row["last_error"],
                    attempts=row["attempts"], source=row["source"], digest=row["digest"],
                    photos=photos)

    # ---- recording what happened -----------------------------------------------------------

    def mark_sent(self, op_ids) -> None:
        """Before a push: from here on the server may hold these, whatever happens next."""
        with self._transaction() as db:
            db.executemany("UPDATE operations SET state = 'sent', attempts = attempts + 1, "
                           "updated_at = ? WHERE id = ? AND state IN ('pending', 'sent')",
                           [(_now(), op_id) for op_id in op_ids])

    def record_results(self, results: list[dict]) -> None:
        """The server's per-operation answers to one push, all in one transaction."""
        with self._transaction() as db:
            for answer in results:
                status = answer.get("status")
                if status in CONFIRMED:
                    db.execute("UPDATE operations SET state = 'applied', server_status = ?, "
                               "result = ?, error = NULL, last_error = NULL, updated_at = ? "
                               "WHERE id = ?", (status, json.dumps(answer.get("result"),
                                                ensure_ascii=False), _now(), str(answer["id"])))
                elif status in ("conflict", "rejected"):
                    db.execute("UPDATE operations SET state = 'failed', server_status = ?, "
                               "error = ?, last_error = NULL, updated_at = ? WHERE id = ? "
                               "AND state != 'applied'",
                               (status, json.dumps(answer.get("error") or {}, ensure_ascii=False),
                                _now(), str(answer["id"])))
                else:  # an answer this client does not understand confirms nothing: keep it
                    db.execute("UPDATE operations SET last_error = ?, updated_at = ? WHERE id = ?",
                               (f"服务器返回了未知的状态“{status}”", _now(), str(answer.get("id"))))

    def note_error(self, op_ids, message: str) -> None:
        """No final answer (network, server busy, whole batch refused): the items stay queued."""
        with self._transaction() as db:
            db.executemany("UPDATE operations SET last_error = ?, updated_at = ? WHERE id = ?",
                           [(message, _now(), op_id) for op_id in op_ids])

    def mark_photo_held(self, sha256: str) -> None:
        self._set_photo(sha256, "held", None)

    def mark_photo_failed(self, sha256: str, message: str) -> None:
        self._set_photo(sha256, "failed", message)

    def note_photo_error(self, sha256: str, message: str) -> None:
        self._set_photo(sha256, "pending", message)

    def _set_photo(self, sha256: str, state: str, message: str | None) -> None:
        with self._transaction() as db:
            db.execute("UPDATE photos SET state = ?, last_error = ?, updated_at = ? WHERE sha256 = ?",
                       (state, message, _now(), sha256))

    # ---- pull ------------------------------------------------------------------------------

    @property
    def pull_cursor(self) -> str | None:
        return self.get_meta("pull_cursor")

    def save_pulled(self, changes: list[dict], cursor: str | None, scope=None) -> None:
        """One page of the change feed and its cursor (and the scope epoch it was pulled under),
        together: a cut mid-way repeats the page."""
        with self._transaction() as db:
            if scope is not None:
                db.execute("INSERT INTO meta (key, value) VALUES ('pull_scope', ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(scope),))
            for change in changes:
                db.execute("INSERT INTO pulled (kind, id, seq, data) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT (kind, id) DO UPDATE SET seq = excluded.seq, "
                           "data = excluded.data",
                           (change["kind"], str(change["id"]), change["seq"],
                            json.dumps(change.get("data"), ensure_ascii=False)))
            if cursor is not None:
                db.execute("INSERT INTO meta (key, value) VALUES ('pull_cursor', ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(cursor),))

    @property
    def pull_scope(self) -> str | None:
        return self.get_meta("pull_scope")

    def start_pull_again(self, scope) -> None:
        """The account's scope changed (a pull answered `reset`): everything pulled is dropped,
        nothing of the outbox, and the next pull starts from the beginning under `scope`."""
        with self._transaction() as db:
            db.execute("DELETE FROM pulled")
            db.execute("DELETE FROM meta WHERE key = 'pull_cursor'")
            db.execute("INSERT INTO meta (key, value) VALUES ('pull_scope', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(scope),))

    def pulled(self, kind: str, entity_id: str) -> dict | None:
        row = self._db.execute("SELECT data FROM pulled WHERE kind = ? AND id = ?",
                               (kind, str(entity_id))).fetchone()
        return _json(row["data"]) if row else None


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT the open transaction; run the statements one by one inside it
    return [s for s in (part.strip() for part in script.split(";")) if s]


def _canonical(operation: dict) -> str:
    return json.dumps(operation, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json(text):
    return json.loads(text) if text is not None else None


def _photo(row) -> Photo:
    return Photo(sha256=row["sha256"], path=row["path"], size=row["size"],
                 metadata=json.loads(row["metadata"]), state=row["state"],
                 last_error=row["last_error"])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
