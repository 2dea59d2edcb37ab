"""The public face of a batch: per document what the public may receive under its decision.

``publish_batch`` writes a folder with, per document, the original PDF and ALTO files when it is
open, a redacted copy (``redact``) when its decision says so, and nothing when it is restricted;
every redacted copy passes ``leak_check`` before it is listed, else the command fails (a leak is
never an output). ``public_copy`` makes one redacted copy; ``package --public`` uses it too.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from digitalisering.access.policy import AccessDecision, batch_access
from digitalisering.access.redact import PublicCopy, SourcePage, leak_check, write_public_copy
from digitalisering.documents.vocabulary import type_label
from digitalisering.errors import StateError
from digitalisering.fileio import ensure_inside, folder_renames_keep_contents, is_within, require_text_path, write_text_atomic
from digitalisering.ocr.model import PageText
from digitalisering.pagerecord import PageResult
from digitalisering.pdfa.writer import PdfInfo
from digitalisering.i18n import Word

PUBLIC_INDEX = "openbaar.json"


def source_pages(store, workspace, batch, seqs: list[int]) -> list[SourcePage]:
    """The pages ``seqs`` as the document PDF shows them (image, words, resolution, skew)."""
    by_seq = {p.seq: p for p in store.pages(batch.id)}
    out = []
    for seq in seqs:
        page = by_seq[seq]
        record = PageResult.from_json(page.result)
        page_dir = workspace.page_dir(batch.name, page.id)
        encode = record.encode
        if encode is None or record.artifacts.image is None:
            raise StateError("page {seq} of batch {name} has no page image (run the batch first)", seq=seq, name=batch.name)
        words = record.artifact_path(page_dir, "words")
        text = PageText.read(words) if words and words.exists() else None
        out.append(SourcePage(seq, page_dir / record.artifacts.image, text, encode.dpi, encode.deskew_deg,
                              tuple(encode.paper_colour)))
    return out


def public_copy(store, workspace, batch, doc: dict[str, Any], decision: AccessDecision, pdf_path: Path,
                work_dir: Path) -> PublicCopy:
    """The redacted copy of document ``doc`` (its results.json entry) at ``pdf_path``, its ALTO files
    beside it, leak-checked (StateError naming what leaks: the files are removed)."""
    seqs = [a["seq"] for a in doc["output"]["alto"]]
    created = datetime.fromisoformat(decision.at) if decision.at else datetime.now(timezone.utc)
    info = PdfInfo(title=f"Bouwdossier {doc['dossier']}, document {doc['index']}: {type_label(doc['type'])} "
                         f"(openbare kopie, geanonimiseerd)", created=created,
                   subject=f"Openbare kopie; besluit: {decision.reason}", dossier_id=doc["dossier"],
                   document_id=doc["id"], document_type=doc["type"], batch=batch.name)
    stem = pdf_path.name[:-4] if pdf_path.name.lower().endswith(".pdf") else pdf_path.name
    copy = write_public_copy(source_pages(store, workspace, batch, seqs), list(decision.regions), pdf_path, info,
                             lambda n: pdf_path.with_name(f"{stem}-{n:03d}.alto.xml"), work_dir)
    problems = leak_check(copy)
    if problems:
        for path in [copy.pdf, *copy.alto]:
            path.unlink(missing_ok=True)
        raise StateError("the redacted copy of {id} leaks: {items}", id=doc['id'], items='; '.join(problems))
    return copy


@dataclass
class PublishReport:
    target: Path
    open: list[str] = field(default_factory=list)
    redacted: list[str] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)


def _read_index(folder: Path) -> dict | None:
    try:
        index = json.loads((folder / PUBLIC_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) else None


def _earlier_publication(target: Path) -> str | None:
    """The batch whose publication ``target`` holds (its ``openbaar.json``), or None."""
    return (_read_index(target) or {}).get("batch")


def _listed_files(index: dict | None) -> set[str]:
    """The files an ``openbaar.json`` lists (paths relative to its folder)."""
    out: set[str] = set()
    for entry in (index or {}).get("documents") or []:
        if isinstance(entry, dict):
            out.update(f for f in entry.get("files") or [] if isinstance(f, str))
    return out


def _own_hidden(target: Path) -> set[str]:
    """Entries of ``target`` that are not part of any publication and stay: the work folder and lock
    of a publication made in place (``publish_batch``), a disk root's lost+found."""
    return {f".{PUBLIC_INDEX}.part", f".{PUBLIC_INDEX}.lock"} | ({"lost+found"} if os.path.ismount(target) else set())


