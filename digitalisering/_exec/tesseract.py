"""tesseract (through pytesseract): probe, language check, the words of a page (TSV), orientation (OSD)."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import pytesseract
import pytesseract.pytesseract

from digitalisering import lifetime
from digitalisering.errors import InputFileError, MissingDependencyError, OcrTimeoutError

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-nld"
MIN_VERSION = (4, 1)

_pytesseract_subprocess_args = pytesseract.pytesseract.subprocess_args


def _subprocess_args(include_stdout: bool = True) -> dict:
    """pytesseract's options for starting tesseract, plus: tesseract dies with the process that
    started it (a worker killed mid-page takes its tesseract along, see digitalisering.lifetime)."""
    kwargs = _pytesseract_subprocess_args(include_stdout)
    if lifetime.AVAILABLE:
        kwargs["preexec_fn"] = functools.partial(lifetime.die_with_parent, os.getpid())
    return kwargs


# every tesseract that pytesseract starts (OCR, OSD, the probes) gets these options
pytesseract.pytesseract.subprocess_args = _subprocess_args


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The installed tesseract version; raises MissingDependencyError when it is not installed."""
    try:
        v = pytesseract.get_tesseract_version()
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise MissingDependencyError("tesseract is not installed: {install_hint}", install_hint=INSTALL_HINT) from exc
    parts = tuple(int(p) for p in str(v).split(".")[:2] if p.isdigit())
    if parts < MIN_VERSION:
        raise MissingDependencyError("tesseract {v} is too old; need 4.1 or newer: {install_hint}", v=v, install_hint=INSTALL_HINT)
    return str(v)


@functools.lru_cache(maxsize=1)
def languages() -> frozenset[str]:
    version()
    return frozenset(pytesseract.get_languages(config=""))


def debian_package(lang: str) -> str:
    return "tesseract-ocr-" + lang.lower().replace("_", "-")


def require(lang: str) -> None:
    """Check that tesseract and every language of ``lang`` ('nld', 'nld+eng') are installed."""
    wanted = [part for part in lang.split("+") if part]
    if not wanted:
        raise MissingDependencyError("no OCR language given (--lang nld)")
    have = languages()
    missing = [part for part in wanted if part not in have]
    if missing:
        packages = " ".join(debian_package(m) for m in missing)
        raise MissingDependencyError(
            "tesseract language pack(s) {items} not installed: apt-get install {packages}", items=', '.join(missing), packages=packages
        )


def recognise(image_path: Path, lang: str, dpi: float, timeout: float = 0, psm: int | None = None) -> str:
    """OCR one page image file: tesseract's TSV output (words with boxes, confidences, layout numbers).
    ``psm``: tesseract's page segmentation mode (None: its default, a full page; 11: sparse text)."""
    config = f"--dpi {int(round(dpi))} -c tessedit_create_tsv=1" + (f" --psm {psm}" if psm is not None else "")
    with tempfile.TemporaryDirectory(prefix="digitalisering-ocr-") as tmp:
        base = os.path.join(tmp, "page")
        try:
            pytesseract.pytesseract.run_tesseract(
                str(image_path), base, extension="tsv", lang=lang, config=config, timeout=timeout
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise MissingDependencyError("tesseract is not installed: {install_hint}", install_hint=INSTALL_HINT) from exc
        except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
            raise OcrTimeoutError("OCR took longer than {timeout:g} s and was stopped", timeout=timeout) from exc
        except pytesseract.TesseractError as exc:
            lines = str(exc.message).strip().splitlines()
            raise InputFileError("tesseract failed: {value}", value=lines[-1] if lines else 'unknown error') from exc
        with open(base + ".tsv", encoding="utf-8") as fh:
            return fh.read()


def detect_orientation(image_path: Path, dpi: float, timeout: float = 60) -> tuple[int, float] | None:
    """tesseract's orientation and script detection (OSD) on an image file.

    Returns (clockwise degrees that make the page upright, confidence); None when tesseract finds
    too little text to say or takes longer than ``timeout``.
    """
    try:
        out = pytesseract.image_to_osd(
            str(image_path), config=f"--psm 0 --dpi {int(round(dpi))}", timeout=timeout,
            output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError("tesseract is not installed: {install_hint}", install_hint=INSTALL_HINT) from exc
    except (pytesseract.TesseractError, RuntimeError):
        return None  # too few characters, or took too long: no opinion
    return int(out.get("rotate", 0)) % 360, float(out.get("orientation_conf", 0.0))
