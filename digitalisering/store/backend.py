"""The two databases the state can live in, behind one small interface.

- SQLite (the embedded default): one file in the workspace, WAL mode.
- PostgreSQL (``--db postgresql://...`` or ``DIGITALISERING_DB``): one database shared by several
  scanning stations and the project lead. Needs the ``psycopg`` package.

The store writes its SQL once, in the form both understand (``?`` placeholders, ``INTEGER PRIMARY
KEY`` ids, ``ON CONFLICT ... DO UPDATE``); the PostgreSQL backend translates placeholders and id
columns. Schema levels are ``PRAGMA user_version`` in SQLite and a one-row table in PostgreSQL.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from digitalisering.errors import MissingDependencyError, StateError
from digitalisering.locks import POLL_S, FileLock

DB_ENV_VAR = "DIGITALISERING_DB"


def busy(batch_name: str, holder: str = "") -> StateError:
    if holder:
        return StateError("batch {batch_name} is being processed by another run (pid {holder})", batch_name=batch_name,
                          holder=holder)
    return StateError("batch {batch_name} is being processed by another run (on this or another station)",
                      batch_name=batch_name)


def _registering(delivery: str, wait_s: float) -> StateError:
    return StateError("delivery {delivery} is being registered by another command (waited {wait_s:g} s); run this command again when it is done", delivery=delivery, wait_s=wait_s)


class Backend:
    """A connection in autocommit mode; ``transaction()`` groups statements."""

    name = "?"
    location = "?"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        raise NotImplementedError

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT into a table with an ``id`` column and return the new id."""
        raise NotImplementedError

    def schema_level(self) -> int:
        raise NotImplementedError

    def set_schema_level(self, level: int) -> None:
        raise NotImplementedError

    def ddl(self, statement: str) -> str:
        return statement

    def lock_schema(self) -> None:
        """Within a transaction: wait until no other process is changing the schema (migrations of
        a fresh shared database by two stations at once). SQLite's BEGIN IMMEDIATE does this already."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield  # pragma: no cover

    def serialise(self, topic: str) -> None:
        """Within a transaction: wait until no other process's transaction on ``topic`` is open (two
        new deliveries choosing a batch name, two QA commands drawing a batch's sample). SQLite's
        BEGIN IMMEDIATE does this already."""

    @contextmanager
    def registration(self, delivery: str, wait_s: float) -> Iterator[None]:
        """Held while a delivery is registered: a second command registering the same delivery waits
        (up to ``wait_s`` seconds, then StateError) and then finds it registered."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextmanager
    def batch_claim(self, batch_id: int, batch_name: str) -> Iterator[None]:
        """Held while a command changes or processes a batch (run, re-ingest), so that no other
        command on any station does at the same time: the second is refused (StateError) at once.
        Taking a claim this connection already holds nests."""
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        raise NotImplementedError