def _foreign_entry(target: Path) -> str | None:
    """The first entry of the earlier publication ``target`` that the publication did not write (a
    file someone added to the public folder), or None. Republishing replaces the whole folder, so
    such a file would be lost."""
    own = _listed_files(_read_index(target)) | {PUBLIC_INDEX}
    # a publication made in place and killed half-way: files of the new one are already in place
    own |= _listed_files(_read_index(target / f".{PUBLIC_INDEX}.part"))
    folders = {p.as_posix() for f in own for p in Path(f).parents}
    hidden = _own_hidden(target)
    for path in sorted(target.rglob("*")):
        rel = path.relative_to(target).as_posix()
        if rel in own or rel.split("/")[0] in hidden:
            continue
        if path.is_dir() and not path.is_symlink() and rel in folders:
            continue
        return rel
    return None


def check_publish_target(store, workspace, batch, out_dir: Path, target: Path) -> Path:
    """``target`` resolved, when the public folder of ``batch`` may be (re)made there: not inside a
    run's output folder (the redacted copy replaced the archival PDF), a delivery (the next ingest
    read the copies as scans), the workspace or a delivery package, and either absent, empty or an
    earlier publication of this batch holding nothing but what that publication wrote (it is replaced
    whole, so a file someone added would be lost); else StateError (exit 6, one line)."""
    from digitalisering.metadata.package import enclosing_bag
    from digitalisering.resultsfile import RESULTS_FILE

    path = require_text_path(Path(target).resolve())
    protected = [("output folder", Path(out_dir)), ("workspace", Path(workspace.root))]
    for what, folder in protected:
        if is_within(path, folder):
            raise StateError("refusing to publish into {path}: it is inside the {what} {folder}; choose a folder of "
                             "its own", path=path, what=Word(what), folder=Path(folder).resolve())
    for b in store.batches():
        if is_within(path, Path(b.delivery)):
            raise StateError("refusing to publish into {path}: it is inside the delivery of batch {name} {folder}; "
                             "choose a folder of its own", path=path, name=b.name, folder=Path(b.delivery).resolve())
    runs = next((f for f in (path, *path.parents) if (f / RESULTS_FILE).is_file()), None)
    if runs is not None:
        raise StateError("refusing to publish into {path}: it is inside the output folder {runs} of a run; choose a folder of its own", path=path, runs=runs)
    bag = enclosing_bag(path)
    if bag is not None:
        raise StateError("refusing to publish into {path}: it is inside the delivery package {bag}", path=path, bag=bag)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise StateError("{path} is not a folder; choose a folder for the public copies", path=path)
    if path.is_dir() and any(p.name not in _own_hidden(path) for p in path.iterdir()) \
            and _earlier_publication(path) != batch.name:
        raise StateError("{path} holds files that are not a publication of batch {name}; choose a new or empty folder",
                         path=path, name=batch.name)
    if path.is_dir():
        foreign = _foreign_entry(path)
        if foreign is not None:
            raise StateError("{target} holds {entry}, which the publication of batch {batch} did not write; "
                             "move it elsewhere or choose another folder (republishing replaces the folder)",
                             target=path, entry=foreign, batch=batch.name)
    return path


