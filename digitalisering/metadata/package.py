"""A delivery package (SIP) for the e-depot, wrapped as a BagIt bag with a SHA-256 manifest.

Layout of the bag's payload, following the Nationaal Archief's MDTO conventions (an informatieobject
is ``<naam>.MDTO.xml``, a file's record ``<bestandsnaam>.bestand.MDTO.xml``):

    data/<batch>/<dossier>/<dossier>.MDTO.xml                 informatieobject, aggregatieniveau Dossier
    data/<batch>/<dossier>/<document>.MDTO.xml                informatieobject, Archiefstuk, isOnderdeelVan
    data/<batch>/<dossier>/<document>-<type>.pdf              the PDF/A
    data/<batch>/<dossier>/<document>-<type>.pdf.bestand.MDTO.xml
    data/<batch>/<dossier>/<document>-<type>-NNN.alto.xml     ALTO 4.4 of page NNN of the PDF
    data/<batch>/<dossier>/<document>-<type>-NNN.alto.xml.bestand.MDTO.xml
    data/pakbon.json                                          packing slip: counts, sizes, files

The package is built in a temporary folder beside the target and renamed into place when the bag
validates; ``verify_package`` re-checks fixity and structure later.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import bagit
from lxml import etree

from digitalisering import __version__
from digitalisering.bag.link import address_label
from digitalisering.documents.vocabulary import type_label
from digitalisering.errors import InputFileError, StateError
from digitalisering.fileio import (check_folder_renames, chmod_if_supported, empty_folder, is_within, require_text_path,
                                    write_bytes_atomic)
from digitalisering.locks import folder_lock
from digitalisering.metadata.fixity import sha256_file
from digitalisering.text.alto import validation_errors as alto_validation_errors
from digitalisering.metadata.mdto import (
    NS,
    Begrip,
    Beperking,
    Bestand,
    Informatieobject,
    Verwijzing,
    bestand_xml,
    informatieobject_xml,
    validation_errors,
)
from digitalisering.naming import safe_stem
from digitalisering.resultsfile import read_results
from digitalisering.i18n import gettext
from digitalisering.i18n import Word

FORBIDDEN = re.compile(r'[<>:"/\\|?*#& ]')
MAX_NAME = 255


@dataclass
class PackageReport:
    path: Path
    dossiers: int = 0
    documents: int = 0
    files: int = 0
    bytes: int = 0
    records: int = 0
    events: bool = False
    """The batch's event log is in the package as PREMIS 3.0 (``EVENTS_FILE``)."""


def check_name(name: str) -> str:
    if len(name) > MAX_NAME or FORBIDDEN.search(name) or not name.strip("."):
        raise StateError('file name {name!r} breaks the SIP naming rules (at most 255 characters, none of < > : " / \\ | ? * # & or spaces)', name=name)
    return name


def dossier_folder(dossier: dict) -> str:
    """The dossier's folder name as the run chose it (``results.json`` 1.2 records it; older files:
    the folder its documents were written to)."""
    if dossier.get("folder"):
        return dossier["folder"]
    return safe_stem(dossier["id"], "dossier")


def _begrip(config: dict, section: str, label: str | None = None, code: str | None = None) -> Begrip:
    spec = config[section]
    return Begrip(label or spec["label"], spec["lijst"], code if code is not None else (spec.get("code") or None))


def _address_refs(addresses: list[dict], bron: str) -> list[Verwijzing]:
    refs: list[Verwijzing] = []
    for a in addresses:
        label = a.get("text") or a.get("street", "")
        if a.get("huisnummer"):
            label = address_label(a["street"], a["huisnummer"], a.get("huisletter"), a.get("toevoeging"))
        for num in a.get("nummeraanduiding_ids", []):
            refs.append(Verwijzing(f"nummeraanduiding {label}", num, bron))
        for vbo in a.get("verblijfsobject_ids", []):
            refs.append(Verwijzing(f"verblijfsobject {label}", vbo, bron))
        for pand in a.get("pand_ids", []):
            refs.append(Verwijzing(f"pand {label}", pand, bron))
        if not a.get("nummeraanduiding_ids"):
            refs.append(Verwijzing(label))
    unique: dict[tuple, Verwijzing] = {}
    for r in refs:
        unique.setdefault((r.naam, r.kenmerk), r)
    return list(unique.values())


