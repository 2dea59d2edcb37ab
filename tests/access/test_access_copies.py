"""Superseded redacted copies leave the workspace: once the new decision needs no copy, or once its
own copy is complete; never the current decision's copy, never another document's files, and a
removal that was killed halfway is finished by the next one (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digitalisering.access.copies import COPIES_DIR, REMOVING, copy_files, copy_version, remove_superseded
from digitalisering.access.policy import AccessDecision, Region, decide, load_settings
from digitalisering.locks import FileLock

DOC = "BWT-1983-0303-01"
OTHER = "BWT-1983-0303-01-1"
"""Another document whose id starts with DOC's."""
PAGES = 2


@pytest.fixture
def batch(store):
    return store.create_batch("b1", "/levering", "folders", "tester")


@pytest.fixture
def folder(workspace) -> Path:
    return workspace.root / COPIES_DIR / "b1"


def redact(store, batch, document: str = DOC, left: int = 10) -> AccessDecision:
    return decide(store, batch, AccessDecision(document, "redacted", "persoonlijke_levenssfeer", date(2099, 12, 31),
                                               (Region(1, left, 20, 90, 12, "bsn"),), reason="BSN", who="anna",
                                               source="archivist"), load_settings())


def make_copy(folder: Path, document: str, decision: AccessDecision, pages: int = PAGES) -> list[Path]:
    """The files ``RedactedDocument.pdf`` leaves for a copy: PDF, one ALTO per page, its lock file."""
    stem = f"{document}-{copy_version(decision)}"
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"{stem}.pdf", *(folder / f"{stem}-{n:03d}.alto.xml" for n in range(1, pages + 1)),
             folder / f"{stem}.lock"]
    for path in files:
        path.write_bytes(b"x")
    return files


def test_a_copy_goes_only_once_the_new_decision_has_its_own(store, workspace, batch, folder):
    old = redact(store, batch)
    old_files = make_copy(folder, DOC, old)
    new = redact(store, batch, left=40)
    assert copy_version(new) != copy_version(old)
    # the new copy is not made yet: the old one stays (it is never served for the new decision)
    assert remove_superseded(store, workspace.root, "b1", DOC, pages=PAGES) == []
    assert remove_superseded(store, workspace.root, "b1", DOC) == []
    assert all(p.exists() for p in old_files)
    new_files = make_copy(folder, DOC, new, pages=PAGES - 1)  # incomplete: an ALTO file is missing
    assert remove_superseded(store, workspace.root, "b1", DOC, pages=PAGES) == []
    new_files = make_copy(folder, DOC, new)
    assert remove_superseded(store, workspace.root, "b1", DOC, pages=PAGES) == [copy_version(old)]
    assert not any(p.exists() for p in old_files)
    assert all(p.exists() for p in new_files)
    assert list(copy_files(folder, DOC)) == [copy_version(new)]


@pytest.mark.parametrize("state, ground", [("open", None), ("restricted", "persoonlijke_levenssfeer")])
def test_a_decision_that_needs_no_copy_removes_every_copy_of_its_document_only(store, workspace, batch, folder,
                                                                               state, ground):
    first = make_copy(folder, DOC, redact(store, batch))
    second = make_copy(folder, DOC, redact(store, batch, left=40))
    others = make_copy(folder, OTHER, redact(store, batch, OTHER))
    stranger = folder / f"{DOC}-notes.txt"
    stranger.write_text("not a copy")
    decide(store, batch, AccessDecision(DOC, state, ground, date(2099, 12, 31) if ground else None,
                                        reason="besloten", who="anna", source="archivist"), load_settings())
    assert len(remove_superseded(store, workspace.root, "b1", DOC)) == 2
    assert not any(p.exists() for p in first + second)
    assert all(p.exists() for p in others) and stranger.exists()  # another document's copy, another file


def test_the_current_decisions_copy_is_never_removed(store, workspace, batch, folder):
    current = make_copy(folder, DOC, redact(store, batch))
    for pages in (None, PAGES):
        assert remove_superseded(store, workspace.root, "b1", DOC, pages=pages) == []
    assert all(p.exists() for p in current)


def test_a_copy_being_made_is_left_for_a_later_removal(store, workspace, batch, folder):
    old = redact(store, batch)
    old_files = make_copy(folder, DOC, old)
    new = redact(store, batch, left=40)
    make_copy(folder, DOC, new)
    maker = FileLock(folder / f"{DOC}-{copy_version(old)}.lock")
    assert maker.acquire()
    try:
        assert remove_superseded(store, workspace.root, "b1", DOC, pages=PAGES) == []
        assert all(p.exists() for p in old_files)
    finally:
        maker.release()
    assert remove_superseded(store, workspace.root, "b1", DOC, pages=PAGES) == [copy_version(old)]


def test_a_removal_takes_the_pdf_first_and_a_killed_one_is_finished_later(store, workspace, batch, folder,
                                                                           monkeypatch):
    old = redact(store, batch)
    old_files = make_copy(folder, DOC, old)
    stem = f"{DOC}-{copy_version(old)}"
    (folder / f".work-{stem}").mkdir()
    (folder / f".{stem}-002.alto.xml.abcd1234.part").write_bytes(b"unfinished write")
    decide(store, batch, AccessDecision(DOC, "open", reason="openbaar", who="anna", source="archivist"),
           load_settings())

    real_unlink = Path.unlink

    def killed(self, missing_ok=False):
        raise KeyboardInterrupt  # the process is stopped after the PDF was renamed away

    monkeypatch.setattr(Path, "unlink", killed)
    with pytest.raises(KeyboardInterrupt):
        remove_superseded(store, workspace.root, "b1", DOC)
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert not (folder / f"{stem}.pdf").exists()  # the copy is gone for every reader in one step
    assert (folder / f"{REMOVING}{stem}.pdf").exists() and (folder / f"{stem}-001.alto.xml").exists()
    assert remove_superseded(store, workspace.root, "b1", DOC) == [copy_version(old)]
    assert sorted(p.name for p in folder.iterdir()) == []
    assert not any(p.exists() for p in old_files)