def disk_trouble(exc: sqlite3.Error, database: Path | str) -> StateError | None:
    """SQLite's own words for a full disk are vague ("database or disk is full", or "disk I/O error"
    when the write-ahead log or its index cannot grow): one line naming the database, its disk and
    the room left there (exit 6). None for any other error."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return None
    folder = Path(database).parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    if code & 0xFF == sqlite3.SQLITE_FULL and free is not None and free >= FULL_BELOW_BYTES:
        # room beside the database: the full disk is the one of SQLite's temporary files (a large
        # sort or index spills there), which SQLite says in the same words
        return StateError("the state database {path} cannot be written: {error} ({free_mb:.1f} MB free in {folder}); "
                          "is the disk of the temporary folder {tmp} full?", path=database, error=exc, folder=folder,
                          free_mb=free / 1e6, tmp=sqlite_temp_folder())
    if free is None and code & 0xFF == sqlite3.SQLITE_FULL:  # (not "0.0 MB free": that was never measured)
        return StateError("the disk of the state database {path} is full (the free space in {folder} cannot be "
                          "read): make room there and run again", path=database, folder=folder)
    if code & 0xFF == sqlite3.SQLITE_FULL or (free is not None and free < FULL_BELOW_BYTES):
        return StateError("the disk of the state database {path} is full ({free_mb:.1f} MB free in {folder}): "
                          "make room there and run again", path=database, folder=folder,
                          free_mb=free / 1e6)
    if free is None:
        return StateError("the state database {path} cannot be written: {error}", path=database, error=exc)
    return StateError("the state database {path} cannot be written: {error} ({free_mb:.1f} MB free in "
                      "{folder}); check the disk", path=database, error=exc, folder=folder, free_mb=free / 1e6)


def sqlite_temp_folder() -> str:
    """Where SQLite puts its temporary files on Unix: ``SQLITE_TMPDIR``, ``TMPDIR``, then the first
    of /var/tmp, /usr/tmp, /tmp that is a writable folder."""
    import os

    for folder in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp"):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return "."


FULL_BELOW_BYTES = 8 * 1024 * 1024
"""An I/O error of SQLite on a disk with less room than this is taken for a full disk (a write-ahead
log grows by pages of up to 64 KiB, its index by 32 KiB; a few megabytes left is as good as none)."""


@contextmanager
def _disk_errors(database: Path | str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        trouble = disk_trouble(exc, database)
        if trouble is None:
            raise
        raise trouble from exc


class SqliteBackend(Backend):
    name = "sqlite"

    BUSY_S = 30

    def __init__(self, path: Path):
        self.location = str(path)
        self._locks = Path(f"{path}.locks")
        """Lock files of registrations and batch claims (flock: dropped by the kernel when a holder dies)."""
        self._claims: dict[int, list] = {}  # batch id -> [FileLock, depth]
        try:
            self.conn = sqlite3.connect(path, timeout=self.BUSY_S, isolation_level=None, check_same_thread=False)
            self._wal()
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            raise disk_trouble(exc, path) or StateError("cannot open state database {path}: {error}", path=path,
                                                        error=exc) from exc

    def _wal(self) -> None:
        # Switching a new database to WAL needs it to itself and does not wait for the busy timeout:
        # a second command opening the same new workspace at that moment retries.
        deadline = time.monotonic() + self.BUSY_S
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(POLL_S)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with _disk_errors(self.location):
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with _disk_errors(self.location):
            self.conn.executemany(sql, rows)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        with _disk_errors(self.location):
            return self.conn.execute(sql, params).lastrowid

    def schema_level(self) -> int:
        with _disk_errors(self.location):
            return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def set_schema_level(self, level: int) -> None:
        self.conn.execute(f"PRAGMA user_version={int(level)}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # (SQLite rolls back by itself after some I/O errors)
                self.conn.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    @contextmanager
    def registration(self, delivery: str, wait_s: float) -> Iterator[None]:
        lock = FileLock(self._locks / f"delivery-{hashlib.sha256(delivery.encode()).hexdigest()[:16]}.lock")
        if not lock.acquire(wait_s):
            raise _registering(delivery, wait_s)
        try:
            yield
        finally:
            lock.release()

    @staticmethod
    def claim_lock(path: Path, batch_id: int) -> FileLock:
        """The lock file of a batch claim on the SQLite database at ``path`` (``db move`` takes it too)."""
        return FileLock(Path(f"{path}.locks") / f"batch-{batch_id}.lock")

    @contextmanager
    def batch_claim(self, batch_id: int, batch_name: str) -> Iterator[None]:
        held = self._claims.get(batch_id)
        if held is None:
            lock = self.claim_lock(Path(self.location), batch_id)
            if not lock.acquire():
                raise busy(batch_name, lock.holder())
            held = self._claims[batch_id] = [lock, 0]
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
            if not held[1]:
                held[0].release()
                del self._claims[batch_id]

    def close(self) -> None:
        for lock, _ in self._claims.values():
            lock.release()
        self._claims.clear()
        self.conn.close()


SCHEMA_LOCK = zlib.crc32(b"digitalisering:schema")
REGISTRATION_CLASS = zlib.crc32(b"digitalisering:delivery") & 0x7FFFFFFF
"""Registrations use the two-key advisory locks (a key space apart from the one-key batch claims)."""
_ID_COLUMN = re.compile(r"\bid\s+INTEGER PRIMARY KEY\b")
_INTEGER = re.compile(r"\bINTEGER\b")


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError as exc:
            raise MissingDependencyError(
                "PostgreSQL needs the psycopg package: .venv/bin/pip install 'psycopg[binary]'") from exc
        self._psycopg = psycopg
        self.errors = psycopg.Error
        """What the database raises (``db move`` turns it into one line)."""
        self.location = _hide_password(url)
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=15)
        except psycopg.Error as exc:
            raise StateError("cannot connect to the state database {location}: {value}", location=self.location, value=str(exc).strip().splitlines()[0] if str(exc).strip() else exc) from exc
        with self.conn.transaction():  # CREATE TABLE IF NOT EXISTS is not safe against a concurrent one
            self.lock_schema()
            self.conn.execute("CREATE TABLE IF NOT EXISTS digitalisering_schema (level INTEGER NOT NULL)")

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.execute(sql + " RETURNING id", params).fetchone()[0]

    def schema_level(self) -> int:
        row = self.conn.execute("SELECT level FROM digitalisering_schema").fetchone()
        return row[0] if row else 0

    def set_schema_level(self, level: int) -> None:
        self.conn.execute("DELETE FROM digitalisering_schema")
        self.conn.execute("INSERT INTO digitalisering_schema (level) VALUES (%s)", (int(level),))

    def lock_schema(self) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))

    def serialise(self, topic: str) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (zlib.crc32(f"digitalisering:{topic}".encode()),))

    def ddl(self, statement: str) -> str:
        statement = _ID_COLUMN.sub("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", statement)
        return _INTEGER.sub("BIGINT", statement)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    @contextmanager
    def batch_claim(self, batch_id: int, batch_name: str) -> Iterator[None]:
        # a session-level advisory lock: released by the database itself when a killed run's
        # connection goes away, so a crash never leaves a batch locked
        key = zlib.crc32(f"digitalisering:batch:{batch_id}".encode())
        got = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
        if not got:
            raise busy(batch_name)
        try:
            yield
        finally:
            self.conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    @contextmanager
    def registration(self, delivery: str, wait_s: float) -> Iterator[None]:
        # session-level as well: a killed command's lock goes with its connection
        key = (REGISTRATION_CLASS, zlib.crc32(delivery.encode()) - 2**31)
        deadline = time.monotonic() + wait_s
        while not self.conn.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise _registering(delivery, wait_s)
            time.sleep(POLL_S)
        try:
            yield
        finally:
            self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)

    def close(self) -> None:
        self.conn.close()


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def open_backend(target: Path | str) -> Backend:
    """SQLite for a path, PostgreSQL for a ``postgresql://`` (or ``postgres://``) URL."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(text)
    return SqliteBackend(Path(target))
