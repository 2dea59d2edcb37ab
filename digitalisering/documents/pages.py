"""PageViews from what the page stages stored: imaging flags and the OCR words (words.json)."""

from __future__ import annotations

import json
from pathlib import Path

from digitalisering.documents.model import PageView
from digitalisering.documents.vocabulary import normalise
from digitalisering.ocr.words import OcrResult
from digitalisering.store.records import PageRecord, PageStatus


def page_view(page: PageRecord, page_dir: Path) -> PageView:
    result = page.result
    imaging = result.get("imaging") or {}
    technical = imaging.get("technical") or {}
    text, words = "", 0
    words_file = result.get("artifacts", {}).get("words")
    if page.status == PageStatus.DONE and words_file:
        try:
            ocr = OcrResult.from_json(json.loads((page_dir / words_file).read_text(encoding="utf-8")))
            text, words = normalise(ocr.text), len(ocr.words)
        except (OSError, ValueError, KeyError):
            pass  # no text: the page is split and classified by its layout only
    return PageView(
        seq=page.seq, folder=page.folder, done=page.status == PageStatus.DONE, text=text, words=words,
        is_blank=bool(imaging.get("is_blank")), separator=imaging.get("separator"),
        large_format=bool(imaging.get("large_format")), size_class=technical.get("size_class"),
    )
