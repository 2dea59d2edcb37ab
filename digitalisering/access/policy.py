"""Access decisions per document and what each role may see of it: the library API the portal, the
index and ``package`` call.

A decision is one of three states:

- ``open``: everyone sees the document;
- ``restricted``: not public until ``until`` (the last day of the term) on an Archiefwet 2021
  art. 7.2 ``ground``; the public gets a notice that the document exists and why it is closed;
- ``redacted``: the public sees a redacted copy (the confirmed ``regions`` burned into the page
  images, their words removed from the text layer and ALTO: ``access.redact``); the original stays
  restricted.

Decisions are stored with who, when and why (``Store.add_access_decision``); every decision is
kept and the latest counts. Before an archivist decides, the default comes from the batch's access
settings (``access_defaults.toml`` under ``--config``) applied to the run's proposals: e.g. a
document holding personal data is restricted for 75 years after its date. A restriction whose term
has passed is open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from digitalisering.access.detect import KIND_LABELS
from digitalisering.access.proposals import DocumentProposals
from digitalisering.errors import ConfigError, StateError
from digitalisering.metadata.dates import dutch_date
from digitalisering.operator_files import config_error, load_layered_settings

SETTINGS_SCHEMA = "access-settings.schema.json"
STATES = ("open", "restricted", "redacted")
ROLES = ("public", "medewerker", "archivaris", "beheerder")
SYSTEM = "digitalisering"
"""Who a default decision is from."""


@dataclass(frozen=True)
class Region:
    """A confirmed region to redact on one page (pixels of the page as the outputs show it)."""

    seq: int
    left: int
    top: int
    width: int
    height: int
    kind: str = ""
    """What it hides (bsn, person_name, ... or 'manual')."""

    def to_json(self) -> dict:
        return {"seq": self.seq, "box": [self.left, self.top, self.width, self.height], "kind": self.kind}

    @classmethod
    def from_json(cls, data: dict) -> "Region":
        return cls(int(data["seq"]), *(int(v) for v in data["box"]), kind=data.get("kind", ""))


@dataclass(frozen=True)
class AccessDecision:
    document: str
    state: str
    ground: str | None = None
    until: date | None = None
    regions: tuple[Region, ...] = ()
    reason: str = ""
    who: str = SYSTEM
    at: str | None = None
    """When it was stored (None: a default not stored)."""
    source: str = "default"
    """'default' (from the settings) or 'archivist'."""

    def in_force(self, today: date | None = None) -> str:
        """The state that applies today: a restriction or redaction whose term has passed is open."""
        today = today or date.today()
        if self.state != "open" and self.until is not None and self.until < today:
            return "open"
        return self.state

    def to_json(self) -> dict:
        return {"document": self.document, "state": self.state, "ground": self.ground,
                "until": self.until.isoformat() if self.until else None,
                "regions": [r.to_json() for r in self.regions], "reason": self.reason, "who": self.who,
                "at": self.at, "source": self.source}


class Content(str, Enum):
    ORIGINAL = "original"
    REDACTED = "redacted"
    NONE = "none"


@dataclass(frozen=True)
class View:
    """What a role receives of a document."""

    content: Content
    """The original (pages, text, PDF, ALTO), the redacted copy, or nothing of its content."""
    notice: bool
    """A notice that the document exists and is (partly) closed, with the ground and the end date."""
    details: bool = False
    """The decision's reason, who took it and the proposals' evidence (staff)."""
    may_decide: bool = False

    @property
    def sees_content(self) -> bool:
        return self.content is not Content.NONE


def may_see(role: str, decision: AccessDecision, today: date | None = None) -> View:
    """What ``role`` (public, medewerker, archivaris, beheerder) may see of a document under
    ``decision``. The public and a medewerker (municipal staff without the archivist's authority)
    see an open document whole, a redacted one only as its redacted copy and a restricted one not
    at all (a notice); a medewerker also sees why. Archivists and administrators see originals and
    decide. An unknown role sees nothing."""
    if role not in ROLES:
        return View(Content.NONE, notice=False)
    state = decision.in_force(today)
    if role in ("archivaris", "beheerder"):
        return View(Content.ORIGINAL, notice=state != "open", details=True, may_decide=True)
    staff = role == "medewerker"
    if state == "open":
        return View(Content.ORIGINAL, notice=False, details=staff)
    if state == "redacted":
        return View(Content.REDACTED, notice=True, details=staff)
    return View(Content.NONE, notice=True, details=staff)


# --- settings and defaults ---------------------------------------------------------------------

def load_settings(path: Path | None = None) -> dict[str, Any]:
    """The access settings: the shipped defaults with the user's file laid over them (exit 2 and
    ``FILE:LINE`` on a bad file); each default's ground must be one of the [grounds]."""
    settings, user = load_layered_settings("digitalisering.access", "access_defaults.toml", path, SETTINGS_SCHEMA)
    for section in ("personal_data", "vulnerable"):
        ground = settings[section]["ground"]
        if ground not in settings["grounds"]:
            source, line = (user.source, user.line((section, "ground"))) if user else ("access_defaults.toml", None)
            raise config_error(source, line, f"[{section}] ground is \"{ground}\", which is not in [grounds]",
                               "one of " + ", ".join(settings["grounds"]))
    return settings


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_decision(document: str, proposals: DocumentProposals, document_date: date | None,
                     settings: dict[str, Any], today: date | None = None) -> AccessDecision:
    """The decision the settings give a document with these proposals (not stored)."""
    today = today or date.today()
    if proposals.objects:
        cfg = settings["vulnerable"]
        ends = [o.until for o in proposals.objects if o.until]
        until = max(ends) if ends else _add_years(today, cfg["years"])
        why = "; ".join(sorted({o.reason for o in proposals.objects}))
        if cfg["state"] == "restricted":
            return AccessDecision(document, "restricted", cfg["ground"], until, reason=f"kwetsbaar object: {why}")
    cfg = settings["personal_data"]
    found = [p for p in proposals.personal_data if p.confidence >= cfg["min_confidence"]]
    if not found or cfg["state"] == "open":
        return AccessDecision(document, "open", reason="geen persoonsgegevens voorgesteld" if not found else
                              "persoonsgegevens voorgesteld; instelling: openbaar")
    kinds = ", ".join(sorted({KIND_LABELS[p.kind] for p in found}))
    until = _add_years(document_date or today, cfg["years"])
    if until < today:
        return AccessDecision(document, "open", reason=f"persoonsgegevens ({kinds}); termijn van {cfg['years']} "
                                                      f"jaar verstreken op {dutch_date(until)}")
    regions = tuple(Region(p.seq, b.left, b.top, b.width, b.height, p.kind) for p in found for b in p.boxes) \
        if cfg["state"] == "redacted" else ()
    return AccessDecision(document, cfg["state"], cfg["ground"], until, regions,
                          reason=f"persoonsgegevens voorgesteld ({kinds})")


