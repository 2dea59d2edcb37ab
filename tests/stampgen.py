"""Generated pages with municipal rubber stamps and their exact words: tuning material for ``ocr.stamps``.

Why: the stamp pass is tuned on dev-folders and scored on dev-stack + dev-planted. stamps3's ceiling
study (``bench/stamp_ceiling.py``) found the held-out misses mostly legible: stamps over clear paper
(grey, colour, bitonal), round stamps' ring text, stamps over type on grey scans; dev-folders holds few
misses of those kinds, so there was nothing to tune a reading change on. These pages are shaped like
them, from what dev-folders' truth and images show of its stamps (the tuning fold only): DejaVu Sans
Bold capitals, a rectangular frame (``INGEKOMEN`` / date / ``No. 475``; ``GEZIEN`` / date;
``BEHOORT BIJ BESLUIT`` / ``VAN B. EN W. VAN LEIDEN`` / ``d.d. 3-12-1974`` / ``No. 1974/0475``) or two
circles with ``GEMEENTE LEIDEN`` along the ring and ``GEZIEN`` and a date across the middle; 25-86 px
high letters at up to 400 ppi, set up to 30 degrees askew, on clear paper or over typed text; ink in
red, blue or violet on a cream colour scan, a lighter grey than the type on a grey scan, or black on
a bitonal scan whose threshold breaks thin strokes.

Every page is made from its seed alone (``random.Random(seed)``, numpy's generator from the same
seed): the same seed gives the same pixels and truth. ``stamp_page(seed)`` returns the page, its
ppi and its truth lines (``kind`` ``typed`` or ``stamp``, ``text`` exactly as drawn) in the form
``bench/ocr_lines.score`` counts.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

STAMP_FONT = "DejaVuSans-Bold.ttf"
TYPE_FONTS = ("NimbusMonoPS-Regular.otf", "DejaVuSansMono.ttf")
FONT_DIRS = (Path("/usr/share/fonts"),)
MONTHS = ("JAN", "FEB", "MRT", "APR", "MEI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEC")
INKS = {"red": (175, 35, 40), "blue": (35, 60, 160), "violet": (105, 45, 140)}
WORDS = ("de het een van en in op te dat voor met aan bij door uit over naar onder tegen zijn wordt "
         "werd hebben bouwvergunning aanvraag perceel woning verbouwing tekening bestek "
         "aannemer eigenaar gevel kozijnen dakkapel fundering riolering schuur erfgrens straat "
         "burgemeester wethouders verzoek toestemming inrichting bouwwerk gebouw bepalingen "
         "verordening goedkeuring ingediend voorwaarden uitvoering werkzaamheden bouwtoezicht").split()


@functools.lru_cache(maxsize=None)
def _font_path(name: str) -> Path | None:
    for root in FONT_DIRS:
        found = sorted(root.rglob(name)) if root.exists() else []
        if found:
            return found[0]
    return None


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """The machine's font ``name`` at ``size`` pixels (Pillow's own when the machine lacks it)."""
    path = _font_path(name)
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Stamp:
    shape: str
    """``rect`` or ``round``."""
    lines: tuple[str, ...]
    """Straight lines, top to bottom (a round stamp's centre)."""
    ring: str = ""
    """A round stamp's text along its upper ring."""


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d} {rng.choice(MONTHS)} {rng.randint(1901, 1985)}"


def random_stamp(rng: random.Random) -> Stamp:
    """One of the dev deliveries' kinds of stamp, with a random date and number."""
    kind = rng.choice(("ingekomen", "gezien", "besluit", "round", "round"))
    if kind == "ingekomen":
        return Stamp("rect", ("INGEKOMEN", _date(rng), f"No. {rng.randint(10, 999)}"))
    if kind == "gezien":
        return Stamp("rect", (rng.choice(("GEZIEN", "GOEDGEKEURD")), _date(rng)))
    if kind == "besluit":
        year = rng.randint(1901, 1985)
        return Stamp("rect", ("BEHOORT BIJ BESLUIT", "VAN B. EN W. VAN LEIDEN",
                              f"d.d. {rng.randint(1, 28)}-{rng.randint(1, 12)}-{year}",
                              f"No. {year}/{rng.randint(1, 999):04d}"))
    return Stamp("round", (rng.choice(("GEZIEN", "GOEDGEKEURD")), _date(rng)), "GEMEENTE LEIDEN")


