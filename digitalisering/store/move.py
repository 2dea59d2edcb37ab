"""Move a workspace's state from its SQLite file into an empty PostgreSQL database (``db move``).

A project starts on one station with the state in the workspace (SQLite) and grows to several
stations sharing one PostgreSQL database. The move copies every table the migrations made (batches,
files, pages, events, outputs, QA, page history, access decisions, corrections, users and whatever
later migrations add: the table list is read from the SQLite file, not written down here):

- the target is brought to this version's schema level by the ordinary migrations; the SQLite file
  must be at that same level (it is never migrated, changed or removed here: it stays the fallback);
- a target that already holds state (a row in any of the state's tables) is refused, and so is a
  batch that a run or an ingest holds (its claim is taken and kept until the copy is done, so no run
  starts meanwhile);
- everything is copied in ONE PostgreSQL transaction with COPY, the identity columns' sequences are
  set past the highest id, and every table's row count and checksum are compared with the SQLite
  file's before the commit. Any failure, a mismatch, Ctrl-C or a killed process leaves the target as
  empty as it was (PostgreSQL rolls back what was not committed).

The checksum of a table is the sum (mod 2**256) of the SHA-256 of each row's values, so it does not
depend on the order the databases return rows in (collations differ); a value whose type changed on
the way (a number that became text, a rounded float) changes it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from digitalisering.errors import ConfigError, StateError, first_line
from digitalisering.i18n import timestamp
from digitalisering.store.backend import DB_ENV_VAR, PostgresBackend, SqliteBackend, busy
from digitalisering.store.migrations import MIGRATIONS

_MOD = 2**256


@dataclass(frozen=True)
class TableCopy:
    name: str
    rows: int
    checksum: str
    """Hex of the order-independent row checksum, equal on both sides."""


@dataclass(frozen=True)
class MoveReport:
    source: str
    target: str
    """The PostgreSQL URL with its password hidden."""
    level: int
    tables: list[TableCopy] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


class TableChecksum:
    """Row count and order-independent checksum of a stream of rows."""

    def __init__(self) -> None:
        self.rows = 0
        self._sum = 0

    def add(self, row: Sequence[Any]) -> None:
        text = json.dumps([_plain(v) for v in row], ensure_ascii=False, separators=(",", ":"))
        self._sum = (self._sum + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % _MOD
        self.rows += 1

    @property
    def hex(self) -> str:
        return f"{self._sum:064x}"


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return ["bytes", bytes(value).hex()]
    return value


def is_postgres_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


def move_state(source: Path, target_url: str) -> MoveReport:
    """Copy the whole state from the SQLite file ``source`` into the empty PostgreSQL database at
    ``target_url`` (see the module's docstring). Raises StateError (or ConfigError for a target that
    is not a PostgreSQL URL) with one line; the SQLite file is only read."""
    if not is_postgres_url(target_url):
        raise ConfigError("--to must be a PostgreSQL URL (postgresql://user@host/dbname), not {target_url}",
                          target_url=target_url)
    source = Path(source)
    if not source.is_file():
        raise StateError("no state database at {source}: nothing to move", source=source)
    with ExitStack() as stack:
        src = _open_read_only(source)
        stack.callback(src.close)
        try:
            report = _move(stack, src, source, target_url)
        except sqlite3.DatabaseError as exc:  # a damaged file: found on the way through its pages
            raise StateError("cannot read {source}: {error}; nothing was moved", source=source,
                             error=first_line(exc)) from exc
    _write_moved_marker(source, report.target)
    return report


def _move(stack: ExitStack, src: sqlite3.Connection, source: Path, target_url: str) -> MoveReport:
    level = src.execute("PRAGMA user_version").fetchone()[0]
    if level != len(MIGRATIONS):
        newer = level > len(MIGRATIONS)
        if newer:
            raise StateError("state database {source} is at schema level {level}, this digitalisering at "
                             "{ours}: it was written by a newer version; move it with that version",
                             source=source, level=level, ours=len(MIGRATIONS))
        raise StateError("state database {source} is at schema level {level}, this digitalisering at {ours}: "
                         "run `digitalisering status` on this workspace once to bring it up to date, then move it",
                         source=source, level=level, ours=len(MIGRATIONS))
    for batch_id, name in src.execute("SELECT id, name FROM batches ORDER BY id").fetchall():
        lock = SqliteBackend.claim_lock(source, batch_id)
        if not lock.acquire():
            raise busy(name, lock.holder())
        stack.callback(lock.release)
    tables = _tables_in_order(src)

    from digitalisering.store.db import Store

    store = stack.enter_context(Store(target_url))  # the ordinary migrations make the target's schema
    target = store.db
    assert isinstance(target, PostgresBackend)
    copied: list[TableCopy] = []
    src.execute("BEGIN")  # one read snapshot of the SQLite file for the whole copy
    try:
        with target.transaction():
            target.lock_schema()
            _check_target(target, tables)
            for table, columns in tables:
                copied.append(_copy_table(src, target, table, columns))
            _continue_identities(target, [t for t, _ in tables])
            for table, columns in tables:
                _verify(target, table, columns, next(c for c in copied if c.name == table))
    except target.errors as exc:  # a lost connection, a value the target refuses: rolled back
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StateError("the copy into {target} failed: {reason}; nothing was moved",
                         target=target.location, reason=first) from exc
    src.execute("COMMIT")
    return MoveReport(str(source), target.location, level, copied)


def _open_read_only(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, isolation_level=None,
                               timeout=SqliteBackend.BUSY_S)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StateError("cannot read {source}: {error}; nothing was moved", source=path,
                         error=first_line(exc)) from exc
    return conn


def _tables_in_order(src: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    """The state's tables with their columns, every table after the tables it refers to."""
    names = [r[0] for r in src.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
    refers = {n: {r[2] for r in src.execute(f'PRAGMA foreign_key_list("{n}")')} - {n} for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refers[n] <= set(ordered)]
        if not ready:  # a cycle: cannot happen with the migrations' tables; keep their order
            ready = [n for n in names if n not in ordered]
        ordered += ready
    return [(n, [r[1] for r in src.execute(f'PRAGMA table_info("{n}")')]) for n in ordered]


def _sql():
    from psycopg import sql

    return sql


def _check_target(target: PostgresBackend, tables: list[tuple[str, list[str]]]) -> None:
    sql = _sql()
    have: dict[str, set[str]] = {}
    for table, column in target.conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"):
        have.setdefault(table, set()).add(column)
    for table, columns in tables:
        missing = sorted(set(columns) - have.get(table, set()))
        if missing:
            raise StateError("the target database {target} has no column {table}.{column}, "
                             "although it is at the same schema level; nothing was moved",
                             target=target.location, table=table, column=missing[0])
    # no other station writes into the target until the copy is committed or rolled back
    target.conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
        sql.SQL(", ").join(sql.Identifier(t) for t, _ in tables)))
    for table, _ in tables:
        if target.conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))).fetchone()[0]:
            raise StateError("the target database {target} already holds state (table {table} has rows); "
                             "db move fills an empty database only: nothing was moved",
                             target=target.location, table=table)


