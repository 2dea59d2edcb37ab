"""The local BAG index: an SQLite file in the workspace built from an extract, history included.

Every voorkomen (version) of every object is kept, so withdrawn nummeraanduidingen and demolished
panden stay findable. An import builds a new file beside the current one and replaces it only
when it is complete: a failed import (corrupt zip, wrong schema, XML bomb) leaves the index as it
was. ``--gemeente`` keeps the objects of one gemeente (its woonplaatsen, their openbare ruimten,
their addresses, the objects with those addresses and their panden); memory stays bounded by the
gemeente, not by the extract.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from digitalisering.bag.extract import TYPES, BagRecord, Extract, parse_objects, parse_relations, stand_date
from digitalisering.errors import ConfigError, ExtractError, StateError
from digitalisering.fileio import atomic_path

INDEX_FILE = "bag.sqlite"
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE woonplaats (id TEXT, voorkomen INTEGER, naam TEXT, status TEXT, begin TEXT, eind TEXT);
CREATE TABLE gemeente_woonplaats (gemeente TEXT, woonplaats TEXT, begin TEXT, eind TEXT);
CREATE TABLE openbare_ruimte (id TEXT, voorkomen INTEGER, naam TEXT, verkorte_naam TEXT, woonplaats_id TEXT,
                              status TEXT, begin TEXT, eind TEXT);
CREATE TABLE nummeraanduiding (id TEXT, voorkomen INTEGER, openbare_ruimte_id TEXT, huisnummer INTEGER,
                               huisletter TEXT, toevoeging TEXT, postcode TEXT, status TEXT, begin TEXT, eind TEXT);
CREATE TABLE adresseerbaar (type TEXT, id TEXT, voorkomen INTEGER, num_id TEXT, rol TEXT, status TEXT,
                            begin TEXT, eind TEXT, x REAL, y REAL);
CREATE TABLE vbo_pand (vbo_id TEXT, voorkomen INTEGER, pand_id TEXT);
CREATE TABLE vbo_gebruiksdoel (vbo_id TEXT, voorkomen INTEGER, doel TEXT);
CREATE TABLE pand (id TEXT, voorkomen INTEGER, status TEXT, bouwjaar INTEGER, begin TEXT, eind TEXT);
"""
INDEXES = """
CREATE INDEX opr_naam ON openbare_ruimte (naam);
CREATE INDEX opr_id ON openbare_ruimte (id);
CREATE INDEX num_street ON nummeraanduiding (openbare_ruimte_id, huisnummer);
CREATE INDEX num_postcode ON nummeraanduiding (postcode, huisnummer);
CREATE INDEX num_id ON nummeraanduiding (id);
CREATE INDEX ao_num ON adresseerbaar (num_id);
CREATE INDEX ao_id ON adresseerbaar (id);
CREATE INDEX vbo_pand_vbo ON vbo_pand (vbo_id);
CREATE INDEX pand_id ON pand (id);
CREATE INDEX vbo_doel ON vbo_gebruiksdoel (vbo_id);
"""
BATCH = 5000


@dataclass
class ImportReport:
    path: str
    stand_date: str | None
    gemeente: str | None
    counts: dict[str, int] = field(default_factory=dict)
    """Voorkomens imported per object type."""
    read: int = 0
    """Voorkomens read (all types, before the gemeente filter)."""
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


def read_meta(db_path: Path) -> dict[str, str]:
    if not Path(db_path).exists():
        return {}
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT key, value FROM meta"))


