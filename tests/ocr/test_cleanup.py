"""The OCR copy without leader dots and rules: form values are read, text is never removed."""

from __future__ import annotations

import numpy as np
import pagegen
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from digitalisering.ocr.cleanup import clean_for_ocr, leader_mask, long_runs
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine

FIELDS = [("1. Naam van den aanvrager:", "W. Bos"), ("2. Beroep:", "sigarenwinkelier"),
          ("3. Woonplaats en adres:", "Mierennesthofje 88, Leiden"), ("4. Naam van den aannemer:", "Bouwbedrijf Vermeulen")]


def _read(image: Image.Image) -> str:
    result = ocr_page(get_engine("tesseract"), image, "nld", 300, plan_ocr(image.width, image.height, 300, 40))
    return result.text


def test_leaders_are_removed_and_the_values_read():
    form = pagegen.form_page(FIELDS)
    cleaned, found = clean_for_ocr(form, 300)
    assert found.leaders == len(FIELDS) and found.pixels > 0
    before, after = _read(form), _read(cleaned)
    assert "Vermeulen" not in before  # the leader swallowed the fourth value
    for word in ("sigarenwinkelier", "Mierennesthofje", "Bouwbedrijf", "Vermeulen"):
        assert word in after
    garbage = lambda text: sum(len(w) for w in text.split() if "nnn" in w or "eeee" in w)  # noqa: E731
    assert garbage(before) > 40 and garbage(after) == 0  # dots read as letters: "ananeneneeeennnan..."


def test_text_and_punctuation_are_never_removed():
    """Small type full of dots (abbreviations, ellipses, amounts, times): no pixel of it is touched.
    (Eight or more lone dots evenly spaced on one row are a leader by definition.)"""
    page = pagegen.page_image(["Gezien het verzoek d.d. 12 maart 1962... en de bijlagen a. t/m f.",
                               "t.a.v. de heer i.v.m. z.g.a. o.a. e.d. n.a.v. a.s. om 12.30 uur",
                               "f 1.234.567,- ; zie blz. 3 e.v. : a.a.a.a.a.a.a.a.a.a.a.a.a.a"], dpi=300, font_pt=7)
    mask, found = leader_mask(np.asarray(page), 300)
    assert found.leaders == 0 and not mask.any()


def test_a_table_of_contents_leader_goes_its_words_stay():
    page = pagegen.page_image(["Inhoud ............................ blz. 3"], dpi=300, font_pt=11)
    mask, found = leader_mask(np.asarray(page), 300)
    assert found.leaders == 1
    cols = np.flatnonzero(mask.any(axis=0))
    text_cols = np.flatnonzero((np.asarray(page) < 128).any(axis=0))
    assert cols.min() > text_cols.min() + 100 and cols.max() < text_cols.max() - 100  # between the words


def test_rules_go_but_the_words_above_them_stay():
    page = pagegen.page_image(["Bouwdossier 1962/0412", "Breestraat 12"], dpi=300)
    draw = ImageDraw.Draw(page)
    draw.rectangle((200, 1500, 2200, 1504), fill=0)  # a 4 px (0.3 mm) rule across the page
    cleaned, found = clean_for_ocr(page, 300)
    arr = np.asarray(cleaned)
    assert found.rules == 1 and arr[1500:1505, 200:2200].min() > 200
    assert (np.asarray(page)[:1400] == arr[:1400]).all()


def test_a_bitonal_copy_stays_bitonal():
    form = pagegen.form_page(FIELDS).point(lambda v: 255 if v > 128 else 0).convert("1")
    cleaned, found = clean_for_ocr(form, 300)
    assert cleaned.mode == "1" and found.leaders == len(FIELDS)


