"""Stamps: found by their frame or their colour, read whole at their own angle, their words kept
in the page's words (hence in the PDF text layer and the ALTO file)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import pagegen
from digitalisering.ocr import stamps
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine
from digitalisering.ocr.model import Block, Line, PageText, Word

DPI = 300
TYPED = [
    "Hierbij verzoeken wij u vriendelijk om toestemming voor",
    "het vernieuwen van de kap van het pand aan de Breestraat",
    "nummer twaalf te Leiden, volgens de bijgevoegde tekeningen.",
    "De aannemer heeft medegedeeld dat de materialen eerst over",
    "enkele maanden kunnen worden geleverd door de leverancier.",
    "Wij vertrouwen erop dat u hiertegen geen bezwaar zult hebben.",
]
PURPLE = (120, 50, 150)


def stamp_rgba(lines: list[str], angle: float, colour: tuple[int, int, int], pt: float = 18) -> Image.Image:
    """A rubber stamp in ``colour``: bold capitals in a frame, turned by ``angle`` degrees."""
    size = round(pt / 72 * DPI)
    font = ImageFont.load_default(size=size)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    width = max(round(probe.textlength(t, font=font)) for t in lines) + 80
    im = Image.new("RGBA", (width, len(lines) * round(size * 1.4) + 70), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    draw.rectangle((4, 4, im.width - 5, im.height - 5), outline=colour + (255,), width=6)
    for k, text in enumerate(lines):
        draw.text((40, 32 + k * round(size * 1.4)), text, fill=colour + (255,), font=font,
                  stroke_width=1, stroke_fill=colour + (255,))
    return im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)


def stamped_page(angle: float = 11.0, mode: str = "RGB") -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A typed letter with a coloured stamp printed over its paragraph, and where the stamp is."""
    page = pagegen.page_image(TYPED, dpi=DPI, font_pt=11).convert("RGB")
    mark = stamp_rgba(["GEZIEN", "VERLEEND"], angle, PURPLE)
    x, y = 700, 330  # over the second to fifth lines
    ink = np.asarray(mark)[:, :, 3:] / 255.0
    under = np.asarray(page, dtype=np.float64)[y:y + mark.height, x:x + mark.width]
    # stamp ink multiplies with what is beneath (the type shows through it)
    over = under * (1 - ink) + under * np.asarray(mark)[:, :, :3] / 255.0 * ink
    out = np.asarray(page).copy()
    out[y:y + mark.height, x:x + mark.width] = over.astype(np.uint8)
    image = Image.fromarray(out)
    return (image if mode == "RGB" else image.convert(mode)), (x, y, x + mark.width, y + mark.height)


def read(image: Image.Image) -> PageText:
    grey = image.convert("L")
    return ocr_page(get_engine("tesseract"), grey, "nld", DPI, plan_ocr(grey.width, grey.height, DPI, 40))


