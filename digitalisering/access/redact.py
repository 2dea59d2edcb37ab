"""Redacted public copies, for real: the confirmed regions are burned into the pixels of a
derivative page image (never an overlay: nothing under a black box survives in the file), the words
they cover are removed from the derivative's text layer and its ALTO files, and the archival
original stays untouched.

The derivative page is the straightened page (the pixel grid the words' boxes refer to, as the
PDF shows it), stored losslessly (PNG, Flate in the PDF) so that a region's pixels stay exactly
uniform; it is drawn without a further rotation. ``leak_check`` proves it afterwards: no redacted
string in ``pdftotext`` of the public PDF or in its ALTO, and every region's pixels uniform.

A word is removed when its box overlaps a region at all: a region drawn a little short must not
leave half a BSN in the text layer.
"""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image

from digitalisering.access.policy import Region
from digitalisering.errors import MissingDependencyError
from digitalisering.fileio import write_bytes_atomic
from digitalisering.imaging.transform import deskew
from digitalisering.ocr.model import Block, Box, Line, PageText, Word
from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf
from digitalisering.text.alto import AltoSource, alto_xml, strings

MARGIN = 2
"""Pixels added around every region before it is burned (a box drawn on the word's outline)."""


@dataclass(frozen=True)
class SourcePage:
    """One page of the original document as the outputs show it."""

    seq: int
    image_path: Path
    """The page image the original PDF embeds (before its straightening)."""
    text: PageText | None
    dpi: float
    deskew_deg: float = 0.0
    fill: tuple[int, ...] = ()


@dataclass
class PublicCopy:
    pdf: Path
    alto: list[Path]
    redacted: list[str]
    """The text that was removed: each run of consecutive removed words on a line."""
    regions: dict[int, list[Box]]
    """1-based page number in the public PDF -> the burned boxes."""


def _grown(region: Region, width: int, height: int) -> Box:
    left, top = max(0, region.left - MARGIN), max(0, region.top - MARGIN)
    right = min(width, region.left + region.width + MARGIN)
    bottom = min(height, region.top + region.height + MARGIN)
    return Box(left, top, max(0, right - left), max(0, bottom - top))


def _overlaps(word: Word, box: Box) -> bool:
    return (word.left < box.left + box.width and box.left < word.right
            and word.top < box.top + box.height and box.top < word.bottom)


def redacted_text(text: PageText, boxes: list[Box]) -> tuple[PageText, list[str]]:
    """The page's words without those any box overlaps, and the removed text: each run of
    consecutive removed words on a line as one string ("K.P. van Dorp", not "van")."""
    removed: list[str] = []
    blocks = []
    for block in text.blocks:
        lines = []
        for line in block.lines:
            kept, run = [], []
            for w in line.words:
                if any(_overlaps(w, b) for b in boxes):
                    run.append(w.text)
                    continue
                if run:
                    removed.append(" ".join(run))
                    run = []
                kept.append(w)
            if run:
                removed.append(" ".join(run))
            if kept:
                lines.append(Line(kept))
        if lines:
            blocks.append(Block(lines))
    return dataclasses.replace(text, blocks=blocks), removed


def burned_image(page: SourcePage, boxes: list[Box]) -> Image.Image:
    """The straightened page with every box filled black (bitonal stays bitonal)."""
    with Image.open(page.image_path) as im:
        im.load()
        image = im if im.mode in ("1", "L", "RGB") else im.convert("RGB")
        if page.deskew_deg:
            image = deskew(image, page.deskew_deg, page.fill or (255,))
    return burn(image, boxes)


def burn(image: Image.Image, boxes: list[Box]) -> Image.Image:
    """A copy of ``image`` with every box filled black in its pixels (bitonal stays bitonal)."""
    arr = np.array(image)
    for b in boxes:
        arr[b.top:b.top + b.height, b.left:b.left + b.width] = 0  # black (False in a bitonal array)
    return Image.fromarray(arr, image.mode) if image.mode != "1" else Image.fromarray(arr.astype(bool))


def page_boxes(regions, seq: int, width: int, height: int) -> list[Box]:
    """The boxes burned on page ``seq`` (``width`` x ``height`` as the PDF shows it): its regions
    grown by ``MARGIN``, as the public copy burns them."""
    return [_grown(r, width, height) for r in regions if r.seq == seq]