# --- stored decisions -------------------------------------------------------------------------

def _from_record(record) -> AccessDecision:
    return AccessDecision(record.document, record.state, record.ground,
                          date.fromisoformat(record.until) if record.until else None,
                          tuple(Region.from_json(r) for r in json.loads(record.regions)), record.reason,
                          record.who, record.at, record.source)


def history(store, batch, document: str) -> list[AccessDecision]:
    """Every stored decision on the document, oldest first."""
    return [_from_record(r) for r in store.access_decisions(batch.id, document)]


def stored(store, batch) -> dict[str, AccessDecision]:
    """The latest stored decision of every document of the batch that has one."""
    latest: dict[str, AccessDecision] = {}
    for record in store.access_decisions(batch.id):
        latest[record.document] = _from_record(record)
    return latest


def current(store, batch, document: str, default: AccessDecision | None = None) -> AccessDecision:
    """The decision that counts: the latest stored one, else ``default`` (from
    ``default_decision``), else restricted: a document nobody decided on is never public by
    accident."""
    found = store.access_decisions(batch.id, document)
    if found:
        return _from_record(found[-1])
    if default is not None:
        return default
    return AccessDecision(document, "restricted", None, None, reason="nog geen besluit over openbaarheid")


def decide(store, batch, decision: AccessDecision, settings: dict[str, Any], known_documents: set[str] | None = None
           ) -> AccessDecision:
    """Store an archivist's (or a default) decision after checking it: a restriction needs a ground
    from the settings and an end date; a redaction needs regions; open has neither."""
    if known_documents is not None and decision.document not in known_documents:
        raise StateError("batch {name} has no document {document}", name=batch.name, document=decision.document)
    if decision.state not in STATES:
        raise ConfigError("state {state!r}; expected one of {items}", state=decision.state, items=', '.join(STATES))
    if decision.state == "restricted":
        if decision.ground not in settings["grounds"]:
            raise ConfigError("ground {ground!r}; expected one of {items}", ground=decision.ground, items=', '.join(settings['grounds']))
        if decision.until is None:
            raise ConfigError("a restriction without an end date; expected --until YEAR or YYYY-MM-DD")
    if decision.state == "redacted" and not decision.regions:
        raise ConfigError("a redacted copy without regions; expected at least one --region SEQ:LEFT,TOP,WIDTH,HEIGHT")
    if decision.state == "open" and (decision.regions or decision.ground):
        raise ConfigError("an open document has no ground or regions")
    if not decision.reason.strip():
        raise ConfigError("a decision without a reason; expected --reason TEXT")
    record = store.add_access_decision(batch.id, decision.document, decision.state, decision.ground,
                                       decision.until.isoformat() if decision.until else None,
                                       [r.to_json() for r in decision.regions], decision.reason, decision.who,
                                       decision.source)
    store.log(batch.id, decision.who, "access.decided", document=decision.document, state=decision.state,
              ground=decision.ground, until=record.until, regions=len(decision.regions), source=decision.source)
    return _from_record(record)