def _copy_table(src: sqlite3.Connection, target: PostgresBackend, table: str, columns: list[str]) -> TableCopy:
    sql = _sql()
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    names = ", ".join(f'"{c}"' for c in columns)
    check = TableChecksum()
    with target.conn.cursor() as cur:
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), cols)) as copy:
            for row in _stream(src.execute(f'SELECT {names} FROM "{table}"')):
                check.add(row)
                copy.write_row(row)
    return TableCopy(table, check.rows, check.hex)


def _stream(cursor: sqlite3.Cursor, size: int = 1000) -> Iterable[Sequence[Any]]:
    while rows := cursor.fetchmany(size):
        yield from rows


def _continue_identities(target: PostgresBackend, tables: list[str]) -> None:
    """Set every identity column's sequence past the highest copied id, so that the next row a
    station adds gets a new id (COPY with explicit ids does not move the sequence)."""
    sql = _sql()
    rows = target.conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'").fetchall()
    for table, column in rows:
        if table not in tables:
            continue
        target.conn.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({c}), 0) + 1, false) FROM {t}")
            .format(c=sql.Identifier(column), t=sql.Identifier(table)), (table, column))


def _verify(target: PostgresBackend, table: str, columns: list[str], copied: TableCopy) -> None:
    sql = _sql()
    check = TableChecksum()
    with target.conn.cursor(name=f"verify_{table}") as cur:  # server-side: big tables are not held in memory
        cur.execute(sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(map(sql.Identifier, columns)),
                                                         sql.Identifier(table)))
        for row in cur:
            check.add(row)
    if (check.rows, check.hex) != (copied.rows, copied.checksum):
        if check.rows != copied.rows:
            raise StateError("the copy of table {table} does not match ({ours} rows in SQLite, {theirs} in "
                             "PostgreSQL); nothing was moved", table=table, ours=copied.rows, theirs=check.rows)
        raise StateError("the copy of table {table} does not match (the checksums differ); nothing was moved",
                         table=table)


MOVED_SUFFIX = ".moved"
"""The marker beside a moved SQLite file (``state.sqlite.moved``): where its state went and when."""


def moved_marker(database: Path) -> Path:
    return Path(database).with_name(Path(database).name + MOVED_SUFFIX)


def _write_moved_marker(source: Path, location: str) -> None:
    """Leave word beside the SQLite file (which stays untouched) that its state lives in ``location``
    now (the URL without its password), so that a station that forgets ``--db`` is told so instead
    of writing into the old file unseen (``refuse_moved``)."""
    from datetime import datetime, timezone

    from digitalisering.fileio import write_text_atomic

    try:
        write_text_atomic(moved_marker(source), json.dumps(
            {"moved_to": location, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}, indent=1))
    except OSError as exc:
        raise StateError("the state was moved to {target}, but the note {marker} could not be written beside "
                         "the SQLite file ({error}): stations that leave out --db will use the old file",
                         target=location, marker=moved_marker(source), error=exc.strerror or exc) from exc


def refuse_moved(database: Path) -> None:
    """StateError (exit 6, one line) when ``database`` is a SQLite file whose state ``db move`` moved;
    naming the file with ``--db`` uses it anyway."""
    marker = moved_marker(database)
    if not marker.is_file():
        return
    try:
        note = json.loads(marker.read_text(encoding="utf-8"))
        url, at = str(note["moved_to"]), timestamp(str(note["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        url, at = "?", "?"
    raise StateError("the state of this workspace was moved to {url} ({at}): give --db {url} or set {var}; "
                     "to use the old SQLite file anyway: --db {path}",
                     url=url, at=at, var=DB_ENV_VAR, path=Path(database).resolve())
