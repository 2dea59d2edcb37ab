"""The portal's redacted copies stay inside ``<workspace>/openbaar/<batch>/`` whatever the document id.

Reproduced before the fix (failed on the old code): a dossier id read from a separator sheet
(``DOSSIER:../../../x``) became part of the copy's file name, and the copy was written outside
the workspace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digitalisering.access.copies import COPIES_DIR, RedactedDocument
from digitalisering.access.policy import AccessDecision
from digitalisering.fileio import is_within


@dataclass
class _Workspace:
    root: Path


@dataclass
class _Catalog:
    workspace: _Workspace


@dataclass
class _Document:
    id: str
    pdf: Path
    pages: tuple = ()


def test_a_hostile_document_id_does_not_leave_the_copies_folder(tmp_path, monkeypatch):
    made = []

    def make(self, target: Path) -> None:
        made.append(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF-1.7")
    monkeypatch.setattr(RedactedDocument, "_make", make)
    doc = _Document("../../../buiten/x-01", tmp_path / "out" / "x_-1a2b3c4d" / "x_-1a2b3c4d-01-brief.pdf")
    copy = RedactedDocument(_Catalog(_Workspace(tmp_path / "ws")), "lev", doc,
                            AccessDecision(doc.id, "redacted", reason="test", who="anna", at="2026-12-07T10:00:00+00:00"))
    pdf = copy.pdf()
    assert made == [pdf]
    assert is_within(pdf, tmp_path / "ws" / COPIES_DIR / "lev")
    assert pdf.name.startswith("x_-1a2b3c4d-01-brief-")
    assert not (tmp_path / "buiten").exists() and not (tmp_path.parent / "buiten").exists()