@dataclass(frozen=True)
class RecordContext:
    """What every MDTO record of a run shares: the archive's settings, the actor, the time."""

    config: dict
    operator: str
    now: datetime
    finished: dict[int, str]
    """Page seq -> when the page was processed (the digitisation event's date)."""

    @classmethod
    def from_results(cls, results: dict, config: dict, operator: str) -> "RecordContext":
        return cls(config, operator, datetime.now(timezone.utc),
                   {p["seq"]: p["finished_at"] for p in results["pages"] if p.get("finished_at")})

    @property
    def bron(self) -> str:
        return self.config["identificatie"]["bron"]

    def common(self) -> dict:
        c = self.config
        categorie = _begrip(c, "informatiecategorie") if c.get("informatiecategorie", {}).get("label") else None
        return {
            "bron": self.bron,
            "archiefvormer": Verwijzing(c["archiefvormer"]["naam"], c["archiefvormer"]["tooi"],
                                        c["archiefvormer"]["bron"]),
            "waardering": _begrip(c, "waardering"), "beperking": _begrip(c, "beperking_gebruik"),
            "bewaartermijn": c.get("bewaartermijn", {}).get("looptijd") or None,
            "informatiecategorie": categorie,
        }

    def digitised(self, seqs: list[int]) -> datetime:
        stamps = [self.finished[s] for s in seqs if s in self.finished]
        return max(datetime.fromisoformat(s) for s in stamps) if stamps else self.now

    def event(self, seqs: list[int], description: str | None):
        actor = Verwijzing(f"{self.operator} (digitalisering {__version__})")
        return (_begrip(self.config, "event"), self.digitised(seqs), actor, description)


def dossier_record(dossier: dict, docs: list[dict], ctx: RecordContext) -> Informatieobject:
    """The informatieobject (aggregatieniveau Dossier) of a dossier with its documents ``docs``."""
    lijst = ctx.config["aggregatieniveau"]["lijst"]
    period = dossier.get("period")
    return Informatieobject(
        kenmerk=dossier["id"], naam=f"Bouwdossier {dossier['id']}",
        aggregatieniveau=Begrip("Dossier", lijst),
        omschrijving=f"Gedigitaliseerd bouwdossier, {len(docs)} documenten",
        dekking_in_tijd=(period["from"], period["to"]) if period else None,
        dekking_in_tijd_type=Begrip("Looptijd van een dossier", lijst),
        dekking_in_ruimte=_address_refs(dossier.get("addresses", []), ctx.config["bag"]["bron"]),
        events=[ctx.event(dossier["pages"],
                          f"{sum(len(d['pages']) for d in docs)} pagina's gescand en omgezet naar PDF/A")],
        bevat_onderdeel=[Verwijzing(f"{type_label(d['type'])} {d['id']}", d["id"], ctx.bron) for d in docs],
        **ctx.common(),
    )


def document_record(doc: dict, dossier_id: str, file_name: str, ctx: RecordContext) -> Informatieobject:
    """The informatieobject (Archiefstuk) of one document, pointing at its PDF/A by SHA-256."""
    lijst = ctx.config["aggregatieniveau"]["lijst"]
    label = type_label(doc["type"])
    dates = doc.get("dates") or []
    return Informatieobject(
        kenmerk=doc["id"], naam=f"{label.capitalize()}, bouwdossier {dossier_id}",
        aggregatieniveau=Begrip("Archiefstuk", lijst),
        classificatie=[Begrip(label, ctx.config["classificatie"]["lijst"], doc["type"])],
        dekking_in_tijd=(dates[0], dates[-1]) if dates else None,
        dekking_in_tijd_type=Begrip("Datum document", lijst),
        dekking_in_ruimte=_address_refs([a for a in doc.get("addresses", []) if a.get("role") != "other"],
                                        ctx.config["bag"]["bron"]),
        events=[ctx.event(doc["pages"], None)],
        is_onderdeel_van=[Verwijzing(f"Bouwdossier {dossier_id}", dossier_id, ctx.bron)],
        heeft_representatie=[Verwijzing(file_name, doc["output"]["sha256"], "SHA-256")]
        + [Verwijzing(Path(a["path"]).name, a["sha256"], "SHA-256") for a in doc["output"].get("alto", [])],
        **ctx.common(),
    )


