"""The typed page record: what the page stages found out about one page, as dataclasses.

The page chain fills one ``PageResult`` per page (each stage sets its own part); the runner stores
it as JSON in the state database (the resume point); every reader — the dossier chain, results.json,
the split, QA, progress — gets it back typed through ``PageResult.from_json`` instead of reading a
dict by string keys (a reader once looked for a separator's ``value`` that the stage called
``payload``).

The JSON form is the stored form of earlier versions: a stage that did not run is absent, a field
added later has a default, so pages stored by an older version are read as they are. ``cattrs``
turns the dataclasses into JSON-able dicts and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cattrs

from digitalisering.imaging.checks import TechnicalChecks
from digitalisering.imaging.load import PageInfo
from digitalisering.imaging.stage import BLANK_CHECK, ImagingResult
from digitalisering.ocr.cleanup import Cleanup
from digitalisering.ocr.completeness import Completeness

STAGE_NAMES = ("load", "imaging", "encode", "ocr")
"""The parts of the record the page stages fill, in order (``runner.page_chain.PAGE_STAGES``)."""


@dataclass
class EncodedImage:
    """The page image as it goes into the PDF (``pdfa.images``): upright, not yet straightened."""

    encoding: str
    """'ccitt-g4', 'jpeg', 'original-jpeg' or a lossless encoding."""
    bytes: int
    width_px: int
    height_px: int
    dpi: float
    deskew_deg: float = 0.0
    """The rotation the PDF applies when it draws the image (counter-clockwise skew undone)."""
    paper_colour: list[int] = field(default_factory=list)
    """Fills the corners uncovered by that rotation, in the image's mode."""
    sheet_box: list[int] | None = None
    """(x0, y0, x1, y1) of the sheet in pixels of the straightened page, inside the scanner's
    border (``imaging.sheet``); None: the sheet fills the image. ``run --crop`` crops the PDF to it."""


@dataclass
class OcrFacts:
    """How the page was read (the words themselves are in the ``words`` artifact)."""

    lang: str
    scale: float = 1.0
    """Factor applied before OCR (below 1.0 for pages above ``--ocr-max-megapixels``)."""
    ocr_dpi: float = 0.0
    width_px: int = 0
    height_px: int = 0
    """Size of the straightened image OCR read (word boxes are in its pixels)."""
    status: str = "full"
    """'full', 'reduced' (read at a reduced resolution) or 'timeout' (no text)."""
    error: str | None = None
    """Why OCR gave no text (a timeout), stored as ``errors.stored_reason`` (catalogue entry +
    values; plain text in records of an earlier version): shown with ``errors.shown_reason``."""
    engine: str | None = None
    mean_confidence: float | None = None
    words: int = 0
    chars: int = 0
    seconds: float | None = None
    cleanup: Cleanup | None = None
    """Leaders and rules removed from the copy OCR read (``ocr.cleanup``)."""
    completeness: Completeness | None = None
    """How much text-like ink no word covers (``ocr.completeness``), after the second reading."""
    reread_words: int = 0
    """Words the second, sparse reading (``ocr.reread``) added where the first one left nothing;
    its words standing in for doubtful ones are counted in ``reread_replaced``."""
    reread_replaced: int = 0
    """Doubtful words of the first reading that the second reading replaced."""


@dataclass
class Artifacts:
    """Work files of the page in its work folder, each with its SHA-256."""

    image: str | None = None
    image_sha256: str | None = None
    text_pdf: str | None = None
    text_pdf_sha256: str | None = None
    words: str | None = None
    words_sha256: str | None = None

    def set(self, name: str, filename: str, sha256: str) -> None:
        if name not in ("image", "text_pdf", "words"):
            raise ValueError(f"unknown page artifact {name!r}")
        setattr(self, name, filename)
        setattr(self, f"{name}_sha256", sha256)


@dataclass
class PageResult:
    load: PageInfo | None = None
    imaging: ImagingResult | None = None
    encode: EncodedImage | None = None
    ocr: OcrFacts | None = None
    artifacts: Artifacts = field(default_factory=Artifacts)
    seconds: float | None = None
    """Worker time for the whole page."""

    # -- what the readers ask -------------------------------------------------------------------
    @property
    def is_separator(self) -> bool:
        return bool(self.imaging and self.imaging.is_separator)

    @property
    def is_blank(self) -> bool:
        return bool(self.imaging and self.imaging.is_blank)

    @property
    def large_format(self) -> bool:
        return bool(self.imaging and self.imaging.large_format)

    @property
    def technical(self) -> TechnicalChecks | None:
        return self.imaging.technical if self.imaging else None

    @property
    def blank_verdict_outdated(self) -> bool:
        """A page called blank by an older version of the blank verdict (``imaging.stage.BLANK_CHECK``):
        the faint look (``imaging.faint``) never saw it, so faint type on it may be left out of the
        PDF. The run processes it again; no other page is affected by the newer verdict (only pages
        below the blank line get the second look)."""
        return bool(self.imaging and self.imaging.is_blank and not self.imaging.is_separator
                    and self.imaging.blank_check < BLANK_CHECK)

    def in_output(self, keep_blank: bool) -> bool:
        """Whether a done page with this result goes into the PDFs. A blank page whose verdict is
        uncertain (``ImagingResult.blank_uncertain``) is kept: a text page left out is a loss."""
        if self.is_separator or self.artifacts.image is None:
            return False
        return keep_blank or not self.is_blank or bool(self.imaging and self.imaging.blank_uncertain)

    def artifact_path(self, page_dir: Path, name: str) -> Path | None:
        filename = getattr(self.artifacts, name)
        return Path(page_dir) / filename if filename else None

    # -- stored form ----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data = _converter.unstructure(self)
        return {k: v for k, v in data.items() if v is not None or k == "seconds"}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "PageResult":
        """The record from its stored form (``{}`` for a page that has not been processed)."""
        try:
            return _converter.structure(data or {}, cls)
        except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"stored page result does not fit the page record: {exc}") from exc


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    # technical checks carry their overall status in the stored form (results.json shows it)
    base = cattrs.Converter()
    conv.register_unstructure_hook(TechnicalChecks, lambda t: {**base.unstructure(t), "status": t.status})
    conv.register_unstructure_hook(Artifacts, lambda a: {k: v for k, v in base.unstructure(a).items() if v})
    conv.register_structure_hook(
        TechnicalChecks,
        lambda d, _: base.structure({k: v for k, v in d.items() if k != "status"}, TechnicalChecks))
    return conv


_converter = _make_converter()