def test_a_table_rule_that_touches_the_letters_goes_and_the_letters_stay():
    page = pagegen.page_image(["eigen gewicht vloer 420 kg/m2", "nuttige belasting 400 kg/m2"], dpi=300, font_pt=11)
    grey = np.asarray(page).copy()
    rows = np.flatnonzero((grey < 128).any(axis=1))
    first_line_bottom = rows[np.flatnonzero(np.diff(rows) > 1)[0]]
    y = int(first_line_bottom) - 2  # the rule runs through the feet of the first line's letters
    grey[y:y + 4, 150:2300] = 20
    grey[rows.min() - 40:rows.max() + 40, 150:154] = 20  # and a column rule joins them into one component
    ruled = Image.fromarray(grey)
    cleaned, found = clean_for_ocr(ruled, 300)
    arr = np.asarray(cleaned)
    assert found.rules >= 1 and arr[y:y + 4, 2000:2300].min() > 200  # the rule is gone past the text
    above = slice(int(rows.min()), y - 1)
    assert (arr[above] == np.asarray(page)[above]).all()  # the letters above the rule are untouched
    text = _read(cleaned)
    assert "gewicht" in text and "belasting" in text


def test_a_dark_background_is_not_taken_for_rules():
    """A negative print (light lines on a dark sheet inside a light margin): its dark areas are not
    rules; nothing of them is painted over."""
    page = np.full((2000, 2800), 240, np.uint8)
    page[100:1900, 100:2700] = 60  # the dark sheet
    page[300:304, 300:2500] = 230  # a light line on it
    mask, found = leader_mask(page, 300)
    assert not mask.any()


def test_a_shaded_bar_keeps_its_heading():
    """A form's section heading on a grey bar: every row of the bar is a long run, but the bar is
    far thicker than a rule, so neither it nor its letters are painted over."""
    page = pagegen.page_image([], dpi=300)
    draw = ImageDraw.Draw(page)
    draw.rectangle((200, 600, 2300, 650), fill=200)  # a 4 mm grey bar
    draw.text((220, 605), "2 Bouwwerk", fill=10, font=ImageFont.load_default(size=40))
    mask, found = leader_mask(np.asarray(page), 300)
    assert not mask[600:651].any()


def test_a_short_stroke_at_the_crop_edge_is_no_rule():
    """Beyond the crop's edge is paper, not ink: a stroke at the edge shorter than a rule stays,
    as it does away from the edge (OpenCV's opening takes outside the image for ink)."""
    own = np.zeros((40, 300), np.uint8)
    own[10:13, 0:120] = 1  # 120 px at the left edge, a rule is 200
    own[20:23, 90:210] = 1  # the same stroke inside the crop
    own[30:33, 40:260] = 1  # a rule
    found = long_runs(own, 200, 4)
    assert not found[10:13].any() and not found[20:23].any()
    assert found[30:33, 42:258].all()
    assert not long_runs(own.T.copy(), 200, 4)[:, 10:23].any()  # and a vertical stroke at the top edge


def test_an_underline_joined_to_a_column_rule_at_the_component_edge_stays():
    """A 10 mm underline joined to a table's column rule, reaching the left end of their component:
    not a rule (15 mm), so it is not painted over; the column rule is."""
    page = np.full((1200, 1000), 250, np.uint8)
    page[400:404, 100:218] = 20  # the underline, 118 px = 10 mm at 300 ppi
    page[300:700, 218:222] = 20  # the column rule, 400 px = 34 mm
    mask, found = leader_mask(page, 300)
    assert found.rules == 1 and mask[300:700, 218:222].all()
    assert not mask[400:404, 100:215].any()


