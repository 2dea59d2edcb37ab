"""Is this file the PDF/A it claims to be? Three independent opinions, reported per check:

1. our structural checks (below): the rules an archive's intake cares about, each in plain words;
2. pikepdf's allowlist validator (``pikepdf.pdfa``, built on the veraPDF rule catalogue), minus its
   complaint about XMP namespaces that the file declares through a PDF/A extension schema (the
   allowlist does not read extension schemas; check ``xmp-extension`` does);
3. Apache PDFBox Preflight for PDF/A-1b files, when Java and the PDFBox jars are installed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pikepdf
from lxml import etree

from digitalisering._exec import preflight
from digitalisering.pdfa import xmp

FLAVOURS = ("1b", "2b")
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
STANDARD_XMP = frozenset({
    "adobe:ns:meta/", xmp.RDF, "http://purl.org/dc/elements/1.1/", "http://ns.adobe.com/xap/1.0/",
    "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/xap/1.0/rights/", "http://ns.adobe.com/pdf/1.3/",
    PDFAID, "http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "http://www.w3.org/XML/1998/namespace", "http://ns.adobe.com/photoshop/1.0/", "http://www.aiim.org/pdfua/ns/id/",
}) | xmp.EXTENSION_NAMESPACES
INFO_TO_XMP = {"/Title": "dc:title", "/Producer": "pdf:Producer", "/Creator": "xmp:CreatorTool",
               "/Subject": "dc:description"}


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class PdfValidation:
    path: str
    flavour: str | None
    """What was checked: asked for, or else declared in the file's XMP."""
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def to_json(self) -> dict:
        return {"path": self.path, "flavour": self.flavour, "passed": self.passed,
                "checks": [asdict(c) for c in self.checks]}


def declared_flavour(pdf: pikepdf.Pdf) -> str | None:
    """'1b', '2b', ... from the XMP pdfaid, or None."""
    try:
        meta = pdf.open_metadata()
        part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except Exception:  # noqa: BLE001 - unreadable XMP: no declaration
        return None
    return f"{part}{conformance.lower()}" if part and conformance else None


# --- structural checks: each takes (pdf, flavour) and yields failures as strings -------------