def bestand_record(doc: dict, doc_record: Informatieobject, file_name: str, size: int,
                   ctx: RecordContext) -> Bestand:
    """The bestand record of a document's PDF/A."""
    return Bestand(
        kenmerk=doc["output"]["sha256"], bron="SHA-256", naam=file_name, omvang=size,
        sha256=doc["output"]["sha256"], checksum_datum=ctx.now, formaat=doc["output"]["format"][-2:],
        is_representatie_van=Verwijzing(doc_record.naam, doc["id"], ctx.bron),
    )


def alto_bestand_record(doc: dict, doc_record: Informatieobject, alto: dict, file_name: str,
                        ctx: RecordContext) -> Bestand:
    """The bestand record of the ALTO file of one page of a document (a representation of the
    document, like its PDF)."""
    return Bestand(
        kenmerk=alto["sha256"], bron="SHA-256", naam=file_name, omvang=alto["bytes"], sha256=alto["sha256"],
        checksum_datum=ctx.now, formaat="alto", is_representatie_van=Verwijzing(doc_record.naam, doc["id"], ctx.bron),
    )


class _OsWithoutModes:
    """``os`` as bagit sees it while it makes a bag: ``make_bag`` gives the payload folder the mode
    of the bag folder, and on a disk without Unix permissions (FAT, exFAT: chmod answers ENOSYS or
    EPERM) it stopped there (exit 6), so a package could not be made on a USB disk. There is no mode
    to give on such a disk; every other file we write is treated the same (``fileio``)."""

    def __getattr__(self, name: str):
        return getattr(os, name)

    chmod = staticmethod(chmod_if_supported)


@contextmanager
def _bagit_without_modes():
    """bagit with ``_OsWithoutModes``, and its logger silent: it logged the traceback of every error
    on stderr before we turned the error into one line."""
    logger = logging.getLogger("bagit")
    saved = bagit.os, logger.disabled
    bagit.os, logger.disabled = _OsWithoutModes(), True
    try:
        yield
    finally:
        bagit.os, logger.disabled = saved


def _make_bag(work: Path, info: dict) -> bagit.Bag:
    try:
        return bagit.make_bag(str(work), info, checksums=["sha256"])
    except OSError as exc:
        raise StateError("cannot write {target}: {error}", target=work / os.fsdecode(exc.filename or ""),
                         error=exc.strerror or exc) from exc


def _copy_checked(src: Path, sha256: str, dst: Path) -> None:
    """Copy ``src`` into the package; the copy is checked, as it is what the package holds. A failed
    copy names both files: shutil names the source, so a full package disk read "No space left on
    device: OUT/...alto.xml", as if the output folder's disk were full."""
    try:
        shutil.copyfile(src, dst)
    except OSError as exc:
        raise StateError("cannot copy {src} into the package ({target}): {error}", src=src, target=dst,
                         error=exc.strerror or exc) from exc
    if sha256_file(dst) != sha256:
        raise StateError("{src} no longer matches its recorded SHA-256; run again first", src=src)


def dossier_documents(results: dict) -> list[tuple[dict, list[dict]]]:
    """(dossier, its documents that have an output) for every dossier with at least one."""
    documents = {d["id"]: d for d in results["documents"]}
    out = []
    for dossier in results["dossiers"]:
        docs = [documents[i] for i in dossier["documents"] if documents[i].get("output")]
        if docs:
            out.append((dossier, docs))
    return out


EVENTS_FILE = "premis-events.xml"
"""The batch's event log as PREMIS 3.0, beside the packing slip (``metadata.premis``)."""


