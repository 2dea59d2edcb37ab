"""Archivists' corrections as data: the split, the types and the address links, with who and when.

Every correction is a row in the state database's ``corrections`` table (SQLite or PostgreSQL)
and is never changed or removed: a later correction of the same subject counts instead, and
``auto`` hands the subject back to the model. Subjects:
- ``boundary`` at a page (``page_seq``): ``split`` (a document starts here) or ``merge`` (this page
  continues the document before it);
- ``type`` of the document holding a page: a type name of the vocabulary;
- ``address`` of a dossier: ``target`` a nummeraanduiding id, value ``object`` (it is the
  dossier's object) or ``not_object``.
The review page records them with ``record_correction``; ``run --overrides FILE`` records the
file's lines (source ``overrides``); ``run`` applies the current ones without reading a page
again, and ``digitalisering learn`` trains from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from digitalisering.documents.overrides import Override, Overrides
from digitalisering.errors import ConfigError
from digitalisering.store import Batch, Store
from digitalisering.store.records import CorrectionRecord

AUTO = "auto"
"""Value that withdraws a correction: the model decides the subject again."""
ACTIONS = ("split", "merge", "type", "address_add", "address_remove", "clear_boundary", "clear_type",
           "clear_address")
SOURCES = ("review", "overrides", "import")


def _batch(store: Store, batch: Batch | str) -> Batch:
    if isinstance(batch, Batch):
        return batch
    found = store.find_batch(name=batch)
    if found is None:
        raise ConfigError("no batch named {batch!r}", batch=batch)
    return found


def record_correction(store: Store, batch: Batch | str, action: str, *, who: str, page: int | None = None,
                      value: str = "", dossier: str | None = None, document: str | None = None,
                      source: str = "review") -> CorrectionRecord:
    """Store one correction and return it.

    ``action``: ``split`` / ``merge`` / ``clear_boundary`` (``page``: the page's seq), ``type`` /
    ``clear_type`` (``page``: any page of the document; ``value``: the type), ``address_add`` /
    ``address_remove`` / ``clear_address`` (``dossier`` and ``value``: the nummeraanduiding id).
    ``document``: the document id as the person saw it (kept for the record). A wrong action, type,
    page or missing field is a ConfigError (one line)."""
    from digitalisering.documents.vocabulary import default_vocabulary

    b = _batch(store, batch)
    if action not in ACTIONS:
        raise ConfigError("correction {action!r}: expected one of {items}", action=action, items=', '.join(ACTIONS))
    if not who.strip():
        raise ConfigError("a correction needs who made it")
    if source not in SOURCES:
        raise ConfigError("correction source {source!r}: expected one of {items}", source=source, items=', '.join(SOURCES))
    value = value.strip()
    if action in ("split", "merge", "clear_boundary", "type", "clear_type"):
        if page is None or page not in {p.seq for p in store.pages(b.id)}:
            raise ConfigError("correction {action}: page {page} is not a page of batch {name}", action=action, page=page, name=b.name)
    if action in ("split", "merge", "clear_boundary"):
        kind, target, stored = "boundary", "", AUTO if action == "clear_boundary" else action
    elif action in ("type", "clear_type"):
        names = default_vocabulary().type_names
        if action == "type" and value not in names:
            raise ConfigError("correction type: {value!r} is not a document type; expected one of {items}", value=value, items=', '.join(names))
        kind, target, stored = "type", "", AUTO if action == "clear_type" else value
    else:
        if not dossier or not value.isdigit() or len(value) != 16:
            raise ConfigError("correction {action}: needs a dossier and a nummeraanduiding id (16 digits), got dossier {dossier!r}, id {value!r}", action=action, dossier=dossier, value=value)
        kind, target = "address", value
        stored = {"address_add": "object", "address_remove": "not_object", "clear_address": AUTO}[action]
    rec = store.add_correction(b.id, page, dossier, document, kind, target, stored, source, who.strip())
    store.log(b.id, who.strip(), "correction", kind=kind, page=page, dossier=dossier, document=document,
              target=target, value=stored, source=source)
    return rec


def corrections_for(store: Store, batch: Batch | str) -> list[CorrectionRecord]:
    """Every correction of the batch, the earlier ones included, oldest first."""
    return store.corrections(_batch(store, batch).id)


def _subject(c: CorrectionRecord) -> tuple:
    return (c.kind, c.dossier, c.target) if c.kind == "address" else (c.kind, c.page_seq)


def current(corrections: list[CorrectionRecord]) -> list[CorrectionRecord]:
    """The corrections that count: the latest per subject, those withdrawn (``auto``) left out."""
    latest: dict[tuple, CorrectionRecord] = {}
    for c in corrections:
        latest[_subject(c)] = c
    return [c for c in latest.values() if c.value != AUTO]


def as_overrides(corrections: list[CorrectionRecord], source: str = "corrections") -> Overrides:
    """The current split and type corrections as the split reads them."""
    items = [Override(c.page_seq, c.value, "") if c.kind == "boundary" else Override(c.page_seq, "type", c.value)
             for c in sorted(current(corrections), key=lambda c: c.id) if c.kind in ("boundary", "type")
             and c.page_seq is not None]
    return Overrides(items, source)


def address_corrections(corrections: list[CorrectionRecord]) -> dict[str, dict[str, bool]]:
    """Dossier id -> nummeraanduiding id -> is the dossier's object (current address corrections)."""
    out: dict[str, dict[str, bool]] = {}
    for c in current(corrections):
        if c.kind == "address" and c.dossier:
            out.setdefault(c.dossier, {})[c.target] = c.value == "object"
    return out


@dataclass
class FileRecorded:
    added: int
    withdrawn: int


def record_overrides(store: Store, batch: Batch, overrides: Overrides, who: str) -> FileRecorded:
    """Store the lines of an ``--overrides`` file as corrections (source ``overrides``). A line that
    already counts is not stored again; a correction of an earlier file that this file no longer
    has is withdrawn (the file is the operator's whole list, as before; corrections made in the
    review page stay)."""
    existing = corrections_for(store, batch)
    now = {_subject(c): c for c in current(existing)}
    wanted: dict[tuple, tuple[str, Override]] = {}
    for o in overrides.items:
        if o.action in ("split", "merge"):
            wanted[("boundary", o.page)] = (o.action, o)
        elif o.action == "type":
            wanted[("type", o.page)] = (o.value, o)
    added = withdrawn = 0
    with store.transaction():
        for subject, (value, o) in wanted.items():
            have = now.get(subject)
            if have is not None and have.value == value:
                continue
            action = o.action
            record_correction(store, batch, action, who=who, page=o.page, value=o.value, source="overrides")
            added += 1
        for subject, c in now.items():
            if c.source == "overrides" and subject not in wanted:
                record_correction(store, batch, "clear_boundary" if c.kind == "boundary" else "clear_type",
                                  who=who, page=c.page_seq, source="overrides")
                withdrawn += 1
    return FileRecorded(added, withdrawn)
