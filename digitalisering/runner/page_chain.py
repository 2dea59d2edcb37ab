"""The page stage chain: each stage is a pure function of the page so far, run in a worker.

Stages are listed in ``PAGE_STAGES`` in order; a stage reads what earlier stages left in the
``PageContext`` and returns its part of the typed page record (``pagerecord.PageResult``), which
the chain puts under the stage's name (or None when the stage does not apply to the page). The
runner stores the record's JSON form. Adding a stage means one function, one list entry and one
field of the record.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from PIL import Image

from digitalisering.fileio import write_bytes_atomic
from digitalisering.imaging.load import LoadedPage, PageInfo, load_page
from digitalisering.imaging.stage import ImagingOptions, ImagingResult, analyse_page
from digitalisering.imaging.transform import straight_grey
from digitalisering.metadata.fixity import sha256_bytes
from digitalisering.errors import OcrTimeoutError, reason_of
from digitalisering.ocr.cells import find_grid, read_cells
from digitalisering.ocr.cleanup import clean_for_ocr
from digitalisering.ocr.completeness import measure as measure_completeness, text_ink
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.enhance import flatten, text_height, upscale_factor
from digitalisering.pagerecord import STAGE_NAMES, EncodedImage, OcrFacts, PageResult
from digitalisering.ocr.engines import get_engine, orientation_detector
from digitalisering.ocr.model import PageText
from digitalisering.ocr.reread import reread
from digitalisering.ocr.stamps import read_stamps
from digitalisering.imaging.sheet import sheet_box
from digitalisering.pdfa.images import encode_page_image
from digitalisering.runner.options import RunOptions


@dataclass(frozen=True)
class PageJob:
    """Everything a worker needs to process one page (picklable)."""

    page_id: int
    seq: int
    source: str
    page_index: int
    format: str
    work_dir: str
    options: RunOptions


@dataclass
class PageContext:
    job: PageJob
    loaded: LoadedPage | None = None
    image: Image.Image | None = None
    dpi: float = 0.0
    image_path: Path | None = None
    has_image: bool = True
    """False for separator sheets: no page image is kept and they never go into a PDF."""
    needs_ocr: bool = True
    """False for separator sheets and blank pages."""
    deskew_deg: float = 0.0
    """Skew the outputs undo (the page image itself is only turned upright)."""
    paper_colour: tuple[int, ...] = (255,)
    record: PageResult = field(default_factory=PageResult)

    @property
    def work_dir(self) -> Path:
        return Path(self.job.work_dir)

    def artifact(self, name: str, filename: str, data: bytes) -> Path:
        path = self.work_dir / filename
        write_bytes_atomic(path, data)
        self.record.artifacts.set(name, filename, sha256_bytes(data))
        return path


def stage_load(ctx: PageContext) -> PageInfo:
    job = ctx.job
    ctx.loaded = load_page(Path(job.source), job.page_index, job.format, job.options.max_pixels)
    ctx.image = ctx.loaded.image
    ctx.dpi = ctx.loaded.info.dpi
    return ctx.loaded.info


def stage_imaging(ctx: PageContext) -> ImagingResult:
    assert ctx.image is not None and ctx.loaded is not None
    info = ctx.loaded.info
    stated = info.stated_dpi[0] if info.stated_dpi else None
    opts = ctx.job.options
    osd = orientation_detector(get_engine(opts.ocr_engine)) if opts.use_osd else None
    ctx.image, result = analyse_page(ctx.image, stated, info.bits_per_sample,
                                     ImagingOptions(deskew_min_deg=opts.deskew_min_deg, osd=osd))
    ctx.dpi = result.technical.dpi
    ctx.deskew_deg, ctx.paper_colour = result.deskew_deg, tuple(result.paper_colour)
    # blank pages keep their image (whether they go into the PDF is decided per run: --keep-blank)
    ctx.has_image = not result.is_separator
    ctx.needs_ocr = not (result.is_separator or result.is_blank)
    return result


def stage_encode(ctx: PageContext) -> EncodedImage | None:
    assert ctx.image is not None and ctx.loaded is not None
    if not ctx.has_image:
        return None
    unchanged = ctx.image is ctx.loaded.image
    encoded = encode_page_image(
        ctx.image,
        ctx.dpi,
        original_jpeg=ctx.loaded.original_jpeg if unchanged else None,
        jpeg_quality=ctx.job.options.jpeg_quality,
        lossless=ctx.job.options.lossless,
    )
    ctx.image_path = ctx.artifact("image", "page" + encoded.suffix, encoded.data)
    return EncodedImage(encoding=encoded.encoding, bytes=len(encoded.data), width_px=ctx.image.width,
                        height_px=ctx.image.height, dpi=ctx.dpi, deskew_deg=ctx.deskew_deg,
                        paper_colour=list(ctx.paper_colour),
                        sheet_box=sheet_box(ctx.image, ctx.deskew_deg, ctx.dpi))


def stage_ocr(ctx: PageContext) -> OcrFacts | None:
    """Read the straightened page with the run's OCR engine; its ``PageText`` is the words.json
    artifact, from which the PDF text layer and the ALTO files are drawn."""
    if not ctx.needs_ocr:
        return None
    assert ctx.image_path is not None and ctx.image is not None
    opts = ctx.job.options
    started = time.perf_counter()
    straight = straight_grey(ctx.image, ctx.deskew_deg, ctx.paper_colour)
    grid = find_grid(straight, ctx.dpi)  # before the cleanup paints the rules over
    straight, cleanup = clean_for_ocr(straight, ctx.dpi)
    readable = flatten(straight, ctx.dpi)  # even paper; small type is enlarged by the plan
    plan = plan_ocr(straight.width, straight.height, ctx.dpi, opts.ocr_max_megapixels,
                    upscale_factor(text_height(readable, ctx.dpi)))
    facts = OcrFacts(lang=opts.lang, scale=plan.scale, ocr_dpi=round(plan.dpi, 1),
                     width_px=straight.width, height_px=straight.height, cleanup=cleanup)
    engine = get_engine(opts.ocr_engine)
    try:
        text = ocr_page(engine, readable, opts.lang, ctx.dpi, plan, opts.ocr_timeout)
    except OcrTimeoutError as exc:
        # the page keeps its image (it goes into the PDF without text); QA lists it
        facts.status, facts.error = "timeout", reason_of(exc)  # shown in each reader's language
        return facts
    text = read_grid(engine, grid, ctx.dpi, text, opts, started)
    ink = text_ink(straight, ctx.dpi)  # measured once, before and after the second passes
    facts.completeness = measure_completeness(straight, ctx.dpi, text.words, ink)
    text, facts.reread_words, facts.reread_replaced = read_again(engine, readable, ctx.dpi, text,
                                                                 facts.completeness, opts, started)
    stamped = read_stamps_in(engine, readable, ctx, text, started)  # after: the second reading as before
    if facts.reread_words or facts.reread_replaced or stamped is not text:
        text = stamped
        facts.completeness = measure_completeness(straight, ctx.dpi, text.words, ink)
    words = json.dumps(text.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    ctx.artifact("words", "words.json", words)
    facts.seconds = round(time.perf_counter() - started, 3)
    facts.status = "reduced" if plan.reduced else "full"
    facts.engine = f"{text.engine} {text.engine_version}"
    all_words = text.words
    facts.mean_confidence, facts.words = text.mean_confidence, len(all_words)
    facts.chars = sum(len(w.text) for w in all_words)
    return facts


def read_stamps_in(engine, readable, ctx: PageContext, text: PageText, started: float) -> PageText:
    """The page's text with the words of its stamps (``ocr.stamps``: read whole at their own angle,
    on a colour page without the type beneath them); the first reading alone when the time runs out."""
    opts = ctx.job.options
    left = opts.ocr_timeout - (time.perf_counter() - started) if opts.ocr_timeout else 0
    if opts.ocr_timeout and left <= 1:
        return text
    try:
        found = read_stamps(engine, readable, ctx.dpi, text, opts.lang, ctx.image, ctx.deskew_deg, left)
    except OcrTimeoutError:
        return text
    return found.text if found else text


def read_grid(engine, grid, dpi: float, text: PageText, opts, started: float) -> PageText:
    """The page's text with the cells of its ruled tables and title blocks read one by one
    (``ocr.cells``); the first reading alone when there is no grid or the time limit runs out."""
    left = opts.ocr_timeout - (time.perf_counter() - started) if opts.ocr_timeout else 0
    if not grid.cells or (opts.ocr_timeout and left <= 1):
        return text
    try:
        cells = read_cells(engine, grid, dpi, text, opts.lang, left)
    except OcrTimeoutError:
        return text
    return text if cells is None else cells.text


def read_again(engine, straight, dpi: float, text: PageText, missing, opts,
               started: float) -> tuple[PageText, int, int]:
    """The page's text with what a second reading of its unread regions and doubtful words found
    (``ocr.reread``), how many words that added (standing in for no word of the first reading) and
    how many doubtful words it replaced; the first reading alone when the time limit runs out."""
    left = opts.ocr_timeout - (time.perf_counter() - started) if opts.ocr_timeout else 0
    if opts.ocr_timeout and left <= 1:
        return text, 0, 0
    try:
        second = reread(engine, straight, dpi, text, missing, opts.lang, left)
    except OcrTimeoutError:
        return text, 0, 0
    if second is None:
        return text, 0, 0
    return second.text, second.added, second.replaced


StageFn = Callable[[PageContext], Any]

PAGE_STAGES: list[tuple[str, StageFn]] = [
    ("load", stage_load),
    ("imaging", stage_imaging),
    ("encode", stage_encode),
    ("ocr", stage_ocr),
]


def run_page_chain(job: PageJob, stages: list[tuple[str, StageFn]] | None = None) -> dict[str, Any]:
    """Run every stage on one page; returns the page record's stored (JSON) form."""
    started = time.perf_counter()
    ctx = PageContext(job)
    os.makedirs(ctx.work_dir, exist_ok=True)
    for name, fn in stages or PAGE_STAGES:
        out = fn(ctx)
        if name in STAGE_NAMES:
            setattr(ctx.record, name, out)
    ctx.record.seconds = round(time.perf_counter() - started, 3)
    return ctx.record.to_json()