def test_a_frame_is_found_whole_and_in_pieces():
    page, (x0, y0, x1, y1) = stamped_page(mode="L")
    grey = np.asarray(page)
    found = stamps.frame_regions(grey, DPI)
    assert len(found) == 1
    fx0, fy0, fx1, fy1 = found[0]
    assert abs(fx0 - x0) < 40 and abs(fy0 - y0) < 40 and abs(fx1 - x1) < 40 and abs(fy1 - y1) < 40
    broken = grey.copy()  # a bitonal scan breaks the frame: cut it at three places
    broken[:, (x0 + x1) // 2:(x0 + x1) // 2 + 12] = 250
    broken[(y0 + y1) // 2:(y0 + y1) // 2 + 12, :] = 250
    assert len(stamps.frame_regions(broken, DPI)) == 1
    plain = np.asarray(pagegen.page_image(TYPED, dpi=DPI, font_pt=11))
    assert stamps.frame_regions(plain, DPI) == []  # typed text has no frame


def test_the_colour_layer_keeps_the_stamp_and_drops_the_type_beneath():
    page, (x0, y0, x1, y1) = stamped_page()
    c = stamps.chroma(page, 0.0)
    regions, coloured = stamps.colour_regions(c, DPI)
    assert len(regions) == 1
    grey = np.asarray(page.convert("L"))
    layer = stamps.colour_layer(grey, coloured, regions, DPI)
    black = grey < 60  # the typed letters (the stamp's purple is lighter)
    inside = np.zeros_like(black)
    inside[y0:y1, x0:x1] = True
    # (type pixels touching the stamp's strokes stay: the colour's soft edge is kept)
    assert black[inside].sum() > 1000 and (layer[black & inside] > 200).mean() > 0.75
    assert (layer[~inside] == grey[~inside]).all()  # the rest of the page as it was
    assert stamps.chroma(page.convert("L"), 0.0) is None


@pytest.mark.slow
def test_a_coloured_stamp_over_typed_text_is_read_and_the_type_kept():
    page, (x0, y0, x1, y1) = stamped_page()
    first = read(page)
    assert not {"GEZIEN", "VERLEEND"} <= {w.text for w in first.words}
    found = stamps.read_stamps(get_engine("tesseract"), page.convert("L"), DPI, first, "nld", page)
    assert found is not None and found.stamps == 1
    words = {w.text: w for w in found.text.words}
    for text in ("GEZIEN", "VERLEEND"):
        w = words[text]
        assert x0 <= w.left and w.right <= x1 and y0 <= w.top and w.bottom <= y1  # in page pixels, on the stamp
    sure = [w for w in first.words if w.conf >= 60]
    kept = {id(w) for w in found.text.words}
    assert all(id(w) in kept for w in sure)  # no good word of the first reading is replaced


def test_a_doubtful_word_under_a_stamp_word_gives_way_and_a_good_one_stays():
    class Sheet:
        """An engine that reads the one stamp on the sheet as 'GEZIEN' wherever it is."""
        def recognise(self, image, lang, dpi, timeout=0, sparse=False):
            grey = np.asarray(image.convert("L"))
            ys, xs = np.nonzero(grey < 128)
            box = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min()), int(ys.max() - ys.min()))
            return PageText(lang, [Block([Line([Word("GEZIEN", *box, 95.0)])])])

    page, (x0, y0, x1, y1) = stamped_page(angle=0.0)
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    doubtful = Word("6EZ1", cx - 30, cy - 20, 60, 40, 31.0)
    good = Word("Breestraat", 100, 100, 300, 40, 96.0)
    first = PageText("nld", [Block([Line([good, doubtful])])], width=page.width, height=page.height, dpi=DPI)
    found = stamps.read_stamps(Sheet(), page.convert("L"), DPI, first, "nld", page)
    texts = [w.text for w in found.text.words]
    assert "GEZIEN" in texts and "Breestraat" in texts and "6EZ1" not in texts
    assert found.replaced == 1 and found.added == 0


def test_a_page_without_stamps_costs_no_engine_call():
    class Counting:
        calls = 0

        def recognise(self, *a, **k):
            Counting.calls += 1
            return PageText("nld", [])

    page = pagegen.page_image(TYPED, dpi=DPI, font_pt=11)
    first = PageText("nld", [], width=page.width, height=page.height, dpi=DPI)
    assert stamps.read_stamps(Counting(), page, DPI, first, "nld") is None and Counting.calls == 0


@pytest.mark.slow
def test_the_page_chain_puts_the_stamp_in_words_json_and_the_alto(tmp_path):
    from digitalisering.pagerecord import PageResult
    from digitalisering.runner.options import RunOptions
    from digitalisering.runner.page_chain import PageJob, run_page_chain
    from digitalisering.text.alto import AltoSource, alto_xml, strings

    page, _ = stamped_page()
    src = pagegen.save(page, tmp_path / "p.tif", dpi=DPI, compression="tiff_lzw")
    job = PageJob(1, 0, str(src), 0, "TIFF", str(tmp_path / "work"), RunOptions(jobs=1, progress=False))
    record = PageResult.from_json(run_page_chain(job))
    text = PageText.read(record.artifact_path(tmp_path / "work", "words"))
    assert {"GEZIEN", "VERLEEND", "Breestraat"} <= {w.text for w in text.words}
    alto = strings(alto_xml(text, AltoSource("d.pdf", 1)))
    assert alto == [w.text for w in text.words] and "VERLEEND" in alto