class _Writer:
    """Buffers rows per table and writes them in batches."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.rows: dict[str, list[tuple]] = {}

    def add(self, table: str, row: tuple) -> None:
        rows = self.rows.setdefault(table, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            rows = self.rows.get(name) or []
            if rows:
                marks = ",".join("?" * len(rows[0]))
                self.conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
                rows.clear()


class _Filter:
    """Which objects belong to the gemeente (None: all)."""

    def __init__(self, gemeente: str | None):
        self.gemeente = gemeente
        self.woonplaatsen: set[str] = set()
        self.streets: set[str] = set()
        self.addresses: set[str] = set()
        self.panden: set[str] = set()

    def keep(self, rec: BagRecord) -> bool:
        if self.gemeente is None:
            return True
        if rec.type == "WPL":
            return rec.id in self.woonplaatsen
        if rec.type == "OPR":
            if rec.parent in self.woonplaatsen:
                self.streets.add(rec.id)
                return True
            return False
        if rec.type == "NUM":
            if rec.parent in self.streets:
                self.addresses.add(rec.id)
                return True
            return False
        if rec.type in ("VBO", "LIG", "STA"):
            if rec.hoofdadres in self.addresses or any(n in self.addresses for n in rec.nevenadressen):
                self.panden.update(rec.panden)
                return True
            return False
        # a pand without any address (a shed, a demolished barn) is the gemeente's by its id, whose
        # first four digits are the code of the gemeente that issued it
        return rec.id in self.panden or rec.id.startswith(self.gemeente)  # PND


def _write(writer: _Writer, rec: BagRecord) -> None:
    v = rec.voorkomen
    if rec.type == "WPL":
        writer.add("woonplaats", (rec.id, v.number, rec.name, rec.status, v.begin, v.end))
    elif rec.type == "OPR":
        writer.add("openbare_ruimte", (rec.id, v.number, rec.name, rec.short_name, rec.parent, rec.status,
                                       v.begin, v.end))
    elif rec.type == "NUM":
        writer.add("nummeraanduiding", (rec.id, v.number, rec.parent, rec.huisnummer, rec.huisletter,
                                        rec.toevoeging, rec.postcode, rec.status, v.begin, v.end))
    elif rec.type in ("VBO", "LIG", "STA"):
        x, y = rec.point or (None, None)
        if rec.hoofdadres:
            writer.add("adresseerbaar", (rec.type, rec.id, v.number, rec.hoofdadres, "hoofd", rec.status,
                                         v.begin, v.end, x, y))
        for num in rec.nevenadressen:
            writer.add("adresseerbaar", (rec.type, rec.id, v.number, num, "neven", rec.status, v.begin, v.end,
                                         x, y))
        for pand in rec.panden:
            writer.add("vbo_pand", (rec.id, v.number, pand))
        for doel in rec.gebruiksdoelen:
            writer.add("vbo_gebruiksdoel", (rec.id, v.number, doel))
    elif rec.type == "PND":
        writer.add("pand", (rec.id, v.number, rec.status, rec.bouwjaar, v.begin, v.end))


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.stem}.lock")


def _leftover_paths(db_path: Path) -> list[Path]:
    """An import's work files beside the index: the index being built and the spool of nested zips."""
    folder = db_path.parent
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.name.startswith(f".{db_path.name}.") and (p.name.endswith(".part") or ".spool-" in p.name))


def _remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as exc:
            raise StateError("cannot remove {path} left by an earlier import: {error}", path=path, error=exc.strerror or exc) from exc