def _builds_in_place(target: Path) -> bool:
    """True when the publication cannot be made beside ``target`` and swapped in: ``target`` is the
    root of a mounted disk (a mount point cannot be renamed: EBUSY) or its parent is not writable."""
    return target.is_dir() and (os.path.ismount(target) or not os.access(target.parent, os.W_OK | os.X_OK))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def publish_batch(store, workspace, batch, results: dict[str, Any], out_dir: Path, target: Path,
                  settings: dict[str, Any], today: date | None = None) -> PublishReport:
    """Write what the public may receive of every document into ``target`` (see the module).

    The folder is made beside ``target`` and put in its place when complete, so a publication
    killed half-way leaves the previous one as it was, and a republication after decisions
    changed holds nothing the new decisions withhold (an earlier open PDF of a document that is
    restricted now stayed in the folder). When ``target`` is the root of a mounted disk or its
    parent is not writable, the new publication is made in a hidden folder inside ``target`` and
    moved in file by file (``_swap_in_place``). ``out_dir`` is held for reading meanwhile."""
    from digitalisering.locks import FileLock, folder_lock

    target = check_publish_target(store, workspace, batch, out_dir, target)  # before the lock file is made
    in_place = _builds_in_place(target)
    probe_in = next((p for p in target.parents if p.is_dir()), target.parent)  # (the parents are made later)
    if not in_place and not folder_renames_keep_contents(probe_in):
        # a disk that loses a renamed folder's contents (fusefat): the publication was swapped in
        # empty and reported as made; built inside the folder, it is moved in file by file
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError("cannot write in {parent}: {error}", parent=target.parent, error=exc.strerror or exc) from exc
        in_place = True
    hidden = (lambda suffix: target / f".{PUBLIC_INDEX}.{suffix}") if in_place else \
        (lambda suffix: target.with_name(f".{target.name}.{suffix}"))
    lock = FileLock(hidden("lock"), remove=True)
    try:
        taken = lock.acquire()
    except OSError as exc:
        raise StateError("cannot write in {parent}: {error}", parent=lock.path.parent, error=exc.strerror or exc) from exc
    if not taken:
        raise StateError("{target} is being published by another command (pid {value})", target=target, value=lock.holder())
    try:
        work, old = hidden("part"), hidden("old")
        if not in_place and not target.exists() and old.is_dir() and not old.is_symlink():
            os.replace(old, target)  # killed between the two renames below: the previous publication back
        check_publish_target(store, workspace, batch, out_dir, target)  # what another command made meanwhile
        with folder_lock(Path(out_dir), f"{out_dir} is being written by a run; publish when it is done",
                         shared=True):
            try:
                for leftover in (work, *(() if in_place else (old,))):  # what a killed publication left
                    _remove(leftover)
                work.mkdir(parents=True)
                report = _fill_publication(store, workspace, batch, results, Path(out_dir), work, settings, today)
                if in_place:
                    _swap_in_place(work, target)
                else:
                    if target.exists():
                        os.replace(target, old)
                    os.replace(work, target)
                    shutil.rmtree(old, ignore_errors=True)
            except OSError as exc:
                raise StateError("cannot write the public copies in {parent}: {error}", parent=target.parent, error=exc.strerror or exc) from exc
            finally:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        lock.release()
    report.target = target
    return report


def _swap_in_place(work: Path, target: Path) -> None:
    """Put the publication made in ``work`` (inside ``target``) in place of the one ``target`` holds,
    one file at a time: first what the new publication no longer holds goes (nothing withheld stays
    visible), then every new file replaces its old version atomically, ``openbaar.json`` last. Every
    file in ``target`` besides the hidden work entries is the earlier publication's
    (``check_publish_target`` refused the folder otherwise). A publication killed half-way leaves
    files of both, and ``work`` with its index, which the next publication accepts and replaces."""
    new = _listed_files(_read_index(work))
    hidden = _own_hidden(target)
    for path in sorted(target.rglob("*"), reverse=True):  # files before the folders holding them
        rel = path.relative_to(target)
        if rel.parts[0] in hidden or rel.as_posix() in new or rel.as_posix() == PUBLIC_INDEX:
            continue
        if path.is_dir() and not path.is_symlink():
            continue
        path.unlink()
    for rel in sorted(new):
        dest = ensure_inside(target, target / rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work / rel, dest)
    os.replace(work / PUBLIC_INDEX, target / PUBLIC_INDEX)
    for path in sorted(target.rglob("*"), reverse=True):  # the folders left empty
        rel = path.relative_to(target)
        if rel.parts[0] not in hidden and path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()