def _objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream of the file, direct ones (inside others) included."""
    def walk(obj: pikepdf.Object, depth: int) -> Iterator[pikepdf.Object]:
        if depth > 50:
            return
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            yield obj
            children = obj.values()
        elif isinstance(obj, pikepdf.Array):
            children = obj
        else:
            return
        for child in children:
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect:
                # indirect ones are visited from pdf.objects
                yield from walk(child, depth + 1)

    for obj in pdf.objects:
        yield from walk(obj, 0)


def _filters(obj: pikepdf.Object) -> list[str]:
    f = obj.get("/Filter")
    if f is None:
        return []
    return [str(x) for x in f] if isinstance(f, pikepdf.Array) else [str(f)]


def check_identification(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    declared = declared_flavour(pdf)
    if declared is None:
        yield "XMP has no PDF/A identification (pdfaid:part and pdfaid:conformance)"
    elif declared != flavour:
        yield f"XMP declares PDF/A-{declared}, expected PDF/A-{flavour}"


def check_version(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    limit = "1.4" if flavour.startswith("1") else "1.7"
    if tuple(int(x) for x in pdf.pdf_version.split(".")) > tuple(int(x) for x in limit.split(".")):
        yield f"PDF version {pdf.pdf_version} is above {limit}"


def check_encryption(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
        yield "the file is encrypted"


def check_trailer_id(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    ident = pdf.trailer.get("/ID")
    if not isinstance(ident, pikepdf.Array) or len(ident) != 2:
        yield "the trailer has no /ID"


def check_output_intent(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFA1"]
    if not intents:
        yield "no GTS_PDFA1 output intent"
        return
    profile = intents[0].get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        yield "the output intent has no DestOutputProfile (ICC profile)"
        return
    data = profile.read_bytes()
    if len(data) < 128 or data[36:40] != b"acsp":
        yield "the output intent's ICC profile is not an ICC profile"
    elif flavour.startswith("1") and data[8] > 2:
        yield f"ICC profile version {data[8]} is too new for PDF/A-1 (needs version 2)"
    elif data[16:20] != b"RGB " or int(profile.get("/N", 0)) != 3:
        yield "the output intent is not an RGB profile with /N 3"


def check_fonts_embedded(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    for obj in _objects(pdf):
        if obj.get("/Type") != "/FontDescriptor":
            continue
        if not any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            yield f"font {obj.get('/FontName', '?')} is not embedded"


def check_no_javascript(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        yield "document-level JavaScript"
    if "/AA" in pdf.Root:
        yield "document additional actions (/AA)"
    for obj in _objects(pdf):
        if obj.get("/S") in ("/JavaScript", "/Launch", "/ImportData", "/ResetForm"):
            yield f"forbidden action {obj.get('/S')}"
        elif "/JS" in obj:
            yield "JavaScript (/JS)"


def check_filters(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    banned = {"/LZWDecode": "LZW compression"}
    if flavour.startswith("1"):
        banned["/JPXDecode"] = "JPEG 2000 (not in PDF/A-1)"
    for obj in _objects(pdf):
        for name in _filters(obj):
            if name in banned:
                yield banned[name]
                return


def check_transparency(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    if not flavour.startswith("1"):
        return  # PDF/A-2 permits transparency
    for obj in _objects(pdf):
        if obj.get("/Subtype") == "/Image" and "/SMask" in obj:
            yield "an image with a soft mask (transparency)"
            return
        group = obj.get("/Group")
        if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency":
            yield "a transparency group"
            return


def check_images(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    for obj in _objects(pdf):
        if obj.get("/Subtype") == "/Image":
            if obj.get("/Interpolate") is True:
                yield "an image with /Interpolate true"
                return
            if "/Alternates" in obj or "/OPI" in obj:
                yield "an image with alternates or OPI"
                return


def check_no_embedded_files(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    names = pdf.Root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names:
        yield "embedded files (not allowed in PDF/A-1 and -2 archives here)"


def _xmp_packet(pdf: pikepdf.Pdf) -> bytes | None:
    meta = pdf.Root.get("/Metadata")
    return meta.read_bytes() if isinstance(meta, pikepdf.Stream) else None


def check_metadata_stream(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    meta = pdf.Root.get("/Metadata")
    if not isinstance(meta, pikepdf.Stream):
        yield "no XMP metadata stream"
        return
    if flavour.startswith("1") and "/Filter" in meta:
        yield "the XMP metadata stream is compressed (PDF/A-1 forbids a filter on it)"
    try:
        etree.fromstring(meta.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        yield f"the XMP packet is not well-formed XML: {exc}"


def check_xmp_extension(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    packet = _xmp_packet(pdf)
    if packet is None:
        return
    try:
        declared = xmp.declared_namespaces(packet)
    except etree.XMLSyntaxError:
        return  # reported by check_metadata_stream
    used = set(re.findall(rb'xmlns:[A-Za-z_][\w.-]*="([^"]*)"', packet))
    for uri in sorted(u.decode() for u in used):
        if uri not in STANDARD_XMP and uri not in declared:
            yield f"XMP namespace {uri} is used without a PDF/A extension schema"


def check_info_agrees(pdf: pikepdf.Pdf, flavour: str) -> Iterator[str]:
    meta = pdf.open_metadata()
    for key, prop in INFO_TO_XMP.items():
        info = pdf.docinfo.get(key)
        if info is None:
            continue
        value = meta.get(prop)
        if value is None or str(value) != str(info):
            yield f"DocInfo {key} {str(info)!r} differs from XMP {prop} {value!r}"


STRUCTURAL_CHECKS: tuple[tuple[str, Callable[[pikepdf.Pdf, str], Iterator[str]]], ...] = (
    ("pdfa-identification", check_identification),
    ("pdf-version", check_version),
    ("no-encryption", check_encryption),
    ("trailer-id", check_trailer_id),
    ("output-intent", check_output_intent),
    ("fonts-embedded", check_fonts_embedded),
    ("no-javascript", check_no_javascript),
    ("allowed-compression", check_filters),
    ("no-transparency", check_transparency),
    ("images", check_images),
    ("no-embedded-files", check_no_embedded_files),
    ("xmp-metadata", check_metadata_stream),
    ("xmp-extension", check_xmp_extension),
    ("docinfo-matches-xmp", check_info_agrees),
)


def structural_checks(pdf: pikepdf.Pdf, flavour: str) -> list[Check]:
    checks = []
    for name, fn in STRUCTURAL_CHECKS:
        try:
            problems = list(dict.fromkeys(fn(pdf, flavour)))
        except Exception as exc:  # noqa: BLE001 - a broken object is a failed check, not a crash
            problems = [f"could not be checked: {type(exc).__name__}: {exc}"]
        checks.append(Check(name, not problems, "; ".join(problems[:5])))
    return checks


def _declared_prefixes(packet: bytes | None) -> tuple[str, ...]:
    """Prefixes bound in ``packet`` to namespaces that its extension schemas declare (and the
    extension schema's own namespaces)."""
    if not packet:
        return ()
    try:
        declared = xmp.declared_namespaces(packet) | xmp.EXTENSION_NAMESPACES
    except etree.XMLSyntaxError:
        return ()
    bound = re.findall(r'xmlns:([A-Za-z_][\w.-]*)="([^"]*)"', packet.decode("utf-8", "replace"))
    return tuple(sorted({f"{prefix}{sep}" for prefix, uri in bound if uri in declared for sep in ":="}))


def pikepdf_check(path: Path, flavour: str, declared_prefixes: tuple[str, ...]) -> Check:
    import pikepdf.pdfa

    report = pikepdf.pdfa.validate_written(path, flavour)
    findings = [f for f in report.findings
                if not (f.rule.endswith(("6.7.9-2", "6.6.2.3.1-1")) and declared_prefixes
                        and any(p in f.message for p in declared_prefixes))]
    detail = "; ".join(f"{f.rule}: {f.message}" for f in findings[:5])
    return Check("pikepdf-pdfa", not findings, detail)


def validate_pdf(path: Path, flavour: str | None = None, *, use_preflight: bool | None = None) -> PdfValidation:
    """Check ``path`` as PDF/A-``flavour`` (default: what the file declares).

    ``use_preflight``: None runs Preflight on PDF/A-1b files when it is installed; True requires it;
    False skips it.
    """
    result = PdfValidation(str(path), flavour)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        result.checks.append(Check("opens", False, "the file is encrypted with a password"))
        return result
    except (pikepdf.PdfError, OSError) as exc:
        result.checks.append(Check("opens", False, f"not a readable PDF: {exc}"))
        return result
    with pdf:
        result.flavour = flavour = flavour or declared_flavour(pdf)
        if flavour not in FLAVOURS:
            result.checks.append(Check("pdfa-identification", False,
                                       f"not declared as PDF/A-1b or PDF/A-2b ({flavour or 'no pdfaid in XMP'})"))
            return result
        result.checks.extend(structural_checks(pdf, flavour))
        prefixes = _declared_prefixes(_xmp_packet(pdf))
    result.checks.append(pikepdf_check(path, flavour, prefixes))
    if flavour == "1b" and (use_preflight or (use_preflight is None and preflight.available())):
        pf = preflight.validate_1b(path)
        result.checks.append(Check("pdfbox-preflight", pf.valid, "; ".join(pf.errors[:5])))
    return result
