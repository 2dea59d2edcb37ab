"""Where ``access publish`` may write, and what a republication leaves: the public folder never
replaces an archival file and never keeps what the current decisions withhold.

Reproduced before the fix (each test below failed on the old code):
- ``access publish B --to OUT`` (the run's output folder) replaced the archival PDF of the redacted
  document by its redacted copy, then stopped with exit 15 (a traceback in crash.log).
- ``--to DELIVERY`` wrote PDFs and ALTO files into the scanner's dossier folders (the next ingest
  lists them as scans), exit 15.
- ``--to openbaar`` (a relative folder, as the README shows it) stopped with exit 15 when the batch
  had a redacted document.
- Published again into the same folder after a document was restricted: its earlier open PDF and
  ALTO stayed in the public folder (only openbaar.json said "restricted").
- A publication that failed half-way left a half-written folder in place of the previous one.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "web"))

from accessfixture import REDACTED, build  # noqa: E402

from digitalisering.cli import main  # noqa: E402
from digitalisering.metadata.fixity import sha256_file  # noqa: E402


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build(tmp_path_factory.mktemp("publish"))


def _cli(ws_root: Path, *args: str):
    return CliRunner().invoke(main, ["--workspace", str(ws_root), *args])


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("where", ["out", "out/BWT-1983-0303", "levering", "levering/BWT-1983-0303", "ws/openbaar"])
def test_publishing_into_a_run_a_delivery_or_the_workspace_is_refused(published, where):
    base = published.workspace.root.parent
    before = {name: _tree(base / name) for name in ("out", "levering")}
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(base / where))
    assert res.exit_code == 6, res.output
    assert res.output.strip().startswith("error: refusing to publish into") and len(res.output.strip().splitlines()) == 1
    assert {name: _tree(base / name) for name in ("out", "levering")} == before  # the archival PDF kept


@pytest.mark.slow
def test_a_relative_folder_is_published(published, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", "openbaar")
    assert res.exit_code == 0, res.output
    listing = json.loads((tmp_path / "openbaar" / "openbaar.json").read_text())
    assert {e["state"] for e in listing["documents"]} == {"open", "restricted", "redacted"}
    assert all((tmp_path / "openbaar" / f).is_file() for e in listing["documents"] for f in e["files"])


@pytest.mark.slow
def test_a_folder_whose_parents_do_not_exist_yet_is_published(published, tmp_path):
    """The probe for a disk that loses renamed folders' contents runs where the folders exist (it
    stopped a publication into new folders with "cannot write in ...")."""
    target = tmp_path / "nieuw" / "diep" / "openbaar"
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target))
    assert res.exit_code == 0, res.output
    assert (target / "openbaar.json").is_file() and not list(tmp_path.rglob(".rename-probe*"))


@pytest.mark.slow
def test_a_folder_with_other_files_is_refused(published, tmp_path):
    other = tmp_path / "mijn-map"
    other.mkdir()
    (other / "notities.txt").write_text("van iemand anders")
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(other))
    assert res.exit_code == 6 and "not a publication of batch" in res.output
    assert [p.name for p in other.iterdir()] == ["notities.txt"]


@pytest.mark.slow
def test_a_republication_holds_nothing_the_new_decision_withholds(tmp_path):
    from digitalisering.access.policy import AccessDecision, decide, load_settings
    from digitalisering.store import Store

    pub = build(tmp_path / "b")
    target = tmp_path / "openbaar"
    res = _cli(pub.workspace.root, "access", "publish", pub.batch, "--to", str(target))
    assert res.exit_code == 0, res.output
    assert list(target.glob(f"{REDACTED[0]}/*.pdf"))
    [doc] = pub.dossiers["redacted"].documents
    with Store(pub.workspace.database) as store:
        decide(store, store.find_batch(name=pub.batch),
               AccessDecision(doc.id, "restricted", "persoonlijke_levenssfeer", date(2090, 12, 31),
                              reason="toch beperkt", who="anna", source="archivist"), load_settings())
    res = _cli(pub.workspace.root, "access", "publish", pub.batch, "--to", str(target))
    assert res.exit_code == 0, res.output
    assert not (target / REDACTED[0]).exists()  # before: its redacted copy stayed
    listing = json.loads((target / "openbaar.json").read_text())
    assert sorted(f for e in listing["documents"] for f in e["files"]) == sorted(
        str(p.relative_to(target)) for p in target.rglob("*") if p.is_file() and p.name != "openbaar.json")
    assert not list(tmp_path.glob(".openbaar.part")) and not list(tmp_path.glob(".openbaar.old"))


@pytest.mark.slow
def test_a_publication_that_fails_half_way_leaves_the_previous_one(published, tmp_path, monkeypatch):
    import digitalisering.access.publish as publish

    target = tmp_path / "openbaar"
    assert _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target)).exit_code == 0
    before = _tree(target)

    def dies(source, dest, **kwargs):  # half a PDF written, then Ctrl-C (SIGKILL leaves the same files)
        Path(dest).write_bytes(Path(source).read_bytes()[:1000])
        raise KeyboardInterrupt
    monkeypatch.setattr(publish.shutil, "copyfile", dies)
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target))
    assert res.exit_code == 130
    assert _tree(target) == before
    monkeypatch.undo()
    assert _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target)).exit_code == 0
    assert _tree(target) == before


@pytest.mark.slow
def test_a_republication_keeps_files_the_user_added_to_the_folder(published, tmp_path):
    """Before: the folder counted as an earlier publication (its openbaar.json names the batch) and
    was replaced whole: mijn-notities.txt and foto/a.jpg were deleted, exit 0."""
    target = tmp_path / "openbaar"
    assert _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target)).exit_code == 0
    (target / "mijn-notities.txt").write_text("van de gebruiker")
    (target / "foto").mkdir()
    (target / "foto" / "a.jpg").write_bytes(b"\xff\xd8jpeg")
    before = _tree(target)
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target))
    assert res.exit_code == 6, res.output
    assert len(res.output.strip().splitlines()) == 1 and "foto" in res.output
    assert _tree(target) == before
    (target / "foto" / "a.jpg").unlink()
    (target / "foto").rmdir()
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target))
    assert res.exit_code == 6 and "mijn-notities.txt" in res.output
    (target / "mijn-notities.txt").unlink()
    assert _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target)).exit_code == 0


def _as_mount_point(monkeypatch, target: Path) -> None:
    """``target`` behaves as the root of a mounted disk: renaming it fails as the kernel does (EBUSY)."""
    import errno
    import os

    import digitalisering.access.publish as publish

    real_ismount, real_replace = os.path.ismount, os.replace
    monkeypatch.setattr(publish.os.path, "ismount", lambda p: Path(p) == target or real_ismount(p))

    def replace(src, dst, **kwargs):
        if target in (Path(src), Path(dst)):
            raise OSError(errno.EBUSY, "Device or resource busy")
        return real_replace(src, dst, **kwargs)
    monkeypatch.setattr(publish.os, "replace", replace)


@pytest.mark.slow
def test_the_root_of_a_mounted_disk_is_published_and_republished(tmp_path, monkeypatch):
    """Before: the work folder was made beside the disk root and renamed onto it: exit 6 ("Device or
    resource busy") every time; the lock file stayed in the parent."""
    from digitalisering.access.policy import AccessDecision, decide, load_settings
    from digitalisering.store import Store

    pub = build(tmp_path / "b")
    disk = tmp_path / "schijf"
    (disk / "lost+found").mkdir(parents=True)
    _as_mount_point(monkeypatch, disk)
    res = _cli(pub.workspace.root, "access", "publish", pub.batch, "--to", str(disk))
    assert res.exit_code == 0, res.output
    listing = json.loads((disk / "openbaar.json").read_text())
    assert all((disk / f).is_file() for e in listing["documents"] for f in e["files"])
    assert list(disk.glob(f"{REDACTED[0]}/*.pdf"))
    [doc] = pub.dossiers["redacted"].documents
    with Store(pub.workspace.database) as store:
        decide(store, store.find_batch(name=pub.batch),
               AccessDecision(doc.id, "restricted", "persoonlijke_levenssfeer", date(2090, 12, 31),
                              reason="toch beperkt", who="anna", source="archivist"), load_settings())
    res = _cli(pub.workspace.root, "access", "publish", pub.batch, "--to", str(disk))
    assert res.exit_code == 0, res.output
    assert not (disk / REDACTED[0]).exists()  # what the new decision withholds is gone
    listing = json.loads((disk / "openbaar.json").read_text())
    assert sorted(f for e in listing["documents"] for f in e["files"]) == sorted(
        str(p.relative_to(disk)) for p in disk.rglob("*") if p.is_file() and p.name != "openbaar.json")
    assert sorted(p.name for p in disk.iterdir() if p.name.startswith(".") or p.name == "lost+found") == ["lost+found"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "schijf"]  # nothing left beside the disk


@pytest.mark.slow
def test_a_folder_whose_parent_is_not_writable_is_published_inside_it(published, tmp_path, monkeypatch):
    import os

    import digitalisering.access.publish as publish

    target = tmp_path / "openbaar"
    target.mkdir()
    real_access = os.access
    monkeypatch.setattr(publish.os, "access", lambda p, mode, **kw: False if Path(p) == tmp_path
                        else real_access(p, mode, **kw))
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target))
    assert res.exit_code == 0, res.output
    assert [p.name for p in tmp_path.iterdir()] == ["openbaar"]  # before: .openbaar.lock made in the parent
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_the_lock_file_is_removed_and_a_publication_killed_between_its_renames_comes_back(
        published, tmp_path, monkeypatch):
    """Before: .openbaar.lock stayed beside the folder; a publication killed after moving the old
    folder aside (.openbaar.old, no openbaar) lost it: the next publication deleted .openbaar.old."""
    import digitalisering.access.publish as publish

    target = tmp_path / "openbaar"
    assert _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target)).exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["openbaar"]
    before = _tree(target)
    target.rename(tmp_path / ".openbaar.old")  # killed between os.replace(target, old) and os.replace(work, target)

    def dies(source, dest, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(publish.shutil, "copyfile", dies)
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target))
    assert res.exit_code == 130
    assert _tree(target) == before


@pytest.mark.slow
def test_on_a_disk_that_loses_renamed_folders_a_folder_in_new_folders_is_published(published, tmp_path,
                                                                                    monkeypatch):
    """On a disk that loses a renamed folder's contents (fusefat) the publication is built inside
    its folder, which is made first; in folders that did not exist yet that failed ("cannot write
    in ...: No such file or directory"), where any other disk made them."""
    from digitalisering.access import publish

    monkeypatch.setattr(publish, "folder_renames_keep_contents", lambda parent: False)
    target = tmp_path / "nieuw" / "diep" / "openbaar"
    res = _cli(published.workspace.root, "access", "publish", published.batch, "--to", str(target))
    assert res.exit_code == 0, res.output
    assert (target / "openbaar.json").is_file()
