"""Ruled grids read cell by cell: a drawing's title block (small type in ruled boxes) and a table
are found, each cell is read on its own, and the words land in the page's words (hence its PDF
text layer and ALTO) where they are on the page, row by row."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

import pagegen
from digitalisering.ocr import cells, sheet
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.model import Block, Line, PageText, Word

DPI = 200
ROWS = [("WERK", "verbouw winkelpand"), ("PERCEEL", "Haarlemmerstraat 108"), ("OPDRACHTGEVER", "Verhoeven"),
        ("SCHAAL", "1:100"), ("GETEKEND", "Dijkstra"), ("BLAD", "1 van 2")]


def mm(v: float) -> int:
    return round(v * DPI / 25.4)


def px(pt: float) -> int:
    return round(pt / 72 * DPI)


def drawing() -> tuple[Image.Image, tuple[int, int, int, int]]:
    """An A4 drawing at 200 ppi: a frame, a plan with its labels, hatching, and in the corner a title
    block (labels 5 pt, values 7.5 pt) in ruled cells; and the title block's box."""
    page = Image.new("L", (mm(297), mm(210)), 255)
    d = ImageDraw.Draw(page)
    d.rectangle((mm(10), mm(10), page.width - mm(10), page.height - mm(10)), outline=30, width=3)
    x0, y0 = mm(25), mm(25)
    d.rectangle((x0, y0, x0 + mm(120), y0 + mm(80)), outline=20, width=6)
    d.line((x0 + mm(60), y0, x0 + mm(60), y0 + mm(80)), fill=20, width=6)
    for k in range(0, mm(40), mm(3)):
        d.line((x0 + mm(120) + k, y0 + mm(80), x0 + mm(140) + k, y0 + mm(60)), fill=60, width=1)
    label = ImageFont.load_default(size=px(8))
    d.text((x0 + mm(20), y0 + mm(40)), "WOONKAMER", font=label, fill=20)
    d.text((x0 + mm(80), y0 + mm(40)), "KEUKEN", font=label, fill=20)
    small, value, head = (ImageFont.load_default(size=px(5)), ImageFont.load_default(size=px(7.5)),
                          ImageFont.load_default(size=px(10)))
    bw, row, split = mm(110), mm(7), mm(30)
    bx, by = page.width - mm(10) - bw, page.height - mm(10) - row * (len(ROWS) + 1)
    d.rectangle((bx, by, bx + bw, by + row * (len(ROWS) + 1)), outline=30, width=3)
    d.text((bx + mm(2), by + mm(1)), "BOUWPLAN", font=head, fill=20)
    for k, (lab, val) in enumerate(ROWS):
        y = by + row * (k + 1)
        d.line((bx, y, bx + bw, y), fill=110, width=2)  # the inner rules lighter than the frame
        d.text((bx + mm(1), y + mm(0.7)), lab, font=small, fill=30)
        d.text((bx + split + mm(2), y + mm(1.5)), val, font=value, fill=20)
    d.line((bx + split, by + row, bx + split, by + row * (len(ROWS) + 1)), fill=110, width=2)
    return page, (bx, by, bx + bw, by + row * (len(ROWS) + 1))