def _rect_mask(stamp: Stamp, px: int, rng: random.Random) -> Image.Image:
    """The stamp's ink (255) on nothing (0), upright: its lines centred in a frame."""
    big = font(STAMP_FONT, px)
    small = font(STAMP_FONT, round(px * rng.uniform(0.72, 0.85)))
    fonts = [big] + [small] * (len(stamp.lines) - 1)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    widths = [probe.textlength(t, font=f) for t, f in zip(stamp.lines, fonts)]
    pad = round(px * rng.uniform(0.35, 0.6))
    gap = round(px * rng.uniform(0.15, 0.3))
    heights = [f.size for f in fonts]
    w = round(max(widths)) + 2 * pad
    h = sum(heights) + gap * (len(heights) - 1) + 2 * pad
    im = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(im)
    frame = max(3, round(px * rng.uniform(0.06, 0.11)))
    draw.rectangle((0, 0, w - 1, h - 1), outline=255, width=frame)
    if rng.random() < 0.3:  # a double frame
        k = frame + max(3, frame // 2)
        draw.rectangle((k, k, w - 1 - k, h - 1 - k), outline=255, width=max(2, frame // 2))
    y = pad - round(0.1 * px)
    for text, f, tw, th in zip(stamp.lines, fonts, widths, heights):
        draw.text(((w - tw) / 2, y), text, fill=255, font=f)
        y += th + gap
    return im


def _round_mask(stamp: Stamp, px: int, rng: random.Random) -> Image.Image:
    """A round stamp's ink: two circles, the ring text along the upper arc (read clockwise, tops
    outwards), its centre lines straight across the middle. Sized as dev-folders' round stamps
    (radius about 4.6 times the centre's letter height, ring letters three quarters of it, the
    inner circle at 0.58-0.66 of the radius): a long centre word (``GOEDGEKEURD``) or date runs
    across the inner circle."""
    ring_px = round(px * rng.uniform(0.7, 0.8))
    rf = font(STAMP_FONT, ring_px)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    radius = round(px * rng.uniform(4.3, 4.9))
    inner = radius * rng.uniform(0.58, 0.66)
    big = px  # a long centre word is set smaller, still running across the inner circle
    while big > 12 and probe.textlength(stamp.lines[0], font=font(STAMP_FONT, big)) > 2.3 * inner:
        big -= 2
    centre_fonts = [font(STAMP_FONT, big), font(STAMP_FONT, round(px * 0.72))]
    size = 2 * radius + 8
    c = size / 2
    im = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(im)
    width = max(3, round(px * 0.09))
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=255, width=width)
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(2, width * 2 // 3))
    text_r = (radius - width + inner) / 2
    widths = [probe.textlength(ch, font=rf) for ch in stamp.ring]
    spacing = ring_px * 0.12
    total = sum(widths) + spacing * (len(widths) - 1)
    at = -total / 2
    for ch, w in zip(stamp.ring, widths):
        deg = math.degrees((at + w / 2) / text_r)  # clockwise from the top
        glyph = Image.new("L", (round(w) + 8, round(ring_px * 1.25)), 0)
        ImageDraw.Draw(glyph).text((4, 0), ch, fill=255, font=rf)
        glyph = glyph.rotate(-deg, resample=Image.Resampling.BICUBIC, expand=True)
        gx = c + text_r * math.sin(math.radians(deg)) - glyph.width / 2
        gy = c - text_r * math.cos(math.radians(deg)) - glyph.height / 2
        im.paste(255, (round(gx), round(gy)), glyph)
        at += w + spacing
    y = c - (centre_fonts[0].size + centre_fonts[1].size * 1.1) / 2
    for text, f in zip(stamp.lines, centre_fonts):
        draw.text((c - probe.textlength(text, font=f) / 2, y), text, fill=255, font=f)
        y += f.size * 1.1
    return im


def stamp_mask(stamp: Stamp, px: int, angle: float, rng: random.Random) -> Image.Image:
    """The stamp's ink (0..255), turned by ``angle`` degrees counter-clockwise."""
    im = _rect_mask(stamp, px, rng) if stamp.shape == "rect" else _round_mask(stamp, px, rng)
    return im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)


def _typed(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        line: list[str] = []
        while len(" ".join(line)) < rng.randint(48, 62):
            line.append(rng.choice(WORDS))
        out.append(" ".join(line).capitalize() + rng.choice((".", ",", "", "")))
    return out


def stamp_page(seed: int, dpi: int = 300, size_mm: tuple[float, float] = (210, 297),
               mode: str | None = None) -> tuple[Image.Image, int, list[dict]]:
    """A typed page at ``dpi`` with one or two stamps, as a scan in ``mode`` (``colour``, ``grey``,
    ``bitonal``; random when None), and its truth lines."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    mode = mode or rng.choice(("colour", "grey", "grey", "bitonal"))
    mm = dpi / 25.4
    w, h = round(size_mm[0] * mm), round(size_mm[1] * mm)
    type_px = round(rng.uniform(10, 12) / 72 * dpi)
    tf = font(rng.choice(TYPE_FONTS), type_px)
    ink_page = Image.new("L", (w, h), 0)  # the type's ink
    draw = ImageDraw.Draw(ink_page)
    left, top = round(25 * mm), round(rng.uniform(25, 45) * mm)
    step = round(type_px * rng.uniform(1.5, 2.0))
    n = max(3, min(30, (h - top - round(25 * mm)) // step))
    lines = _typed(rng, n)
    truth = [{"kind": "typed", "text": t} for t in lines]
    for k, text in enumerate(lines):
        draw.text((left, top + k * step), text, fill=255, font=tf)
    page = np.asarray(ink_page, dtype=np.float32) * np.float32(rng.uniform(0.85, 0.95) / 255.0)
    type_alpha = page
    stamp_alpha = np.zeros_like(page)
    colour = INKS[rng.choice(list(INKS))]
    for _ in range(rng.choice((1, 1, 2))):
        stamp = random_stamp(rng)
        px = round(rng.uniform(35, 65) / 300 * dpi) if stamp.shape == "rect" else round(rng.uniform(38, 58) / 300 * dpi)
        mask = np.asarray(stamp_mask(stamp, px, rng.uniform(-30, 30), rng), dtype=np.float32) / np.float32(255.0)
        mh, mw = mask.shape
        if mh >= h or mw >= w:
            continue
        over_type = rng.random() < 0.5
        x = rng.randint(left, max(left, w - mw - round(10 * mm))) if over_type else rng.randint(0, w - mw)
        y = (rng.randint(top, max(top, min(h - mh, top + n * step - mh))) if over_type
             else rng.choice((rng.randint(0, max(0, top - mh)), rng.randint(max(0, h - mh - round(25 * mm)), h - mh))))
        strength = rng.uniform(0.75, 0.95)
        region = stamp_alpha[y:y + mh, x:x + mw]
        np.maximum(region, mask * np.float32(strength), out=region)
        truth += [{"kind": "stamp", "text": t} for t in ((stamp.ring,) if stamp.ring else ()) + stamp.lines]
    paper = np.array((rng.uniform(0.93, 0.97), rng.uniform(0.9, 0.95), rng.uniform(0.8, 0.88)))
    if mode != "colour":
        paper = np.full(3, rng.uniform(0.86, 0.95) if mode == "grey" else 0.97)
    mottle = noise.normal(0, 0.01, (h // 8 + 1, w // 8 + 1)).astype(np.float32)
    mottle = np.repeat(np.repeat(mottle, 8, axis=0), 8, axis=1)[:h, :w]
    rgb = np.empty((h, w, 3), np.float32)
    stamp_rgb = np.array(colour if mode == "colour" else (80, 80, 80)) / 255.0
    if mode == "grey":
        stamp_rgb = np.full(3, rng.uniform(0.2, 0.5))  # dev-folders: 110-150 on paper near 235
    for ch in range(3):
        base = (np.float32(paper[ch]) + mottle) * (1 - type_alpha * np.float32(0.9))  # type: nearly black
        rgb[:, :, ch] = base * (1 - stamp_alpha * np.float32(1 - stamp_rgb[ch]))  # stamp ink multiplies
    rgb += noise.standard_normal(rgb.shape, dtype=np.float32) * np.float32(0.012)
    image = Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8), "RGB")
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.0) * dpi / 300))
    skew = rng.uniform(-1.0, 1.0)
    fill = tuple(int(v * 255) for v in paper)
    image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    if mode == "grey":
        image = image.convert("L")
    elif mode == "bitonal":
        grey = np.asarray(image.convert("L"), dtype=np.float32) + noise.standard_normal((h, w), dtype=np.float32) * 18
        image = Image.fromarray(((grey > rng.uniform(120, 150)) * 255).astype(np.uint8)).convert("1")
    return image, dpi, truth


def save_page(seed: int, folder: Path, dpi: int = 300) -> tuple[Path, list[dict]]:
    """``stamp_page(seed)`` written as a TIFF (LZW; its ppi stated) in ``folder``, and its truth."""
    image, dpi, truth = stamp_page(seed, dpi)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"stamps-{seed:04d}.tif"
    tmp = path.with_suffix(".tmp.tif")
    image.save(tmp, compression="group4" if image.mode == "1" else "tiff_lzw", dpi=(dpi, dpi))
    tmp.replace(path)
    return path, truth