BAG_DECLARATION = "bagit.txt"


def enclosing_bag(path: Path) -> Path | None:
    """The BagIt bag that ``path`` is, or lies inside (None when none): a package, finished and
    validated, that nothing may write into afterwards (a run with ``--out`` a package put its
    dossier folders and results.json beside the payload, and ``verify`` still said ok)."""
    path = Path(path).resolve()
    for folder in (path, *path.parents):
        if (folder / BAG_DECLARATION).is_file():
            return folder
    return None


@dataclass
class AccessTerms:
    """A document's access decision as the package needs it (made by ``access.publish.package_terms``)."""

    state: str
    """'open', 'restricted' or 'redacted' (in force today)."""
    beperkingen: list[Beperking]
    public_output: dict | None = None
    """For a public package: the redacted copy's ``output`` entry (as in results.json, paths
    relative to ``public_dir``)."""
    public_dir: Path | None = None


def build_package(out_dir: Path, target: Path, config: dict, *, operator: str,
                  access: dict[str, AccessTerms] | None = None, public: bool = False,
                  events_xml: bytes | None = None) -> PackageReport:
    """Build the bag for the run in ``out_dir`` (its results.json and PDFs) at ``target``.

    ``access``: document id -> its access terms: each document record carries its beperkingGebruik.
    ``public``: a package for the public: restricted documents are left out (no file, no record,
    not listed in their dossier), redacted ones are the redacted copy.

    ``out_dir`` is held for reading meanwhile (a run of it waits, or is refused; a run that is
    writing it refuses the package), and the package folder is made by one command at a time.
    """
    out_dir, target = require_text_path(Path(out_dir)), require_text_path(Path(target))
    if not out_dir.is_dir():
        raise InputFileError("{out_dir} has no results.json (run digitalisering run first)", out_dir=out_dir)
    with folder_lock(out_dir, "{out_dir} is being written by a run; make the package when it is done", out_dir=out_dir,
                     shared=True):
        return _build(out_dir, target, config, operator, access, public, events_xml)


def _build(out_dir: Path, target: Path, config: dict, operator: str, access: dict[str, AccessTerms] | None = None,
           public: bool = False, events_xml: bytes | None = None) -> PackageReport:
    results = read_results(out_dir)
    if target.exists():
        raise StateError("{target} exists already; choose a new package folder", target=target)
    # not inside the output folder (the next run of the batch writes there) nor inside the
    # delivery (the next ingest took the package's PDFs for new scans)
    for what, folder in (("output folder", out_dir), ("delivery", Path(results["batch"]["delivery"])),
                         ("package", enclosing_bag(target.parent))):
        if folder is not None and is_within(target, folder):
            raise StateError("the package folder {target} is inside the {what} {folder}; choose a package folder outside it", target=target, what=Word(what), folder=folder)
    batch = results["batch"]["name"]
    work = target.with_name(f".{target.name}.part")
    if work.is_symlink():  # emptied below: it must be our own work folder, not a link to another one
        raise StateError("{work} is a symbolic link; remove it or choose another package folder", work=work)
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateError("cannot write in {parent}: {error}", parent=target.parent, error=exc.strerror or exc) from exc
    with folder_lock(work, "{target} is being made by another command", target=target):
        empty_folder(work)  # what a killed package left
        try:
            check_folder_renames(work, target)  # probed inside our own work folder
        except StateError:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return _fill(out_dir, target, work, results, batch, config, operator, access, public, events_xml)


def _public_documents(results: dict, access: dict[str, AccessTerms] | None, public: bool) -> list[tuple[dict, list[dict]]]:
    """The dossiers and documents the package holds: all, or for the public no restricted ones and
    the redacted copies in place of the originals."""
    if not public:
        return dossier_documents(results)
    if access is None:
        raise StateError("a public package needs the access decisions of the batch (its workspace)")
    out = []
    for dossier, docs in dossier_documents(results):
        shown = []
        for doc in docs:
            terms = access.get(doc["id"])
            if terms is None or terms.state == "restricted":
                continue  # never public without a decision that allows it
            if terms.state == "redacted":
                if terms.public_output is None:
                    continue
                doc = {**doc, "output": terms.public_output}
            shown.append(doc)
        if shown:
            out.append((dossier, shown))
    return out


