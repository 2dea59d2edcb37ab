"""OCR engines behind one interface, found by name.

An engine reads one page image and returns its ``PageText`` (blocks, lines, words with boxes in
the pixels of that image and confidences in percent). Everything after OCR (the PDF text layer,
ALTO, splitting, QA) reads the ``PageText`` only, so a second engine is one module that
implements ``OcrEngine`` and one line in ``ENGINES``.
"""

from __future__ import annotations

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

    def recognise(self, image: Image.Image, lang: str, dpi: float, timeout: float = 0) -> PageText:
        """Read ``image`` (bitonal or grey, ``dpi`` pixels per inch) in ``lang``; boxes in its pixels.
        Raises OcrTimeoutError after ``timeout`` seconds (0: no limit), InputFileError when the
        engine fails on the page."""


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
        raise ConfigError(f"unknown OCR engine {name!r}; known: {', '.join(sorted(ENGINES))}") from None
    return factory()
