"""The portal's redacted copies stay inside ``<workspace>/openbaar/<batch>/`` whatever the document id.

Reproduced before the fix (failed on the old code): a dossier id read from a separator sheet
(``DOSSIER:../../../x``) became part of the copy's file name, and the copy was written outside
the workspace. (Superseded copies are found by the same name: ``copy_key``.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digitalisering.access.copies import COPIES_DIR, RedactedDocument, copy_key
from digitalisering.access.policy import AccessDecision
from digitalisering.fileio import is_within


@dataclass
class _Workspace:
    root: Path


class _Store:
    def find_batch(self, name):
        return None


@dataclass
class _Catalog:
    workspace: _Workspace
    store: _Store


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
    copy = RedactedDocument(_Catalog(_Workspace(tmp_path / "ws"), _Store()), "lev", doc,
                            AccessDecision(doc.id, "redacted", reason="test", who="anna", at="2026-12-07T10:00:00+00:00"))
    pdf = copy.pdf()
    assert made == [pdf]
    assert is_within(pdf, tmp_path / "ws" / COPIES_DIR / "lev")
    assert pdf.name.startswith("buiten_x-01-") and "/" not in pdf.name
    assert copy_key("BWT-1983-0303-01") == "BWT-1983-0303-01"  # a safe id keeps its name (copies made before)
    assert not (tmp_path / "buiten").exists() and not (tmp_path.parent / "buiten").exists()