def _fill(out_dir: Path, target: Path, work: Path, results: dict, batch: str, config: dict,
          operator: str, access: dict[str, AccessTerms] | None = None, public: bool = False,
          events_xml: bytes | None = None) -> PackageReport:
    root = work / check_name(batch)
    report = PackageReport(target)
    ctx = RecordContext.from_results(results, config, operator)
    # the slip counts the pages a PDF holds: blank pages and separator sheets left out are not in it
    in_pdf = {p["seq"] for p in results["pages"] if p.get("in_output")}
    slip: list[dict] = []
    try:
        for dossier, docs in _public_documents(results, access, public):
            name_of = dossier_folder(dossier)
            folder = root / check_name(name_of)
            folder.mkdir(parents=True)
            write_bytes_atomic(folder / check_name(f"{name_of}.MDTO.xml"),
                               informatieobject_xml(dossier_record(dossier, docs, ctx)))
            report.records += 1
            for doc in docs:
                terms = access.get(doc["id"]) if access else None
                source = terms.public_dir if public and terms and terms.state == "redacted" else out_dir
                name = check_name(Path(doc["output"]["path"]).name)
                _copy_checked(source / doc["output"]["path"], doc["output"]["sha256"], folder / name)
                doc_record = document_record(doc, dossier["id"], name, ctx)
                if terms:
                    doc_record.beperkingen = list(terms.beperkingen)
                write_bytes_atomic(folder / check_name(f"{name_of}-{doc['index']:02d}.MDTO.xml"),
                                   informatieobject_xml(doc_record))
                size = (folder / name).stat().st_size
                write_bytes_atomic(folder / check_name(f"{name}.bestand.MDTO.xml"),
                                   bestand_xml(bestand_record(doc, doc_record, name, size, ctx)))
                alto_names = []
                for alto in doc["output"].get("alto", []):
                    alto_name = check_name(Path(alto["path"]).name)
                    _copy_checked(source / alto["path"], alto["sha256"], folder / alto_name)
                    write_bytes_atomic(folder / check_name(f"{alto_name}.bestand.MDTO.xml"),
                                       bestand_xml(alto_bestand_record(doc, doc_record, alto, alto_name, ctx)))
                    alto_names.append(f"{batch}/{name_of}/{alto_name}")
                    report.bytes += alto["bytes"]
                report.records += 2 + len(alto_names)
                report.documents += 1
                report.files += 1 + len(alto_names)
                report.bytes += size
                slip.append({"dossier": dossier["id"], "document": doc["id"], "type": doc["type"],
                             "file": f"{batch}/{name_of}/{name}", "bytes": size,
                             "pages": sum(1 for seq in doc["pages"] if seq in in_pdf),
                             "pages_scanned": len(doc["pages"]),
                             "sha256": doc["output"]["sha256"], "alto": alto_names})
            report.dossiers += 1
        pakbon = {"batch": batch, "public": public, "created": ctx.now.isoformat(timespec="seconds"), "created_by": operator,
                  "generator": f"digitalisering {__version__}", "dossiers": report.dossiers,
                  "documents": report.documents, "files": report.files, "bytes": report.bytes,
                  "metadata_records": report.records, "contents": slip}
        write_bytes_atomic(work / "pakbon.json", json.dumps(pakbon, ensure_ascii=False, indent=1).encode("utf-8"))
        if events_xml is not None:
            write_bytes_atomic(work / EVENTS_FILE, events_xml)
            report.events = True
        with _bagit_without_modes():
            bag = _make_bag(work, {
            "Source-Organization": config["archiefvormer"]["naam"],
            "External-Description": f"Gedigitaliseerde bouwdossiers, batch {batch}",
            "External-Identifier": batch,
            "Bag-Group-Identifier": batch,
            "Contact-Name": operator,
            })
            bag.validate()
        if target.exists():
            raise StateError("{target} exists already; choose a new package folder", target=target)
        os.replace(work, target)
    except bagit.BagError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise StateError("the package did not validate as a BagIt bag: {error}", error=exc) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return report


