"""The page stage chain: each stage is a pure function of the page so far, run in a worker.

Stages are listed in ``PAGE_STAGES`` in order; a stage reads what earlier stages left in the
``PageContext`` and returns a small JSON-able dict that is stored under its name in the page's
result. Adding a stage (imaging, barcodes, ...) means adding one function and one list entry.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from PIL import Image

from digitalisering.fileio import write_bytes_atomic
from digitalisering.imaging.load import LoadedPage, load_page
from digitalisering.imaging.stage import ImagingOptions, analyse_page
from digitalisering.imaging.transform import straight_grey
from digitalisering.metadata.fixity import sha256_bytes
from digitalisering.errors import OcrTimeoutError
from digitalisering.ocr.engine import ocr_page, plan_ocr
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
    results: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)

    @property
    def work_dir(self) -> Path:
        return Path(self.job.work_dir)

    def artifact(self, name: str, filename: str, data: bytes) -> Path:
        path = self.work_dir / filename
        write_bytes_atomic(path, data)
        self.artifacts[name] = filename
        self.artifacts[name + "_sha256"] = sha256_bytes(data)
        return path


def stage_load(ctx: PageContext) -> dict[str, Any]:
    job = ctx.job
    ctx.loaded = load_page(Path(job.source), job.page_index, job.format, job.options.max_pixels)
    ctx.image = ctx.loaded.image
    ctx.dpi = ctx.loaded.info.dpi
    return asdict(ctx.loaded.info)


def stage_imaging(ctx: PageContext) -> dict[str, Any]:
    assert ctx.image is not None and ctx.loaded is not None
    info = ctx.loaded.info
    stated = info.stated_dpi[0] if info.stated_dpi else None
    opts = ctx.job.options
    ctx.image, result = analyse_page(ctx.image, stated, info.bits_per_sample,
                                     ImagingOptions(deskew_min_deg=opts.deskew_min_deg, use_osd=opts.use_osd))
    ctx.dpi = result.technical["dpi"]
    ctx.deskew_deg, ctx.paper_colour = result.deskew_deg, tuple(result.paper_colour)
    # blank pages keep their image (whether they go into the PDF is decided per run: --keep-blank)
    ctx.has_image = not result.is_separator
    ctx.needs_ocr = not (result.is_separator or result.is_blank)
    return result.to_json()


def stage_encode(ctx: PageContext) -> dict[str, Any] | None:
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
    return {"encoding": encoded.encoding, "bytes": len(encoded.data),
            "width_px": ctx.image.width, "height_px": ctx.image.height, "dpi": ctx.dpi,
            "deskew_deg": ctx.deskew_deg, "paper_colour": list(ctx.paper_colour)}


def stage_ocr(ctx: PageContext) -> dict[str, Any] | None:
    if not ctx.needs_ocr:
        return None
    assert ctx.image_path is not None and ctx.image is not None
    opts = ctx.job.options
    started = time.perf_counter()
    straight = straight_grey(ctx.image, ctx.deskew_deg, ctx.paper_colour)
    plan = plan_ocr(straight.width, straight.height, ctx.dpi, opts.ocr_max_megapixels)
    done = {"lang": opts.lang, "scale": plan.scale, "ocr_dpi": round(plan.dpi, 1),
            "width_px": straight.width, "height_px": straight.height}
    try:
        result, text_pdf = ocr_page(straight, opts.lang, ctx.dpi, plan, opts.ocr_timeout)
    except OcrTimeoutError as exc:
        # the page keeps its image (it goes into the PDF without text); QA lists it
        return {**done, "status": "timeout", "error": str(exc), "engine": None, "mean_confidence": None,
                "words": 0, "chars": 0}
    ctx.artifact("text_pdf", "text.pdf", text_pdf)
    words = json.dumps(result.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    ctx.artifact("words", "words.json", words)
    done["seconds"] = round(time.perf_counter() - started, 3)
    return {**done, "status": "reduced" if plan.reduced else "full", "error": None,
            "engine": f"tesseract {result.engine_version}",
            "mean_confidence": result.mean_confidence, "words": len(result.words),
            "chars": sum(len(w.text) for w in result.words)}


StageFn = Callable[[PageContext], "dict[str, Any] | None"]

PAGE_STAGES: list[tuple[str, StageFn]] = [
    ("load", stage_load),
    ("imaging", stage_imaging),
    ("encode", stage_encode),
    ("ocr", stage_ocr),
]


def run_page_chain(job: PageJob, stages: list[tuple[str, StageFn]] | None = None) -> dict[str, Any]:
    """Run every stage on one page; returns the page result (stage name -> stage output)."""
    started = time.perf_counter()
    ctx = PageContext(job)
    os.makedirs(ctx.work_dir, exist_ok=True)
    for name, fn in stages or PAGE_STAGES:
        out = fn(ctx)
        if out is not None:
            ctx.results[name] = out
    ctx.results["artifacts"] = ctx.artifacts
    ctx.results["seconds"] = round(time.perf_counter() - started, 3)
    return ctx.results
