"""The OCR stage: one page image file in, words and a text-layer PDF out."""

from __future__ import annotations

from pathlib import Path

from digitalisering._exec import tesseract
from digitalisering.ocr.words import OcrResult, parse_tsv


def ocr_image_file(image_path: Path, lang: str, dpi: float, timeout: float = 0) -> tuple[OcrResult, bytes]:
    """OCR ``image_path``; returns the words and the invisible text layer as a one-page PDF."""
    tsv, text_pdf = tesseract.recognise(image_path, lang, dpi, timeout)
    result = OcrResult(lang=lang, words=parse_tsv(tsv), engine_version=tesseract.version())
    return result, text_pdf