@dataclass
class VerifyReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    """Every missing, extra or changed file and every invalid record."""
    fixity_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _bestand_values(data: bytes) -> tuple[str | None, str | None, int | None]:
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"m": NS}
    size = doc.findtext(".//m:bestand/m:omvang", namespaces=ns)
    return (doc.findtext(".//m:bestand/m:naam", namespaces=ns),
            doc.findtext(".//m:checksum/m:checksumWaarde", namespaces=ns), int(size) if size else None)


def verify_package(path: Path) -> VerifyReport:
    """Re-check a package: BagIt fixity and completeness, every MDTO record against the XSD, every
    file against its bestand record, and every ALTO file against the ALTO 4.4 XSD."""
    path = Path(path)
    report = VerifyReport(path)
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        report.problems.append(gettext("not a BagIt bag: {error}", error=exc))
        report.fixity_problems += 1
        return report
    # every entry of the manifest, every file of the payload: reported one by one (bagit's own
    # validation stops at the first summary mismatch)
    entries = {Path(k).as_posix(): v.get("sha256") for k, v in bag.payload_entries().items()}
    on_disk = {p.relative_to(path).as_posix() for p in (path / "data").rglob("*") if p.is_file()}
    for rel in sorted(set(entries) - on_disk):
        report.problems.append(gettext("missing: {file}", file=rel))
    for rel in sorted(on_disk - set(entries)):
        report.problems.append(gettext("extra: {file}", file=rel))
    for rel in sorted(set(entries) & on_disk):
        if entries[rel] and sha256_file(path / rel) != entries[rel]:
            report.problems.append(gettext("changed: {file} (its SHA-256 differs from the manifest)", file=rel))
    report.fixity_problems += len(report.problems)
    if not report.problems:
        try:
            bag.validate()
        except bagit.BagError as exc:  # tag files, bag-info, oxum
            report.problems.append(gettext("bag: {error}", error=exc))
            report.fixity_problems += 1
    data_dir = path / "data"
    for xml in sorted(data_dir.rglob("*.MDTO.xml")):
        rel = xml.relative_to(path)
        raw = xml.read_bytes()
        errors = validation_errors(raw)
        if errors:
            report.problems.append(gettext("invalid MDTO: {file}: {error}", file=rel, error=errors[0]))
            continue
        if xml.name.endswith(".bestand.MDTO.xml"):
            name, digest, size = _bestand_values(raw)
            target = xml.with_name(xml.name[: -len(".bestand.MDTO.xml")])
            if not target.exists():
                report.problems.append(gettext("missing: {file} (described by {record})", file=target.relative_to(path),
                                                      record=rel))
            elif name != target.name or digest != sha256_file(target) or size != target.stat().st_size:
                report.problems.append(gettext("changed: {file} does not match {record}", file=target.relative_to(path),
                                                      record=rel))
    events = data_dir / EVENTS_FILE
    if events.exists():
        from digitalisering.metadata.premis import validation_errors as premis_errors

        errors = premis_errors(events.read_bytes())
        if errors:
            report.problems.append(gettext("invalid PREMIS: {file}: {error}", file=events.relative_to(path),
                                                  error=errors[0]))
    for alto in sorted(data_dir.rglob("*.alto.xml")):
        errors = alto_validation_errors(alto.read_bytes())
        if errors:
            report.problems.append(gettext("invalid ALTO: {file}: {error}", file=alto.relative_to(path), error=errors[0]))
    for described in sorted([*data_dir.rglob("*.pdf"), *data_dir.rglob("*.alto.xml")]):
        if not described.with_name(described.name + ".bestand.MDTO.xml").exists():
            report.problems.append(gettext("extra: {file} has no bestand record", file=described.relative_to(path)))
    return report