def test_the_cells_of_a_title_block_are_found_row_by_row_and_nothing_on_a_letter():
    page, (bx, by, bx1, by1) = drawing()
    grid = cells.find_grid(page, DPI)
    inside = [c for c in grid.cells if bx <= c.box[0] and c.box[2] <= bx1 + 2 and by <= c.box[1] and c.box[3] <= by1 + 2]
    assert len(inside) == 1 + 2 * len(ROWS)  # the heading's cell, then a label and a value per row
    boxes = [c.box for c in inside]
    assert boxes == sorted(boxes, key=lambda b: (b[1] // mm(3), b[0]))  # reading order: row by row
    for label, value in zip(boxes[1::2], boxes[2::2]):
        assert label[0] < value[0] and abs(label[1] - value[1]) < mm(1)
    letter = pagegen.page_image(pagegen.DUTCH_LINES, dpi=300, font_pt=11)
    assert cells.find_grid(letter, 300).cells == []
    lone = letter.copy()
    ImageDraw.Draw(lone).rectangle((1200, 1500, 1900, 1700), outline=40, width=5)  # a stamp's frame
    assert cells.find_grid(lone, 300).cells == []


def test_a_negative_print_is_read_as_ink_on_paper():
    page, _ = drawing()
    grid = cells.find_grid(ImageOps.invert(page), DPI)
    assert len(grid.cells) >= 1 + 2 * len(ROWS)
    row = next(r for read in reversed(grid.reads) for r in read.rows)
    assert np.median(row) > 200 and row.min() < 100  # light paper, dark letters


def test_a_title_block_the_page_reading_missed_is_read_into_the_page_in_its_cells():
    page, (bx, by, bx1, by1) = drawing()
    grid = cells.find_grid(page, DPI)
    plan = Word("WOONKAMER", 500, 500, 300, 40, 95.0)
    missed = PageText("nld", [Block([Line([plan])])], width=page.width, height=page.height, dpi=DPI)
    got = cells.read_cells(get_engine("tesseract"), grid, DPI, missed, "nld")
    assert got is not None and got.text.blocks[0].words == [plan]  # the page reading's block stays first
    block = got.text.blocks[-1]
    text = " ".join(w.text for w in block.words)
    assert text.startswith("BOUWPLAN WERK verbouw winkelpand PERCEEL Haarlemmerstraat 108"), text
    for word in block.words:  # in page pixels, in the title block
        assert bx <= word.left and word.right <= bx1 and by <= word.top and word.bottom <= by1, word
        assert word.conf >= cells.MIN_CONF
    werk = next(w for w in block.words if w.text == "WERK")
    assert werk.left - bx < mm(3) and werk.top - by > mm(7)  # in the first row's label cell


class Garbage:
    """An engine that reads every cell of the sheet as one confident one-letter word."""
    name = "garbage"

    def __init__(self):
        self.calls = 0

    def recognise(self, image, lang, dpi, timeout=0, sparse=False):
        self.calls += 1
        ink = np.asarray(image.convert("L")) < 128
        rows = np.flatnonzero(ink.any(axis=1))
        bands = np.split(rows, np.flatnonzero(np.diff(rows) > sheet.GAP_PX // 2) + 1)
        words = [Word("x", int(np.flatnonzero(ink[b[0]:b[-1] + 1].any(axis=0))[0]), int(b[0]), 20, int(b[-1] - b[0] + 1), 99.0)
                 for b in bands if len(b)]
        return PageText(lang, [Block([Line([w]) for w in words])])


def test_good_words_of_the_page_reading_are_never_replaced_with_worse_ones():
    page, (bx, by, bx1, by1) = drawing()
    grid = cells.find_grid(page, DPI)
    value = next(c for c in grid.cells if c.box[0] > bx + mm(20) and c.box[1] > by + mm(7))
    x0, y0, x1, y1 = value.box
    good = Word("verbouw", x0 + mm(2), y0 + mm(1.5), mm(15), mm(2.5), 93.0)
    first = PageText("nld", [Block([Line([good])])], width=page.width, height=page.height, dpi=DPI)
    engine = Garbage()
    got = cells.read_cells(engine, grid, DPI, first, "nld")
    assert engine.calls == 1  # one sheet for all cells
    words = (got.text if got else first).words
    assert good in words and not any(w.text == "x" and _centre_in(w, value.box) for w in words)


def _centre_in(word: Word, box) -> bool:
    return box[0] <= word.left + word.width / 2 < box[2] and box[1] <= word.top + word.height / 2 < box[3]


def test_the_page_chain_puts_the_cells_words_row_by_row_into_the_words_and_the_alto(tmp_path):
    """Before: the page reading gave the title block's labels, then its values (``WERK PERCEEL
    OPDRACHTGEVER ... verbouw winkelpand Haarlemmerstraat``): a label and its value came apart."""
    from digitalisering.pagerecord import PageResult
    from digitalisering.runner.options import RunOptions
    from digitalisering.runner.page_chain import PageJob, run_page_chain
    from digitalisering.text.alto import AltoSource, alto_xml, strings

    page, _ = drawing()
    src = pagegen.save(page, tmp_path / "p.tif", dpi=DPI, compression="tiff_lzw")
    job = PageJob(1, 0, str(src), 0, "TIFF", str(tmp_path / "work"), RunOptions(jobs=1, progress=False))
    record = PageResult.from_json(run_page_chain(job))
    text = PageText.read(record.artifact_path(tmp_path / "work", "words"))
    words = [w.text for w in text.words]
    joined = " ".join(words)
    for label, value in ROWS[:3]:
        assert f"{label} {value}" in joined, joined
    assert strings(alto_xml(text, AltoSource("p.pdf", 1))) == words
    assert record.ocr.words == len(words)


def test_the_grid_keeps_its_place_in_the_reading_order():
    page, (bx, by, bx1, by1) = drawing()
    grid = cells.find_grid(page, DPI)
    value = next(c for c in grid.cells if c.box[0] > bx + mm(20) and c.box[1] > by + mm(7))
    above = Word("Leiden", 300, 200, 200, 40, 95.0)
    doubtful = Word("lr", value.box[0] + mm(2), value.box[1] + mm(1.5), mm(3), mm(2.5), 30.0)
    below = Word("Breestraat", 300, page.height - 60, 300, 40, 95.0)  # read after the block
    first = PageText("nld", [Block([Line([above])]), Block([Line([doubtful])]), Block([Line([below])])],
                     width=page.width, height=page.height, dpi=DPI)
    got = cells.read_cells(Garbage(), grid, DPI, first, "nld")
    blocks = got.text.blocks
    assert blocks[0].words == [above] and blocks[-1].words == [below] and len(blocks) == 3
    assert doubtful not in blocks[1].words and any(_centre_in(w, value.box) for w in blocks[1].words)


TABLE_DPI = 300
HEADER = ("omschrijving", "belasting")
TABLE = [("eigen gewicht vloer", "420 kg/m2"), ("nuttige belasting", "175 kg/m2"), ("totaal", "595 kg/m2")]


def tight_table(dashed: bool = True) -> Image.Image:
    """An A4 berekening page at 300 ppi with a ruled table as the generated dev deliveries draw it:
    rows as tight as the type (touching), the table's box not where its rows are: its header rule
    (dashed, or solid) runs through the header's letters and its bottom rule through the last row."""
    def at(v: float) -> int:
        return round(v * TABLE_DPI / 25.4)
    page = Image.new("L", (at(210), at(297)), 245)
    d = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=round(11 / 72 * TABLE_DPI))
    pitch = round(11 / 72 * TABLE_DPI * 0.9)
    x0, x1, split = at(25), at(185), at(140)
    d.text((x0, at(40)), "Sterkteberekening behorende bij het bouwplan aan de Breestraat.", font=font, fill=30)
    d.text((x0, at(52)), "Belastingen:", font=font, fill=30)
    top = at(52) + pitch + 6
    rows = [HEADER, *TABLE]
    for k, (left, right) in enumerate(rows):
        y = top + k * pitch
        d.text((x0 + at(2), y), left, font=font, fill=35)
        d.text((x1 - at(2) - d.textlength(right, font=font), y), right, font=font, fill=35)
    _, above, _, below = font.getbbox("omschrijving")  # the letters' top and foot below the text's y
    bottom = top + (len(rows) - 1) * pitch + round(above + 0.6 * (below - above))  # through the last row
    header = top + round(above + 0.66 * (below - above))  # through the header's letters
    d.rectangle((x0, top - 4, x1, bottom), outline=40, width=3)
    d.line((split, top - 4, split, bottom), fill=40, width=3)
    if dashed:
        for x in range(x0, x1, at(4.5)):
            d.line((x, header, min(x1, x + at(3)), header), fill=40, width=3)
    else:
        d.line((x0, header, x1, header), fill=40, width=3)
    d.text((x0, bottom + at(12)), "Balk B1: l = 6,25 m, belastingbreedte 3,00 m.", font=font, fill=30)
    return page


def _page_words(page: Image.Image, tmp_path) -> list[str]:
    from digitalisering.pagerecord import PageResult
    from digitalisering.runner.options import RunOptions
    from digitalisering.runner.page_chain import PageJob, run_page_chain

    src = pagegen.save(page, tmp_path / "table.tif", dpi=TABLE_DPI, compression="tiff_lzw")
    job = PageJob(1, 0, str(src), 0, "TIFF", str(tmp_path / "work"), RunOptions(jobs=1, progress=False))
    record = PageResult.from_json(run_page_chain(job))
    return [w.text for w in PageText.read(record.artifact_path(tmp_path / "work", "words")).words]


def test_a_tight_table_with_a_dashed_rule_through_its_header_has_every_word_in_the_text_layer(tmp_path):
    """Before: the header cut in two by its rule, the rows read into each other and the last row,
    struck through by the bottom rule, left out (``gaschrijving``, ``ei en gewie``, ``totaa``)."""
    words = {w.strip(".,:;|„“\"'").lower() for w in _page_words(tight_table(dashed=True), tmp_path)}
    wanted = [w for row in [HEADER, *TABLE] for cell in row for w in cell.split() if w.isalpha()]
    assert [w for w in wanted if w not in words] == []


def test_a_header_struck_through_by_its_rule_is_read_whole_in_one_cell():
    page = tight_table(dashed=False)
    grid = cells.find_grid(page, TABLE_DPI)
    # the header's cells and the body's below them are one cell per column: the rule between them
    # runs through the header's letters
    assert len(grid.cells) == 2
    left = grid.reads[0]
    assert len(left.rows) == 1 + len(TABLE)  # each line of the column cut out on its own
    tops = [y for _, y in left.origins]
    assert tops == sorted(tops)


class Echo(Garbage):
    """An engine that reads every line of the sheet as ``omschrijving``, unsure (44 %)."""

    def recognise(self, image, lang, dpi, timeout=0, sparse=False):
        got = super().recognise(image, lang, dpi, timeout, sparse)
        return PageText(lang, [Block([Line([Word("omschrijving", w.left, w.top, w.width, w.height, 44.0)])
                                      for w in got.words])])


def test_a_line_both_readings_read_alike_is_kept_once_and_surer():
    """Before: the page reading's ``„omschrijving`` (52 %) stayed doubtful, and the second reading
    replaced it with a confident fragment (``chrijving``)."""
    page = tight_table(dashed=False)
    grid = cells.find_grid(page, TABLE_DPI)
    read = grid.reads[0]
    (ox, oy), (h, w) = read.origins[0], read.rows[0].shape
    doubtful = Word("„omschrijving", ox, oy, w, h, 52.0)
    first = PageText("nld", [Block([Line([doubtful])])], width=page.width, height=page.height, dpi=TABLE_DPI)
    got = cells.read_cells(Echo(), grid, TABLE_DPI, first, "nld")
    header = [word for word in got.text.words if "omschrijving" in word.text]
    assert [word.text for word in header] == ["omschrijving"]
    assert header[0].conf > 70  # 1 - 0.48 x 0.56: above the second reading's doubt
    assert doubtful not in got.text.words
