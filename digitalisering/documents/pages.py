"""PageViews from the stored page records: imaging flags and the OCR words (words.json)."""

from __future__ import annotations

from pathlib import Path

from digitalisering.documents.model import LineBox, PageView
from digitalisering.documents.vocabulary import normalise
from digitalisering.ocr.model import PageText
from digitalisering.pagerecord import PageResult
from digitalisering.store.records import PageRecord, PageStatus


def page_view(page: PageRecord, page_dir: Path, with_text: bool = True, file: str = "") -> PageView:
    """What the split and the classifier know of ``page`` (``with_text=False``: the flags only,
    enough for the dossier boundaries); ``file``: the delivered file holding it, for messages."""
    record = PageResult.from_json(page.result)
    text, words, lines = "", 0, ()
    words_file = record.artifact_path(page_dir, "words")
    if with_text and page.status == PageStatus.DONE and words_file:
        try:
            ocr = PageText.read(words_file)
            text, words = normalise(ocr.text), len(ocr.words)
            lines = line_boxes(ocr, text)
        except (OSError, ValueError, KeyError):
            pass  # no text: the page is split and classified by its layout only
    imaging = record.imaging
    separator = imaging.separator if imaging else None
    return PageView(
        seq=page.seq, folder=page.folder, done=page.status == PageStatus.DONE, text=text, words=words,
        is_blank=record.is_blank, separator=separator,
        large_format=record.large_format, size_class=record.technical.size_class if record.technical else None,
        lines=lines, file=file, file_page=page.page_index + 1 if file else 0,
    )


def line_boxes(ocr: PageText, text: str) -> tuple[LineBox, ...]:
    """The box of every line of ``text`` (the normalised ``ocr.text``), or () when the page has no
    size or the lines do not correspond one to one."""
    if not (ocr.width and ocr.height):
        return ()
    boxes = []
    for line in ocr.lines:
        if not normalise(" ".join(w.text for w in line.words)):
            continue
        b = line.box
        boxes.append(LineBox(b.top / ocr.height, b.left / ocr.width, (b.top + b.height) / ocr.height,
                             (b.left + b.width) / ocr.width))
    return tuple(boxes) if len(boxes) == text.count("\n") + 1 and text else ()