def _try_lock(db_path: Path) -> int | None:
    """The import lock's file descriptor, held, or None when another process holds it."""
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(_lock_path(db_path), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError("cannot lock the BAG index in {parent}: {error}", parent=db_path.parent, error=exc.strerror or exc) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def remove_leftovers(db_path: Path) -> list[Path]:
    """Remove what a killed import left beside ``db_path`` (its part file and spool), unless an import
    is running now. Every ``bag`` command calls this; returns what was removed."""
    db_path = Path(db_path)
    if not _leftover_paths(db_path):
        return []
    fd = _try_lock(db_path)
    if fd is None:  # an import is running: its files are its own
        return []
    try:
        leftovers = _leftover_paths(db_path)
        _remove(leftovers)
        return leftovers
    finally:
        os.close(fd)


@contextmanager
def import_lock(db_path: Path) -> Iterator[None]:
    """Hold the index for one import: a second import is refused (exit 6) rather than clobbering it.
    The lock is an ``flock`` on a file beside the index, which the kernel releases when its owner
    dies however it dies, so the next command knows that the files it finds are left over."""
    for _ in range(10):  # another command may hold it for a moment to remove leftovers
        fd = _try_lock(db_path)
        if fd is not None:
            break
        time.sleep(0.05)
    else:
        try:
            holder = _lock_path(db_path).read_text(encoding="ascii", errors="replace").strip() or "?"
        except OSError:
            holder = "?"
        raise StateError("the BAG index {db_path} is being built by another import (pid {holder}); wait for it to finish", db_path=db_path, holder=holder)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        _remove(_leftover_paths(db_path))
        yield
    finally:
        os.close(fd)


def import_extract(zip_path: Path, db_path: Path, gemeente: str | None = None, *, force: bool = False,
                   progress: Callable[[str, int], None] | None = None) -> ImportReport:
    """Build the index from ``zip_path`` and put it in place at ``db_path`` (atomically).

    One import at a time per index (``import_lock``); its work files (the index being built, the
    spooled nested zip) live beside the index and are removed when it ends, or by the next ``bag``
    command when it was killed."""
    zip_path, db_path = Path(zip_path), Path(db_path)
    if gemeente is not None and not (gemeente.isdigit() and len(gemeente) == 4):
        raise ConfigError("--gemeente must be a four-digit gemeente code such as 0546, not {gemeente!r}", gemeente=gemeente)
    started = time.monotonic()
    report = ImportReport(str(zip_path), None, gemeente)
    with import_lock(db_path), atomic_path(db_path) as tmp:
        try:
            _build(zip_path, tmp, db_path, gemeente, force, progress, report)
        except sqlite3.Error as exc:
            raise StateError("BAG index {db_path}: {error}", db_path=db_path, error=exc) from exc
    report.seconds = time.monotonic() - started
    return report


def _build(zip_path: Path, tmp: Path, db_path: Path, gemeente: str | None, force: bool,
           progress: Callable[[str, int], None] | None, report: ImportReport) -> None:
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        writer, keep = _Writer(conn), _Filter(gemeente)
        seen: set[str] = set()
        spool = db_path.with_name(f".{db_path.name}.spool-{os.getpid()}")
        with Extract(zip_path, spool) as extract:
            for kind, name, stream in extract.parts():
                if report.stand_date is None:
                    report.stand_date = stand_date(stream.head())
                if kind == "GWR":
                    for rel in parse_relations(stream, name):
                        if gemeente is None or rel.gemeente == gemeente:
                            keep.woonplaatsen.add(rel.woonplaats)
                            writer.add("gemeente_woonplaats", (rel.gemeente, rel.woonplaats, rel.begin, rel.end))
                    continue
                seen.add(kind)
                for rec in parse_objects(stream, name):
                    report.read += 1
                    if keep.keep(rec):
                        _write(writer, rec)
                        report.counts[kind] = report.counts.get(kind, 0) + 1
                    if progress and report.read % 50_000 == 0:
                        progress(kind, report.read)
        if "NUM" not in seen or "OPR" not in seen:
            raise ExtractError("BAG extract: {name} has no nummeraanduiding or openbare ruimte parts (not a BAG 2.0 extract?)", name=zip_path.name)
        if not report.read:
            raise ExtractError("BAG extract: {name} holds no BAG 2.0 objects (another schema or version?)", name=zip_path.name)
        if gemeente is not None and not keep.woonplaatsen:
            raise ExtractError("BAG extract: gemeente {gemeente} has no woonplaats in {name}", gemeente=gemeente, name=zip_path.name)
        writer.flush()
        conn.executescript(INDEXES)
        previous = read_meta(db_path)
        if previous.get("stand_date") and report.stand_date and previous["stand_date"] > report.stand_date \
                and not force:
            raise StateError("the BAG index holds a newer extract ({stand_date}) than {name} ({stand_date2}); use --force to replace it anyway", stand_date=previous['stand_date'], name=zip_path.name, stand_date2=report.stand_date)
        meta = {"stand_date": report.stand_date or "", "source": zip_path.name, "sha256": _sha256(zip_path),
                "gemeente": gemeente or "", "imported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                **{f"count_{k}": str(v) for k, v in report.counts.items()}}
        conn.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
        conn.commit()
    finally:
        conn.close()


__all__ = ["INDEX_FILE", "TYPES", "ImportReport", "import_extract", "import_lock", "read_meta", "remove_leftovers"]