def _fill_publication(store, workspace, batch, results: dict[str, Any], out_dir: Path, target: Path,
                      settings: dict[str, Any], today: date | None) -> PublishReport:
    report = PublishReport(target)
    listing = []
    docs = {d["id"]: d for d in results["documents"]}
    for row in batch_access(store, batch, results, settings, today):
        doc = docs[row.document]
        state = row.current.in_force(today)
        entry = {"document": doc["id"], "dossier": doc["dossier"], "state": state, "ground": row.current.ground,
                 "until": row.current.until.isoformat() if row.current.until else None, "files": []}
        if not doc.get("output") or state == "restricted":
            report.restricted.append(doc["id"]) if state == "restricted" else None
            listing.append(entry)
            continue
        rel = doc["output"]["path"]
        dest = ensure_inside(target, target / rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if state == "open":
            shutil.copyfile(out_dir / rel, dest)
            files = [rel]
            for alto in doc["output"].get("alto", []):
                shutil.copyfile(out_dir / alto["path"], ensure_inside(target, target / alto["path"]))
                files.append(alto["path"])
            report.open.append(doc["id"])
        else:
            copy = public_copy(store, workspace, batch, doc, row.current, dest, target / ".work")
            files = [str(p.relative_to(target.resolve())) for p in [copy.pdf, *copy.alto]]
            report.redacted.append(doc["id"])
        entry["files"] = files
        listing.append(entry)
    shutil.rmtree(target / ".work", ignore_errors=True)
    write_text_atomic(target / PUBLIC_INDEX, json.dumps({"batch": batch.name, "documents": listing},
                                                        ensure_ascii=False, indent=1))
    return report


# --- the delivery package ------------------------------------------------------------------

BEPERKING_LIJST = "Archiefwet 2021, artikel 7.2"


def beperkingen(decision: AccessDecision, settings: dict[str, Any], public_copy: bool,
                default: Any, today: date | None = None) -> list:
    """The MDTO beperkingGebruik of a document under ``decision``: the archive's default (open),
    a restriction with its ground and end date, or (for a redacted copy) open with a description."""
    from digitalisering.metadata.mdto import Begrip, Beperking
    state = decision.in_force(today)
    if state == "open":
        return [Beperking(default)]
    until = decision.until.isoformat() if decision.until else None
    if state == "redacted" and public_copy:
        return [Beperking(Begrip("openbaar, geanonimiseerde kopie", BEPERKING_LIJST, "geanonimiseerd"),
                          f"Openbare kopie: persoonsgegevens onleesbaar gemaakt ({len(decision.regions)} gebieden); "
                          f"{decision.reason}", until)]
    label = settings["grounds"].get(decision.ground or "", decision.ground or "beperkt openbaar")
    what = "beperkt openbaar" if state == "restricted" else "beperkt openbaar; openbare kopie geanonimiseerd"
    return [Beperking(Begrip(f"{what}: {label}", BEPERKING_LIJST, decision.ground), decision.reason, until)]


def package_terms(store, workspace, batch, results: dict[str, Any], settings: dict[str, Any], default_beperking,
                  *, public: bool, work_dir: Path, today: date | None = None) -> dict:
    """Document id -> ``metadata.package.AccessTerms``; for a public package each redacted copy is
    made (and leak-checked) in ``work_dir``."""
    from digitalisering.metadata.fixity import sha256_file
    from digitalisering.metadata.package import AccessTerms
    docs = {d["id"]: d for d in results["documents"]}
    terms = {}
    for row in batch_access(store, batch, results, settings, today):
        doc, decision = docs[row.document], row.current
        state = decision.in_force(today)
        output = None
        if public and state == "redacted" and doc.get("output"):
            dest = ensure_inside(work_dir, work_dir / doc["output"]["path"])
            dest.parent.mkdir(parents=True, exist_ok=True)
            copy = public_copy(store, workspace, batch, doc, decision, dest, work_dir / ".work")
            output = {**doc["output"], "sha256": sha256_file(copy.pdf), "bytes": copy.pdf.stat().st_size,
                      "alto": [{"page": n, "seq": a["seq"], "path": str(p.relative_to(work_dir)),
                                "sha256": sha256_file(p), "bytes": p.stat().st_size}
                               for n, (a, p) in enumerate(zip(doc["output"]["alto"], copy.alto), 1)]}
        terms[doc["id"]] = AccessTerms(state, beperkingen(decision, settings, public, default_beperking, today),
                                       output, work_dir if output else None)
    return terms