@dataclass
class DocumentAccess:
    """One document's row for ``access list``: its proposals, default and current decision."""

    document: str
    proposals: DocumentProposals
    default: AccessDecision
    current: AccessDecision
    history: list[AccessDecision] = field(default_factory=list)


def batch_access(store, batch, results: dict[str, Any], settings: dict[str, Any],
                 today: date | None = None) -> list[DocumentAccess]:
    """Every document of the run's results with its proposals and decisions."""
    latest = stored(store, batch)
    dossier_to = {d["id"]: (d.get("period") or {}).get("to") for d in results["dossiers"]}
    out = []
    for doc in results["documents"]:
        proposals = DocumentProposals.from_json(doc.get("access_proposals"))
        written = doc.get("dates") or []
        when = written[-1] if written else dossier_to.get(doc["dossier"])
        default = default_decision(doc["id"], proposals, date.fromisoformat(when) if when else None, settings, today)
        out.append(DocumentAccess(doc["id"], proposals, default, latest.get(doc["id"], default),
                                  history(store, batch, doc["id"])))
    return out


def apply_defaults(store, batch, results: dict[str, Any], settings: dict[str, Any], who: str = SYSTEM,
                   today: date | None = None) -> int:
    """Store the default decision of every document that has no decision yet (archivists' ones are
    never overwritten); returns how many were stored."""
    count = 0
    for row in batch_access(store, batch, results, settings, today):
        if row.history:
            continue
        d = row.default
        store.add_access_decision(batch.id, d.document, d.state, d.ground, d.until.isoformat() if d.until else None,
                                  [r.to_json() for r in d.regions], d.reason, who, "default")
        count += 1
    if count:
        store.log(batch.id, who, "access.defaults", documents=count)
    return count


def original_viewer(store, role_of, today: date | None = None):
    """A ``may_view(batch, dossier_id, document_id) -> bool`` for the IIIF blueprint and the portal:
    whether the role ``role_of()`` returns (read inside the request: the signed-in user) may see the
    document's original pages, text, PDF and ALTO. The latest stored decision counts (store the
    defaults with ``access defaults``); a document without one is not shown to the public. Redacted
    documents are refused here: their public face is the redacted copy (``access publish``)."""
    batches: dict[str, Any] = {}

    def may_view(batch_name: str, dossier_id: str | None, document_id: str | None) -> bool:
        if document_id is None:
            return may_see(role_of(), AccessDecision("", "restricted"), today).content is Content.ORIGINAL
        if batch_name not in batches:
            batches[batch_name] = store.find_batch(name=batch_name)
        batch = batches[batch_name]
        if batch is None:
            return False
        view = may_see(role_of(), current(store, batch, document_id), today)
        return view.content is Content.ORIGINAL

    return may_view