def test_coloured_stamps_found_around_the_reduced_copy_match_the_whole_page_at_full_size():
    for angle in (0.0, 1.3, -2.7):  # a straightened page: the chroma is turned onto the same canvas
        page, _ = stamped_page()
        whole = stamps.chroma(page, angle)
        regions, coloured = stamps.colour_regions(whole, DPI)
        boxes, mask = stamps.coloured_stamps(page, angle, DPI, whole.shape)
        assert boxes == regions and len(boxes) == 1
        assert (mask != coloured).sum() <= 0.001 * coloured.sum()
    plain = pagegen.page_image(TYPED, dpi=DPI, font_pt=11).convert("RGB")
    assert stamps.coloured_stamps(plain, 0.0, DPI, (plain.height, plain.width)) == ([], None)


def round_stamp_rgba(ring: str, centre: str, colour: tuple[int, int, int], radius: int = 260,
                     turn: float = 0.0) -> Image.Image:
    """A round rubber stamp: two circles, ``ring`` in capitals along the upper arc (read clockwise,
    the letters' tops outwards), ``centre`` straight across the middle; turned by ``turn`` degrees."""
    size = 2 * radius + 20
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    c = size / 2
    ink = colour + (255,)
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=ink, width=7)
    inner = radius * 0.62
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=ink, width=4)
    font = ImageFont.load_default(size=round(radius * 0.22))
    text_r = (radius + inner) / 2  # the letters' middle
    widths = [draw.textlength(ch, font=font) for ch in ring]
    spacing = 6.0
    total = sum(widths) + spacing * (len(ring) - 1)
    at = -total / 2  # arc length from the top, clockwise
    for ch, w in zip(ring, widths):
        mid = at + w / 2
        deg = math.degrees(mid / text_r)  # clockwise from the top
        glyph = Image.new("RGBA", (round(w) + 20, round(radius * 0.32)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((10, 0), ch, fill=ink, font=font, stroke_width=1, stroke_fill=ink)
        glyph = glyph.rotate(-deg, resample=Image.Resampling.BICUBIC, expand=True)
        gx = c + text_r * math.sin(math.radians(deg)) - glyph.width / 2
        gy = c - text_r * math.cos(math.radians(deg)) - glyph.height / 2
        im.alpha_composite(glyph, (round(gx), round(gy)))
        at += w + spacing
    big = ImageFont.load_default(size=round(radius * 0.25))
    tw = draw.textlength(centre, font=big)
    draw.text((c - tw / 2, c - radius * 0.14), centre, fill=ink, font=big, stroke_width=1, stroke_fill=ink)
    return im.rotate(turn, resample=Image.Resampling.BICUBIC, expand=False)


def round_stamped_page(turn: float = 0.0) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A typed letter with a round purple stamp beside its paragraph (its ring's text read by no
    straight line), and where the stamp is."""
    page = pagegen.page_image(TYPED, dpi=DPI, font_pt=11).convert("RGB")
    mark = round_stamp_rgba("GEMEENTE LEIDEN", "GEZIEN", PURPLE, turn=turn)
    x, y = 1300, 1500
    ink = np.asarray(mark)[:, :, 3:] / 255.0
    under = np.asarray(page, dtype=np.float64)[y:y + mark.height, x:x + mark.width]
    over = under * (1 - ink) + under * np.asarray(mark)[:, :, :3] / 255.0 * ink
    out = np.asarray(page).copy()
    out[y:y + mark.height, x:x + mark.width] = over.astype(np.uint8)
    return Image.fromarray(out), (x, y, x + mark.width, y + mark.height)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["RGB", "L", "bilevel"])
def test_the_text_on_a_round_stamps_ring_is_read_unwrapped(mode):
    page, (x0, y0, x1, y1) = round_stamped_page(turn=-12.0)
    page = page if mode == "RGB" else page.convert("L")
    if mode == "bilevel":  # a black-and-white scan: its ink is 0
        page = page.point(lambda v: 0 if v < 200 else 255)
    first = read(page)
    assert not {"GEMEENTE", "LEIDEN"} & {w.text for w in first.words}
    found = stamps.read_stamps(get_engine("tesseract"), page.convert("L"), DPI, first, "nld", page)
    assert found is not None
    words = {w.text: w for w in found.text.words}
    for text in ("GEMEENTE", "LEIDEN", "GEZIEN"):
        w = words[text]
        assert x0 <= w.left and w.right <= x1 and y0 <= w.top and w.bottom <= y1  # on the stamp, in page pixels
    assert words["GEMEENTE"].top < (y0 + y1) / 2 - 150 and words["LEIDEN"].top < (y0 + y1) / 2  # the upper arc


@pytest.mark.slow
@pytest.mark.parametrize("place", ["top", "left"])
def test_a_round_stamp_cut_by_the_pages_edge_gives_words_on_the_page(place):
    """The box around a word's arc reached beyond the page (left -35): a IIIF search hit's
    ``xywh`` cannot be negative."""
    page = pagegen.page_image(TYPED, dpi=DPI, font_pt=11).convert("RGB")
    mark = np.asarray(round_stamp_rgba("GEMEENTE LEIDEN", "GEZIEN", PURPLE, turn=-12.0))
    x, y = (900, -mark.shape[0] // 4) if place == "top" else (-mark.shape[1] // 5, 1500)
    mark = mark[max(0, -y):, max(0, -x):]
    x, y = max(0, x), max(0, y)
    out = np.asarray(page).copy()
    under = out[y:y + mark.shape[0], x:x + mark.shape[1]].astype(np.float64)
    ink = mark[:, :, 3:] / 255.0
    out[y:y + mark.shape[0], x:x + mark.shape[1]] = (under * (1 - ink) + under * mark[:, :, :3] / 255.0 * ink).astype(np.uint8)
    page = Image.fromarray(out)
    grey = page.convert("L")
    first = read(grey)
    found = stamps.read_stamps(get_engine("tesseract"), grey, DPI, first, "nld", page)
    new = [w for w in found.text.words if w not in first.words]
    assert new
    for w in new:
        assert 0 <= w.left < w.right <= grey.width and 0 <= w.top < w.bottom <= grey.height, w


class _Unsure:
    """An engine that reads the stamp on the sheet as ``words`` (text, confidence), side by side
    over the stamp's ink: tesseract's low confidences for bold capitals read right."""

    def __init__(self, words: list[tuple[str, float]]):
        self.words = words

    def recognise(self, image, lang, dpi, timeout=0, sparse=False):
        grey = np.asarray(image.convert("L"))
        ys, xs = np.nonzero(grey < 128)
        x0, y0, width = int(xs.min()), int(ys.min()), int(xs.max() - xs.min()) // len(self.words)
        return PageText(lang, [Block([Line([Word(text, x0 + k * width, y0, width, 40, conf)
                                            for k, (text, conf) in enumerate(self.words)])])])


def test_a_stamp_vocabulary_word_or_date_read_with_low_confidence_is_kept_and_garbage_is_not():
    page, _ = stamped_page(angle=0.0)
    first = PageText("nld", [], width=page.width, height=page.height, dpi=DPI)
    engine = _Unsure([("GOEDGEKEURD", 15.0), ("12-3-1923", 30.0), ("COEDGEKEURD", 50.0), ("MRAS", 50.0),
                      ("goedgekeurd", 50.0), ("1923", 50.0), ("GEZIEN:", 12.0), ("EN", 50.0)])
    found = stamps.read_stamps(engine, page.convert("L"), DPI, first, "nld", page)
    assert sorted(w.text for w in found.text.words) == ["12-3-1923", "GEZIEN:", "GOEDGEKEURD"]


def test_the_stamp_vocabulary_is_data_and_knows_stamp_words_and_dates_only():
    assert all(stamps.stamp_word(t) for t in ("INGEKOMEN", "BEHOORT", "BESLUIT", "MRT", "DEC.", "31-12-1899"))
    assert not any(stamps.stamp_word(t) for t in ("ingekomen", "INGEKOME", "EN", "No.", "475", "32-1-1923",
                                                  "12-13-1923", "1-1-23"))
