"""The state database (SQLite in the workspace, or a shared PostgreSQL database). One writer per run:
the main process; workers never touch it."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from digitalisering.errors import StateError
from digitalisering.store.backend import Backend, open_backend
from digitalisering.store.migrations import MIGRATIONS
from digitalisering.store.records import (
    AccessDecisionRecord, Batch, CorrectionRecord, Decision, Event, FileRecord, OutputRecord, PageRecord, PageStatus,
    PageVersion, SampleRecord, UserRecord,
)


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """Access to batches, files, pages, events and outputs. Every method commits its own change."""

    def __init__(self, target: Path | str):
        """``target``: the SQLite file, or a ``postgresql://`` URL."""
        self.db: Backend = open_backend(target)
        self.path = self.db.location
        try:
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        level = self.db.schema_level()
        if level > len(MIGRATIONS):
            raise StateError(
                "state database {path} was written by a newer digitalisering (schema {level})", path=self.path, level=level
            )
        for number, script in enumerate(MIGRATIONS[level:], start=level + 1):
            with self.transaction():
                self.db.lock_schema()
                if self.db.schema_level() >= number:  # another station migrated meanwhile
                    continue
                for statement in _split_sql(script):
                    self.db.execute(self.db.ddl(statement))
                self.db.set_schema_level(number)

    def transaction(self):
        """Group several changes into one transaction (all or nothing)."""
        return self.db.transaction()

    def batch_claim(self, batch: Batch):
        """Held by a run while it processes ``batch`` (and by an ingest while it changes it): a second
        command on any station is refused with StateError. Nests within one Store."""
        return self.db.batch_claim(batch.id, batch.name)

    REGISTRATION_WAIT_S = 300.0

    def registration(self, delivery: str, wait_s: float = REGISTRATION_WAIT_S):
        """Held while ``delivery`` (its resolved path) is registered; another command registering the
        same delivery waits for it (at most ``wait_s`` seconds, then StateError)."""
        return self.db.registration(delivery, wait_s)

    # -- batches --------------------------------------------------------------------------------
    def create_batch(self, name: str, delivery: str, layout: str, who: str) -> Batch:
        """A new batch; within a transaction with ``serialise("batch-names")`` when ``name`` was just chosen."""
        new_id = self.db.insert(
            "INSERT INTO batches (name, delivery, layout, created_at, created_by) VALUES (?,?,?,?,?)",
            (name, delivery, layout, utcnow(), who),
        )
        return self.batch_by_id(new_id)

    def batch_by_id(self, batch_id: int) -> Batch:
        row = self.db.execute("SELECT * FROM batches WHERE id=?", (batch_id,)).fetchone()
        return Batch(*row)

    def find_batch(self, name: str | None = None, delivery: str | None = None) -> Batch | None:
        if name is not None:
            row = self.db.execute("SELECT * FROM batches WHERE name=?", (name,)).fetchone()
        else:
            row = self.db.execute("SELECT * FROM batches WHERE delivery=?", (delivery,)).fetchone()
        return Batch(*row) if row else None

    def serialise(self, topic: str) -> None:
        """Within a transaction: wait until no other command's transaction on ``topic`` is open
        ('batch-names', 'qa-sample:<batch id>')."""
        self.db.serialise(topic)

    def batches(self) -> list[Batch]:
        return [Batch(*r) for r in self.db.execute("SELECT * FROM batches ORDER BY id")]

    # -- files and pages ------------------------------------------------------------------------
    def add_file(
        self,
        batch_id: int,
        relpath: str,
        folder: str | None,
        size: int,
        sha256: str,
        fmt: str | None,
        page_count: int,
        error: str | None,
        first_seq: int,
        station: str | None = None,
        scanned_at: str | None = None,
    ) -> FileRecord:
        """Record a file and its pages (a failed file gets one failed page so it is counted), with the
        scanning station it came from and when the scanner wrote it."""
        now = utcnow()
        file_id = self.db.insert(
            "INSERT INTO files (batch_id, relpath, folder, size, sha256, format, page_count, error,"
            " ingested_at, station, scanned_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (batch_id, relpath, folder, size, sha256, fmt, page_count, error, now, station, scanned_at),
        )
        n_pages = max(page_count, 1)
        status = PageStatus.FAILED if error else PageStatus.PENDING
        self.db.executemany(
            "INSERT INTO pages (batch_id, file_id, page_index, seq, folder, status, error)"
            " VALUES (?,?,?,?,?,?,?)",
            [(batch_id, file_id, i, first_seq + i, folder, status, error) for i in range(n_pages)],
        )
        return self.file_by_id(file_id)

    def file_by_id(self, file_id: int) -> FileRecord:
        return FileRecord(*self.db.execute("SELECT * FROM files WHERE id=?", (file_id,)).fetchone())

    def files(self, batch_id: int) -> list[FileRecord]:
        rows = self.db.execute("SELECT * FROM files WHERE batch_id=? ORDER BY id", (batch_id,))
        return [FileRecord(*r) for r in rows]

    def next_seq(self, batch_id: int) -> int:
        row = self.db.execute("SELECT MAX(seq) FROM pages WHERE batch_id=?", (batch_id,)).fetchone()
        return 0 if row[0] is None else row[0] + 1

    _PAGE_COLS = "id, batch_id, file_id, page_index, seq, folder, status, error, result, attempts, finished_at"

    def pages(self, batch_id: int, statuses: Iterable[str] | None = None) -> list[PageRecord]:
        sql = f"SELECT {self._PAGE_COLS} FROM pages WHERE batch_id=?"
        args: list[Any] = [batch_id]
        if statuses is not None:
            statuses = list(statuses)
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            args += statuses
        return [PageRecord(*r) for r in self.db.execute(sql + " ORDER BY seq", args)]

    def page_counts(self, batch_id: int) -> dict[str, int]:
        counts = {s: 0 for s in PageStatus.ALL}
        for status, n in self.db.execute(
            "SELECT status, COUNT(*) FROM pages WHERE batch_id=? GROUP BY status", (batch_id,)
        ):
            counts[status] = n
        return counts

    def start_page(self, page_id: int) -> None:
        self.db.execute("UPDATE pages SET attempts = attempts + 1 WHERE id=?", (page_id,))

    def finish_page(self, page_id: int, status: str, result: dict[str, Any] | None, error: str | None,
                    at: str | None = None) -> None:
        self.db.execute(
            "UPDATE pages SET status=?, result=?, error=?, finished_at=? WHERE id=?",
            (status, json.dumps(result, sort_keys=True) if result is not None else None, error, at or utcnow(),
             page_id),
        )

    def page_by_id(self, page_id: int) -> PageRecord:
        row = self.db.execute(f"SELECT {self._PAGE_COLS} FROM pages WHERE id=?", (page_id,)).fetchone()
        return PageRecord(*row)

    def set_page_status(self, page_id: int, status: str) -> None:
        self.db.execute("UPDATE pages SET status=? WHERE id=?", (status, page_id))

    def replace_file(self, file_id: int, size: int, sha256: str, fmt: str | None, page_count: int,
                     who: str, station: str | None = None, scanned_at: str | None = None) -> None:
        """A re-delivered file replaces the recorded one: its pages start again as pending; what they
        were is kept in the page history. When the new file has more pages than rows were recorded
        (a failed file recorded one placeholder page), the extra pages get the sequence numbers right
        after the file's last page and the batch's later pages move up: the order stays the delivery's."""
        old = self.file_by_id(file_id)
        now = utcnow()
        self.db.execute(
            "INSERT INTO page_history (page_id, file_sha256, status, result, finished_at, replaced_at, replaced_by)"
            " SELECT id, ?, status, result, finished_at, ?, ? FROM pages WHERE file_id=?",
            (old.sha256, now, who, file_id),
        )
        rows = self.db.execute("SELECT page_index, seq, batch_id, folder FROM pages WHERE file_id=? ORDER BY page_index",
                               (file_id,)).fetchall()
        extra = page_count - len(rows)
        if extra > 0 and rows:
            last_index, last_seq, batch_id, folder = rows[-1]
            # two steps (negate, then restore): UNIQUE (batch_id, seq) is checked per row in PostgreSQL
            self.db.execute("UPDATE pages SET seq = -(seq + ?) WHERE batch_id=? AND seq > ?",
                            (extra, batch_id, last_seq))
            self.db.execute("UPDATE pages SET seq = -seq WHERE batch_id=? AND seq < 0", (batch_id,))
            self.db.executemany(
                "INSERT INTO pages (batch_id, file_id, page_index, seq, folder, status, error)"
                " VALUES (?,?,?,?,?,?,?)",
                [(batch_id, file_id, last_index + i, last_seq + i, folder, PageStatus.PENDING, None)
                 for i in range(1, extra + 1)])
        self.db.execute(
            "UPDATE files SET size=?, sha256=?, format=?, page_count=?, error=NULL, ingested_at=?,"
            " station=COALESCE(?, station), scanned_at=COALESCE(?, scanned_at) WHERE id=?",
            (size, sha256, fmt, page_count, now, station, scanned_at, file_id),
        )
        self.db.execute(
            "UPDATE pages SET status='pending', result=NULL, error=NULL, attempts=0, finished_at=NULL"
            " WHERE file_id=?", (file_id,),
        )

    def page_history(self, batch_id: int) -> list[PageVersion]:
        rows = self.db.execute(
            "SELECT h.* FROM page_history h JOIN pages p ON p.id = h.page_id WHERE p.batch_id=? ORDER BY h.id",
            (batch_id,),
        )
        return [PageVersion(*r) for r in rows]

    # -- QA samples and decisions ---------------------------------------------------------------
    def record_sample(self, batch_id: int, who: str, plan: dict[str, Any], seed: int,
                      page_ids: list[int]) -> SampleRecord:
        new_id = self.db.insert(
            "INSERT INTO qa_samples (batch_id, drawn_at, drawn_by, plan, seed, page_ids) VALUES (?,?,?,?,?,?)",
            (batch_id, utcnow(), who, json.dumps(plan, sort_keys=True), seed, json.dumps(page_ids)),
        )
        row = self.db.execute("SELECT * FROM qa_samples WHERE id=?", (new_id,)).fetchone()
        return SampleRecord(*row)

    def latest_sample(self, batch_id: int) -> SampleRecord | None:
        row = self.db.execute(
            "SELECT * FROM qa_samples WHERE batch_id=? ORDER BY id DESC LIMIT 1", (batch_id,)
        ).fetchone()
        return SampleRecord(*row) if row else None

    def add_decision(self, batch_id: int, page_id: int, sample_id: int | None, decision: str,
                     reason: str | None, who: str, page_sha256: str) -> Decision:
        new_id = self.db.insert(
            "INSERT INTO qa_decisions (batch_id, page_id, sample_id, decision, reason, who, at, page_sha256)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (batch_id, page_id, sample_id, decision, reason, who, utcnow(), page_sha256),
        )
        return Decision(*self.db.execute("SELECT * FROM qa_decisions WHERE id=?", (new_id,)).fetchone())

    def decisions(self, batch_id: int) -> list[Decision]:
        rows = self.db.execute("SELECT * FROM qa_decisions WHERE batch_id=? ORDER BY id", (batch_id,))
        return [Decision(*r) for r in rows]

    # -- access decisions -----------------------------------------------------------------------
    def add_access_decision(self, batch_id: int, document: str, state: str, ground: str | None,
                            until: str | None, regions: list[dict[str, Any]], reason: str, who: str,
                            source: str) -> AccessDecisionRecord:
        new_id = self.db.insert(
            "INSERT INTO access_decisions (batch_id, document, state, ground, until, regions, reason, who, at, source)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (batch_id, document, state, ground, until, json.dumps(regions, sort_keys=True), reason, who, utcnow(),
             source),
        )
        row = self.db.execute("SELECT * FROM access_decisions WHERE id=?", (new_id,)).fetchone()
        return AccessDecisionRecord(*row)

    def access_decisions(self, batch_id: int, document: str | None = None) -> list[AccessDecisionRecord]:
        """Every decision of the batch (or of one document), oldest first."""
        if document is None:
            rows = self.db.execute("SELECT * FROM access_decisions WHERE batch_id=? ORDER BY id", (batch_id,))
        else:
            rows = self.db.execute("SELECT * FROM access_decisions WHERE batch_id=? AND document=? ORDER BY id",
                                   (batch_id, document))
        return [AccessDecisionRecord(*r) for r in rows]

    # -- corrections ----------------------------------------------------------------------------
    def add_correction(self, batch_id: int, page_seq: int | None, dossier: str | None, document: str | None,
                       kind: str, target: str, value: str, source: str, who: str) -> CorrectionRecord:
        new_id = self.db.insert(
            "INSERT INTO corrections (batch_id, page_seq, dossier, document, kind, target, value, source, who, at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (batch_id, page_seq, dossier, document, kind, target, value, source, who, utcnow()),
        )
        return CorrectionRecord(*self.db.execute("SELECT * FROM corrections WHERE id=?", (new_id,)).fetchone())

    def corrections(self, batch_id: int | None = None) -> list[CorrectionRecord]:
        """Every correction of ``batch_id`` (None: of every batch), oldest first."""
        if batch_id is None:
            rows = self.db.execute("SELECT * FROM corrections ORDER BY id")
        else:
            rows = self.db.execute("SELECT * FROM corrections WHERE batch_id=? ORDER BY id", (batch_id,))
        return [CorrectionRecord(*r) for r in rows]

    # -- users of the web application ---------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str, who: str) -> UserRecord:
        now = utcnow()
        new_id = self.db.insert(
            "INSERT INTO users (name, role, password_hash, active, session_version, created_at, created_by,"
            " changed_at) VALUES (?,?,?,1,1,?,?,?)", (name, role, password_hash, now, who, now))
        return self.user_by_id(new_id)

    def user_by_id(self, user_id: int) -> UserRecord | None:
        row = self.db.execute("SELECT * FROM users WHERE id=?", (user_id,)).fetchone()
        return UserRecord(*row) if row else None

    def user_by_name(self, name: str) -> UserRecord | None:
        row = self.db.execute("SELECT * FROM users WHERE name=?", (name,)).fetchone()
        return UserRecord(*row) if row else None

    def users(self) -> list[UserRecord]:
        return [UserRecord(*r) for r in self.db.execute("SELECT * FROM users ORDER BY name")]

    def update_user(self, user_id: int, *, role: str | None = None, password_hash: str | None = None,
                    active: bool | None = None) -> UserRecord:
        """Change what is given; every change ends the user's current sessions (session_version)."""
        sets, params = [], []
        for column, value in (("role", role), ("password_hash", password_hash), ("active", active)):
            if value is not None:
                sets.append(f"{column}=?")
                params.append(int(value) if isinstance(value, bool) else value)
        sets += ["session_version=session_version+1", "changed_at=?"]
        self.db.execute(f"UPDATE users SET {', '.join(sets)} WHERE id=?", (*params, utcnow(), user_id))
        return self.user_by_id(user_id)

    # -- events ---------------------------------------------------------------------------------
    def log(self, batch_id: int | None, who: str, action: str, **detail: Any) -> None:
        self.db.execute(
            "INSERT INTO events (batch_id, at, who, action, detail) VALUES (?,?,?,?,?)",
            (batch_id, utcnow(), who, action, json.dumps(detail, sort_keys=True, default=str)),
        )

    def events(self, batch_id: int) -> list[Event]:
        rows = self.db.execute("SELECT * FROM events WHERE batch_id=? ORDER BY id", (batch_id,))
        return [Event(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    def count_events(self, who: str, action: str, since: str) -> int:
        """How many ``action`` events ``who`` caused at or after ``since`` (ISO time, UTC)."""
        return self.db.execute("SELECT COUNT(*) FROM events WHERE who=? AND action=? AND at>=?",
                               (who, action, since)).fetchone()[0]

    def last_event(self, batch_id: int, action: str) -> Event | None:
        """The batch's latest event of one kind (a reader that needs only the last run's start need
        not read and parse the batch's whole log: the catalog asks on every portal request)."""
        row = self.db.execute("SELECT * FROM events WHERE batch_id=? AND action=? ORDER BY id DESC LIMIT 1",
                              (batch_id, action)).fetchone()
        return Event(row[0], row[1], row[2], row[3], row[4], json.loads(row[5])) if row else None

    # -- outputs --------------------------------------------------------------------------------
    def output(self, batch_id: int, kind: str, key: str) -> OutputRecord | None:
        row = self.db.execute(
            "SELECT * FROM outputs WHERE batch_id=? AND kind=? AND key=?", (batch_id, kind, key)
        ).fetchone()
        return OutputRecord(*row) if row else None

    def outputs(self, batch_id: int) -> list[OutputRecord]:
        rows = self.db.execute("SELECT * FROM outputs WHERE batch_id=? ORDER BY id", (batch_id,))
        return [OutputRecord(*r) for r in rows]

    def outputs_at(self, path: str) -> list[OutputRecord]:
        """Every output recorded at ``path``, of any batch (one path has one owner)."""
        rows = self.db.execute("SELECT * FROM outputs WHERE path=? ORDER BY id", (path,))
        return [OutputRecord(*r) for r in rows]

    def delete_output(self, batch_id: int, kind: str, key: str) -> None:
        self.db.execute("DELETE FROM outputs WHERE batch_id=? AND kind=? AND key=?", (batch_id, kind, key))

    def record_output(
        self, batch_id: int, kind: str, key: str, path: str, sha256: str, size: int, fingerprint: str,
        checks: list[str] | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO outputs (batch_id, kind, key, path, sha256, size, fingerprint, created_at, checks)"
            " VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (batch_id, kind, key) DO UPDATE SET"
            " path=excluded.path, sha256=excluded.sha256, size=excluded.size,"
            " fingerprint=excluded.fingerprint, created_at=excluded.created_at, checks=excluded.checks",
            (batch_id, kind, key, path, sha256, size, fingerprint, utcnow(), json.dumps(checks or [])),
        )


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