def write_public_copy(pages: list[SourcePage], regions: list[Region], pdf_path: Path, info: PdfInfo,
                      alto_path_of, work_dir: Path, flavour: str = "2b") -> PublicCopy:
    """Write the redacted PDF/A at ``pdf_path`` and one ALTO file per page at ``alto_path_of(n)``;
    derivative images go to ``work_dir``. Pages without regions keep their pixels and words."""
    work_dir.mkdir(parents=True, exist_ok=True)
    pdf_pages, redacted, burned, alto = [], [], {}, []
    texts = []
    for n, page in enumerate(pages, 1):
        mine = [r for r in regions if r.seq == page.seq]
        text = page.text
        if not mine:
            pdf_pages.append(PdfPage(page.image_path, text, page.dpi, page.deskew_deg, page.fill))
            texts.append(text)
            continue
        with Image.open(page.image_path) as probe:
            w, h = probe.size
        if page.deskew_deg:
            from digitalisering.imaging.transform import straight_size
            w, h = straight_size(w, h, page.deskew_deg)
        boxes = [_grown(r, w, h) for r in mine]
        image = burned_image(page, boxes)
        derivative = work_dir / f"{pdf_path.stem}-{n:03d}.png"
        buf = io.BytesIO()
        image.save(buf, format="PNG", dpi=(round(page.dpi), round(page.dpi)))
        write_bytes_atomic(derivative, buf.getvalue())
        if text is not None:
            text, removed = redacted_text(text, boxes)
            redacted += removed
        pdf_pages.append(PdfPage(derivative, text, page.dpi))
        texts.append(text)
        burned[n] = boxes
    build_pdf(pdf_pages, pdf_path, info, flavour=flavour)
    for n, (page, text) in enumerate(zip(pages, texts), 1):
        if text is None:
            text = PageText("und")
        if not (text.width and text.height):
            with Image.open(pdf_pages[n - 1].image_path) as im:
                text = dataclasses.replace(text, width=im.width, height=im.height, dpi=page.dpi)
        target = alto_path_of(n)
        write_bytes_atomic(target, alto_xml(text, AltoSource(pdf_path.name, n)))
        alto.append(target)
    return PublicCopy(pdf_path, alto, redacted, burned)


# --- the leak check --------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def pdf_text(pdf: Path) -> str:
    """``pdftotext`` of the whole file (poppler-utils)."""
    try:
        return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True,
                              timeout=120).stdout
    except FileNotFoundError as exc:
        raise MissingDependencyError("pdftotext is missing: apt-get install poppler-utils") from exc


def leak_check(copy: PublicCopy) -> list[str]:
    """Everything that gives a redacted string or pixel away (empty: nothing leaks): the removed
    strings (and every number of five digits or more in them) must not be in ``pdftotext`` of the
    public PDF nor in its ALTO strings, and each burned region's pixels must be one value."""
    problems = []
    sources = {"pdftotext": _norm(pdf_text(copy.pdf))}
    for path in copy.alto:
        sources[f"ALTO {path.name}"] = _norm(" ".join(strings(path.read_bytes())))
    for secret in copy.redacted:
        needles = {_norm(secret)} | {d for d in re.findall(r"\d{5,}", re.sub(r"[\s.]", "", secret))}
        for where, text in sources.items():
            for needle in needles:
                digits = needle.isdigit()  # a number is found however it is spaced or dotted
                haystack = re.sub(r"[\s.]", "", text) if digits else text
                edge = r"\d" if digits else r"\w"
                if needle and re.search(rf"(?<!{edge}){re.escape(needle)}(?!{edge})", haystack):
                    problems.append(f"{where} still holds {needle!r}")
    with pikepdf.open(copy.pdf) as pdf:
        for n, boxes in copy.regions.items():
            images = list(pdf.pages[n - 1].get_images().values())
            if len(images) != 1:
                problems.append(f"page {n}: {len(images)} images (expected the one burned derivative)")
                continue
            arr = np.asarray(pikepdf.PdfImage(images[0]).as_pil_image())
            for b in boxes:
                cut = arr[b.top:b.top + b.height, b.left:b.left + b.width]
                if cut.size == 0 or not (cut == cut.reshape(-1, *cut.shape[2:])[0]).all():
                    problems.append(f"page {n}: region {b.left},{b.top},{b.width},{b.height} is not uniform")
    return problems


def visible_text(text: PageText, seq: int, decision, role: str = "public", today=None) -> PageText | None:
    """The words of page ``seq`` that ``role`` may see under ``decision`` (for the search index and
    its snippets): all of them, those outside the redacted regions, or None (nothing)."""
    from digitalisering.access.policy import Content, may_see
    view = may_see(role, decision, today)
    if view.content is Content.ORIGINAL:
        return text
    if view.content is Content.NONE:
        return None
    with_margin = [Box(max(0, r.left - MARGIN), max(0, r.top - MARGIN), r.width + 2 * MARGIN, r.height + 2 * MARGIN)
                   for r in decision.regions if r.seq == seq]
    return redacted_text(text, with_margin)[0]
