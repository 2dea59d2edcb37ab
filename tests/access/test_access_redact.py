"""Redacted public copies: regions burned into the pixels, their words gone from the text layer and
ALTO, the original untouched; the leak check finds an overlay-only redaction."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitalisering.access.policy import Region
from digitalisering.access.redact import PublicCopy, SourcePage, leak_check, pdf_text, write_public_copy
from digitalisering.metadata.fixity import sha256_file
from digitalisering.ocr.model import Block, Line, PageText, Word
from digitalisering.pdfa.writer import PdfInfo, PdfPage, build_pdf
from digitalisering.text.alto import strings

LINES = ["Gemeente Leiden", "Naam: K.P. van Dorp", "BSN: 123456782", "IBAN: NL50FVLB4383509045", "Hoogachtend,"]
INFO = PdfInfo(title="Bouwdossier D, document 1: brief (openbare kopie)", created=datetime(2026, 12, 7, 12, 0),
               dossier_id="D", document_id="D-01", batch="b")


def _page(path: Path, mode: str = "L") -> PageText:
    """A 200 ppi page with LINES drawn on it, and its words with their exact boxes."""
    im = Image.new("L", (1654, 2339), 245)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=40)
    lines, y = [], 200
    for text in LINES:
        x, words = 160, []
        for word in text.split():
            l, t, r, b = draw.textbbox((x, y), word, font=font)
            draw.text((x, y), word, fill=10, font=font)
            words.append(Word(word, l, t, r - l, b - t, 95.0))
            x = r + 25
        lines.append(Line(words))
        y += 90
    if mode == "1":
        im = im.point(lambda v: 255 if v > 128 else 0).convert("1")
    im.save(path, dpi=(200, 200))
    return PageText("nld", [Block(lines)], width=im.width, height=im.height, dpi=200.0)


def _regions(text: PageText, seq: int, *words: str) -> list[Region]:
    return [Region(seq, w.left, w.top, w.width, w.height, "test") for w in text.words if w.text in words]


def test_public_copy_burns_the_regions_and_drops_their_words(tmp_path):
    original = tmp_path / "page.png"
    text = _page(original)
    before = sha256_file(original)
    regions = _regions(text, 7, "K.P.", "van", "Dorp", "123456782", "NL50FVLB4383509045")
    copy = write_public_copy([SourcePage(7, original, text, 200.0)], regions, tmp_path / "pub" / "D-01.pdf", INFO,
                             lambda n: tmp_path / "pub" / f"D-01-{n:03d}.alto.xml", tmp_path / "work")
    assert leak_check(copy) == []
    extracted = pdf_text(copy.pdf)
    assert "Gemeente Leiden" in extracted and "Hoogachtend" in extracted  # the rest stays searchable
    assert "123456782" not in extracted and "Dorp" not in extracted
    alto = strings(copy.alto[0].read_bytes())
    assert "Leiden" in alto and "NL50FVLB4383509045" not in alto and "Dorp" not in alto
    assert sha256_file(original) == before  # the original is untouched
    # the pixels under each region are black in the derivative the PDF embeds
    arr = np.asarray(Image.open(tmp_path / "work" / "D-01-001.png"))
    for r in regions:
        assert (arr[r.top:r.top + r.height, r.left:r.left + r.width] == 0).all()


def test_bitonal_and_skewed_pages_are_redacted_too(tmp_path):
    original = tmp_path / "page.png"
    text = _page(original, mode="1")
    regions = _regions(text, 0, "123456782")
    copy = write_public_copy([SourcePage(0, original, text, 200.0, deskew_deg=0.8, fill=(255,))], regions,
                             tmp_path / "D-02.pdf", INFO, lambda n: tmp_path / f"D-02-{n:03d}.alto.xml",
                             tmp_path / "work")
    assert leak_check(copy) == []
    with Image.open(tmp_path / "work" / "D-02-001.png") as im:
        assert im.mode == "1" and im.size[0] > 1654  # straightened onto a grown canvas, still bitonal


def test_the_leak_check_finds_a_black_box_drawn_over_text_that_stays(tmp_path):
    original = tmp_path / "page.png"
    text = _page(original)
    regions = _regions(text, 0, "123456782")
    good = write_public_copy([SourcePage(0, original, text, 200.0)], regions, tmp_path / "ok.pdf", INFO,
                             lambda n: tmp_path / f"ok-{n:03d}.alto.xml", tmp_path / "work")
    # the failure other tools have: the burned image, but the text layer of the original
    bad_pdf = tmp_path / "overlay.pdf"
    build_pdf([PdfPage(tmp_path / "work" / "ok-001.png", text, 200.0)], bad_pdf, INFO)
    bad = PublicCopy(bad_pdf, good.alto, good.redacted, good.regions)
    assert any("pdftotext still holds '123456782'" in p for p in leak_check(bad))
    # and a region whose pixels were not burned
    unburned = PublicCopy(good.pdf, good.alto, good.redacted, {1: [regions[0]]})
    shifted = [r for r in unburned.regions[1]]
    from digitalisering.ocr.model import Box
    unburned.regions[1] = [Box(shifted[0].left - 40, shifted[0].top, 80, shifted[0].height)]
    assert any("not uniform" in p for p in leak_check(unburned))


def test_the_index_gets_only_the_words_a_role_may_see(tmp_path):
    from datetime import date

    from digitalisering.access.policy import AccessDecision
    from digitalisering.access.redact import visible_text

    text = _page(tmp_path / "p.png")
    regions = tuple(_regions(text, 4, "123456782"))
    redacted = AccessDecision("D-01", "redacted", None, None, regions, reason="bsn")
    words = [w.text for w in visible_text(text, 4, redacted).words]
    assert "123456782" not in words and "Leiden" in words
    assert visible_text(text, 5, redacted).words == text.words  # another page of the document: no region
    assert visible_text(text, 4, redacted, role="archivaris") is text
    closed = AccessDecision("D-01", "restricted", "beveiliging", date(2090, 1, 1), reason="cel")
    assert visible_text(text, 4, closed) is None
