"""OCR engines behind one interface, found by name.

An engine reads one page image and returns its ``PageText`` (blocks, lines, words with boxes in
the pixels of that image and confidences in percent). Everything after OCR (the PDF text layer,
ALTO, splitting, QA) reads the ``PageText`` only, so a second engine is one module that
implements ``OcrEngine`` and one line in ``ENGINES``.

Orientation and script detection (OSD) is an optional capability: an engine that can say which
way up a piece of text is implements ``OrientationDetector`` as well, and imaging asks it (through
``orientation_detector``) only when the page's own cues leave up and down in doubt. An engine
without it is still a complete engine; imaging then decides from the page's cues alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

from PIL import Image

from digitalisering.errors import ConfigError
from digitalisering.ocr.model import PageText


@runtime_checkable
class OcrEngine(Protocol):
    name: str
    """Registry name, also written into words.json, results.json and ALTO."""

    def version(self) -> str:
        """The engine's version; raises MissingDependencyError when it is not installed."""

    def require(self, lang: str) -> None:
        """Check that the engine and every language of ``lang`` ('nld', 'nld+eng') can be used;
        raises MissingDependencyError naming what to install."""

    def recognise(self, image: Image.Image, lang: str, dpi: float, timeout: float = 0,
                  sparse: bool = False, block: bool = False) -> PageText:
        """Read ``image`` (bitonal or grey, ``dpi`` pixels per inch) in ``lang``; boxes in its pixels.
        ``sparse``: the image holds scattered pieces of text (labels, stamps, a montage of regions
        the page reading missed), not columns and paragraphs: find every piece, in any order.
        ``block``: the image holds blocks of text lines one under the other (paragraphs the page
        reading dropped): read every line, top to bottom, without looking for columns.
        Raises OcrTimeoutError after ``timeout`` seconds (0: no limit), InputFileError when the
        engine fails on the page."""


@dataclass(frozen=True)
class OrientationGuess:
    """An engine's opinion on which way up a piece of text is."""
    rotate: int
    """Clockwise degrees (0, 90, 180, 270) that make the text upright."""
    confidence: float
    """The engine's own confidence (tesseract OSD: about 0..15; 2 and more is a clear opinion)."""


@runtime_checkable
class OrientationDetector(Protocol):
    """Optional engine capability: orientation detection (OSD) on a crop of text."""

    def detect_orientation(self, image: Image.Image, dpi: float, timeout: float = 60) -> OrientationGuess | None:
        """Which way up the text in ``image`` (grey, ``dpi`` pixels per inch) is; None when the
        engine has no opinion (too little text, or it took longer than ``timeout`` seconds)."""


def orientation_detector(engine: OcrEngine) -> OrientationDetector | None:
    """``engine`` when it can detect orientation, else None."""
    return engine if isinstance(engine, OrientationDetector) else None


def _tesseract() -> OcrEngine:
    from digitalisering.ocr.engines.tesseract import TesseractEngine
    return TesseractEngine()


ENGINES: dict[str, Callable[[], OcrEngine]] = {
    "tesseract": _tesseract,
}
"""Engine name -> factory (imported on first use: an engine's libraries load only when it is used)."""

DEFAULT_ENGINE = "tesseract"


def get_engine(name: str) -> OcrEngine:
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ConfigError("unknown OCR engine {name!r}; known: {items}", name=name, items=', '.join(sorted(ENGINES))) from None
    return factory()
