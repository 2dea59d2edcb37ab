"""The second reading takes in the first reading's doubtful words: a drawing's title block in small
type, its labels close to the cells' edges, read as ``"GETEKEND`` or ``SCHAAL`` with little
confidence, comes out right in the page's words (hence its PDF text layer and ALTO)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import pagegen
from digitalisering.ocr import reread
from digitalisering.ocr.completeness import Completeness
from digitalisering.ocr.model import Block, Line, PageText, Word

DPI = 200
LABELS = [("WERK", "nieuwbouw woonhuis"), ("PERCEEL", "Breestraat 12"), ("OPDRACHTGEVER", "Jansen"),
          ("GETEKEND", "Pietersen"), ("SCHAAL", "1:100")]


def px(pt: float) -> int:
    return round(pt / 72 * DPI)


def title_block_page() -> Image.Image:
    """A letter with a stamp set askew (the page reading misses it, so the page is read again) and
    a title block: labels in 5 pt, 3 pixels from the cells' grey edges, values in 7.5 pt."""
    page = pagegen.page_image(pagegen.DUTCH_LINES, dpi=DPI, font_pt=11)
    draw = ImageDraw.Draw(page)
    small, value = ImageFont.load_default(size=px(5)), ImageFont.load_default(size=px(7.5))
    x0, y0, row = int(page.width * 0.45), int(page.height * 0.75), round(px(5) * 2.6)
    width, split, gap = round(page.width * 0.5), int(page.width * 0.45) // 2, 3
    draw.rectangle((x0, y0, x0 + width, y0 + row * len(LABELS)), outline=110, width=2)
    draw.line((x0 + split - gap, y0, x0 + split - gap, y0 + row * len(LABELS)), fill=110, width=2)
    for k, (label, text) in enumerate(LABELS):
        y = y0 + k * row
        if k:
            draw.line((x0, y, x0 + width, y), fill=110, width=2)
        draw.text((x0 + gap, y + gap), label, font=small, fill=70, anchor="la")
        draw.text((x0 + split, y + row - gap), text, font=value, fill=40, anchor="ld")
    mark = stamp(["INGEKOMEN", "12 SEP 1974"], 12.0)
    grey = np.array(page)
    x, y = 900, 700
    grey[y:y + mark.height, x:x + mark.width] = np.minimum(grey[y:y + mark.height, x:x + mark.width], np.asarray(mark))
    return Image.fromarray(grey)


def stamp(lines: list[str], angle: float, pt: float = 16) -> Image.Image:
    font = ImageFont.load_default(size=px(pt))
    width = max(round(ImageDraw.Draw(Image.new("L", (1, 1))).textlength(t, font=font)) for t in lines) + 40
    im = Image.new("L", (width, len(lines) * round(px(pt) * 1.5) + 40), 255)
    draw = ImageDraw.Draw(im)
    draw.rectangle((3, 3, im.width - 4, im.height - 4), outline=60, width=4)
    for k, text in enumerate(lines):
        draw.text((20, 20 + k * round(px(pt) * 1.5)), text, fill=40, font=font, stroke_width=1, stroke_fill=40)
    return im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def test_title_block_labels_read_doubtfully_come_out_right_in_the_page_words(tmp_path):
    from digitalisering.pagerecord import PageResult
    from digitalisering.runner.options import RunOptions
    from digitalisering.runner.page_chain import PageJob, run_page_chain

    src = pagegen.save(title_block_page(), tmp_path / "p.tif", dpi=DPI, compression="tiff_lzw")
    job = PageJob(1, 0, str(src), 0, "TIFF", str(tmp_path / "work"), RunOptions(jobs=1, progress=False))
    record = PageResult.from_json(run_page_chain(job))
    words = PageText.read(record.artifact_path(tmp_path / "work", "words")).words
    texts = [w.text for w in words]
    assert {"WERK", "OPDRACHTGEVER", "GETEKEND", "SCHAAL"} <= set(texts), texts
    for label in ("OPDRACHTGEVER", "GETEKEND", "SCHAAL"):  # once, not beside the doubtful reading
        assert sum(label in t for t in texts) == 1, texts
    assert record.ocr.words == len(words)


class OneWord:
    """An engine that reads one word over all the ink of the sheet it is given."""
    name = "one-word"

    def __init__(self, text: str):
        self.text, self.calls = text, 0

    def recognise(self, image, lang, dpi, timeout=0, sparse=False):
        self.calls += 1
        ys, xs = np.nonzero(np.asarray(image.convert("L")) < 128)
        word = Word(self.text, int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1), 95.0)
        return PageText(lang, [Block([Line([word])])])


def test_a_doubtful_word_read_again_with_confidence_is_replaced_and_sure_words_stay():
    page = pagegen.page_image(["WERK"], dpi=300, font_pt=12)
    ys, xs = np.nonzero(np.asarray(page) < 128)
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    doubtful = Word("lr", *box, 47.0)
    sure = Word("Breestraat", box[0], box[1] + 400, 300, box[3], 96.0)
    first = PageText("nld", [Block([Line([doubtful])]), Block([Line([sure])])])
    missing = Completeness(1000, 100, 0.1, [])  # the page is read again; no unread region of its own
    engine = OneWord("WERK")
    second = reread.reread(engine, page, 300, first, missing, "nld")
    # one word read, standing in for the doubtful one: nothing added (before: added 1, as if the page gained a word)
    assert engine.calls == 1 and (second.read, second.added, second.replaced) == (1, 0, 1)
    assert [w.text for w in second.text.words] == ["Breestraat", "WERK"]
    werk = second.text.words[1]
    assert abs(werk.left - box[0]) <= 3 and abs(werk.top - box[1]) <= 3  # where the doubtful word was


def test_a_word_read_again_over_a_sure_word_is_left_out():
    page = pagegen.page_image(["WERK"], dpi=300, font_pt=12)
    ys, xs = np.nonzero(np.asarray(page) < 128)
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    first = PageText("nld", [Block([Line([Word("WERK", *box, 93.0), Word("lr", box[0] + 2000, box[1], 40, 40, 30.0)])])])
    second = reread.reread(OneWord("WERK"), page, 300, first, Completeness(1000, 100, 0.1, [[*box]]), "nld")
    assert second is None or [w.text for w in second.text.words].count("WERK") == 1


def test_the_page_chain_counts_replaced_words_apart_from_added_ones():
    """Before: ``read_again`` reported a doubtful word read again as an added word (reread_words 1)."""
    import time

    from digitalisering.runner.options import RunOptions
    from digitalisering.runner.page_chain import read_again

    page = pagegen.page_image(["WERK"], dpi=300, font_pt=12)
    ys, xs = np.nonzero(np.asarray(page) < 128)
    box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    first = PageText("nld", [Block([Line([Word("lr", *box, 47.0)])])])
    text, added, replaced = read_again(OneWord("WERK"), page, 300, first, Completeness(1000, 100, 0.1, []),
                                       RunOptions(jobs=1, progress=False, lang="nld"), time.perf_counter())
    assert [w.text for w in text.words] == ["WERK"] and (added, replaced) == (0, 1)
