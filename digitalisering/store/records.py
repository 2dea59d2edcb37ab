"""Rows of the state database as small dataclasses."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


class PageStatus:
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    RESCAN = "rescan"
    ALL = (PENDING, DONE, FAILED, RESCAN)


@dataclass(frozen=True)
class Batch:
    id: int
    name: str
    delivery: str
    layout: str
    created_at: str
    created_by: str

    @property
    def identity(self) -> str:
        """The batch's identity without its delivery folder: the first 32 hex digits of the SHA-256 of
        the delivery folder and the registration time. Written into every PDF (XMP
        ``bd:batchIdentity``), which may be published: the path of the delivery (a server's folder
        names) stays internal, and a same-named batch of another delivery or workspace differs."""
        return hashlib.sha256(f"{self.delivery}\n{self.created_at}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class FileRecord:
    id: int
    batch_id: int
    relpath: str
    folder: str | None
    size: int
    sha256: str
    format: str | None
    page_count: int
    error: str | None
    ingested_at: str
    station: str | None = None
    """The scanning station the file came from (``--station``); None for files ingested before it was kept."""
    scanned_at: str | None = None
    """When the scanner wrote the file (its modification time in the delivery, UTC ISO 8601)."""


@dataclass(frozen=True)
class PageRecord:
    id: int
    batch_id: int
    file_id: int
    page_index: int
    seq: int
    folder: str | None
    status: str
    error: str | None
    result_json: str | None
    attempts: int
    finished_at: str | None

    @property
    def result(self) -> dict[str, Any]:
        return json.loads(self.result_json) if self.result_json else {}


@dataclass(frozen=True)
class Event:
    id: int
    batch_id: int | None
    at: str
    who: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class OutputRecord:
    id: int
    batch_id: int
    kind: str
    key: str
    path: str
    sha256: str
    size: int
    fingerprint: str
    created_at: str
    checks_json: str = "[]"

    @property
    def checks(self) -> list[str]:
        """Names of the checks the output passed when it was written."""
        return json.loads(self.checks_json)


@dataclass(frozen=True)
class SampleRecord:
    """An ISO 2859-1 sample drawn for a batch: the plan (as JSON) and the randomly chosen pages."""

    id: int
    batch_id: int
    drawn_at: str
    drawn_by: str
    plan_json: str
    seed: int
    page_ids_json: str

    @property
    def plan(self) -> dict[str, Any]:
        return json.loads(self.plan_json)

    @property
    def page_ids(self) -> list[int]:
        return json.loads(self.page_ids_json)


@dataclass(frozen=True)
class Decision:
    """An archivist's verdict on one page (every decision is kept; the latest one counts)."""

    id: int
    batch_id: int
    page_id: int
    sample_id: int | None
    decision: str
    reason: str | None
    who: str
    at: str
    page_sha256: str
    """The SHA-256 of the page's source file when it was judged: a re-delivered page is judged anew."""


@dataclass(frozen=True)
class PageVersion:
    """An earlier version of a page, kept when a re-delivery replaced it."""

    id: int
    page_id: int
    file_sha256: str
    status: str
    result_json: str | None
    finished_at: str | None
    replaced_at: str
    replaced_by: str


@dataclass(frozen=True)
class AccessDecisionRecord:
    """A stored access decision on one document (every one kept; the latest counts)."""

    id: int
    batch_id: int
    document: str
    state: str
    """'open', 'restricted' or 'redacted'."""
    ground: str | None
    until: str | None
    """ISO date: the last day of the restriction."""
    regions: str
    """JSON list of the regions to redact: {seq, box: [left, top, width, height], kind, text}."""
    reason: str
    who: str
    at: str
    source: str
    """'default' (from the batch's access settings) or 'archivist'."""


@dataclass(frozen=True)
class CorrectionRecord:
    """One correction by a person (digitalisering/corrections.py says what the fields mean)."""

    id: int
    batch_id: int
    page_seq: int | None
    dossier: str | None
    document: str | None
    kind: str
    target: str
    value: str
    source: str
    who: str
    at: str


@dataclass(frozen=True)
class UserRecord:
    """Someone who signs in to the web application (the portal and the review page)."""

    id: int
    name: str
    role: str
    """'medewerker', 'archivaris' or 'beheerder' (the public needs no account)."""
    password_hash: str
    active: int
    session_version: int
    """Changes with the password, the role and removal: sessions signed in before end."""
    created_at: str
    created_by: str
    changed_at: str