def test_a_table_top_rule_over_letters_touching_it_goes_whole():
    """The top rule of a table is the top of its component (rule, column rule and the letters
    whose ascenders touch it): it goes along its whole length, as a rule inside a table does where
    a letter stands against it (before, the rows beyond the component's edge were taken from the
    rule itself, and the rule stayed over every letter touching it)."""
    page = pagegen.page_image(["Belasting kg/m2 Hoogte"], dpi=300, font_pt=11)
    grey = np.asarray(page).copy()
    rows = np.flatnonzero((grey < 128).any(axis=1))
    cols = np.flatnonzero((grey < 128).any(axis=0))
    y = int(rows.min()) - 3  # the rule's last row is the letters' first
    grey[y:y + 4, 150:2300] = 20
    grey[y:rows.max() + 60, 150:154] = 20  # a column rule joins them into one component
    mask, found = leader_mask(grey, 300)
    assert found.rules >= 1
    assert mask[y:y + 3, 160:2300].all()  # over the letters too
    assert not mask[y + 5:, int(cols.min()):].any()  # the letters stay, but for the row against the rule


def test_a_rule_along_the_crop_edge_is_measured_without_the_frame():
    """The paper framing the crop is not counted in a rule's thickness: a rule along the edge one
    pixel thicker than ``thick`` goes, as it did before the frame (a 150 ppi drawing's 1 mm border,
    6 pixels against 5: left on the page, it made tesseract lose a room name beside it)."""
    own = np.zeros((300, 400), np.uint8)
    own[0:6] = 1  # along the top edge, 6 rows
    own[:, 0:6] = 1  # along the left edge
    found = long_runs(own, 200, 5)
    assert found[0:6, 10:390].all() and found[10:290, 0:6].all()


def _typed_heading_on_grey_paper(text: str = "CHOCOLAT RUELLE") -> tuple[np.ndarray, int, int]:
    """A typewritten heading at 300 ppi (10 characters to the inch) with slab-serif feet and its
    typed underline, on grainy grey paper with a worn ribbon: the feet and the underline are
    joined by light ink (the grain and the ink spread in the paper), which only the cleanup's
    lighter leader threshold sees. A ruled line 18 cm long lies 2 cm below. Returns the page, the
    baseline's row and the rule's first row."""
    page = Image.new("L", (2480, 600), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=46)
    pitch, x0, base, rule = 30, 200, 200, 420
    for k, ch in enumerate(text):
        x = x0 + k * pitch
        draw.text((x + 4, base), ch, fill=0, font=font, anchor="ls", stroke_width=3, stroke_fill=0)
        if ch != " ":
            draw.rectangle((x + 2, base - 3, x + pitch - 4, base), fill=0)  # the slab foot
            draw.rectangle((x + pitch - 4, base - 2, x + pitch + 2, base - 1), fill=120)  # joined to the next
    draw.rectangle((x0, base + 3, x0 + len(text) * pitch, base + 5), fill=0)  # the typed underline
    draw.rectangle((x0, base + 1, x0 + len(text) * pitch, base + 2), fill=150)  # joined to the feet
    draw.rectangle((200, rule, 2300, rule + 3), fill=0)  # the ruled line
    ink = 255 - np.asarray(page.filter(ImageFilter.GaussianBlur(1.0)), dtype=np.float32)
    grain = np.random.default_rng(3).normal(0, 5, ink.shape)
    return np.clip(190 - 0.45 * ink + grain, 0, 255).astype(np.uint8), base, rule


def test_a_typed_heading_on_grainy_paper_keeps_its_feet_and_the_rule_below_goes():
    """On grainy grey paper the lighter leader threshold joins a typed heading's slab-serif feet
    and its underline into one run longer than a rule, thin enough to be one: painted over, the
    letters lost their feet (a real bljd page read 0.429 against 0.486 without the cleanup,
    ``bench/ocr_degrade.py``). Letters stand over nearly all of it: it stays. The ruled line
    below, with nothing over it, still goes along its whole length."""
    grey, base, rule = _typed_heading_on_grey_paper()
    mask, found = leader_mask(grey, 300)
    assert not mask[base - 60:base + 12].any()  # the letters, their feet and the underline stay
    assert mask[rule:rule + 4, 210:2290].any(axis=0).all()  # the rule goes
    cleaned, _ = clean_for_ocr(Image.fromarray(grey), 300)
    assert (np.asarray(cleaned)[:rule - 20] == grey[:rule - 20]).all()
