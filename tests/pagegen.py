"""Generated test pages and deliveries: tests make their own fixtures and never need ../shared."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_MM = (210, 297)

DUTCH_LINES = [
    "Gemeente Leiden",
    "Dienst Bouw- en Woningtoezicht",
    "Aanvraag om bouwvergunning",
    "Breestraat 12 te Leiden",
    "het verbouwen van het bestaande pand",
]


def page_image(lines: list[str], dpi: int = 150, mode: str = "L", size_mm: tuple[int, int] = A4_MM,
               font_pt: float = 14) -> Image.Image:
    """A page with ``lines`` of text at ``font_pt`` points, as a scan at ``dpi`` in ``mode``."""
    w = round(size_mm[0] / 25.4 * dpi)
    h = round(size_mm[1] / 25.4 * dpi)
    im = Image.new("L", (w, h), 250)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=max(8, round(font_pt / 72 * dpi)))
    y = round(0.12 * h)
    for line in lines:
        draw.text((round(0.1 * w), y), line, fill=15, font=font)
        y += round(font_pt / 72 * dpi * 1.8)
    if mode == "1":
        return im.point(lambda v: 255 if v > 128 else 0).convert("1")
    if mode == "RGB":
        return Image.merge("RGB", (im, im, im.point(lambda v: max(0, v - 20))))
    return im


def save(im: Image.Image, path: Path, dpi: int | None = 150, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    params = dict(kw)
    if dpi is not None:
        params["dpi"] = (dpi, dpi)
    im.save(path, **params)
    return path


def save_multipage_tiff(images: list[Image.Image], path: Path, dpi: int = 150, compression: str = "tiff_lzw") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], dpi=(dpi, dpi), compression=compression)
    return path


def image_pdf(images: list[Image.Image], path: Path, dpi: int = 150) -> Path:
    """An image-only PDF (one JPEG per page, page size from ``dpi``)."""
    pdf = pikepdf.new()
    for im in images:
        buf = io.BytesIO()
        im.convert("L").save(buf, format="JPEG", quality=90)
        w_pt, h_pt = im.width * 72 / dpi, im.height * 72 / dpi
        xobj = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                              Width=im.width, Height=im.height, ColorSpace=pikepdf.Name.DeviceGray,
                              BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        page = pdf.add_blank_page(page_size=(w_pt, h_pt))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj))
        page.Contents = pdf.make_stream(f"q {w_pt:.3f} 0 0 {h_pt:.3f} 0 0 cm /Im0 Do Q".encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path


def one_image_pdf(path: Path, data: bytes, **image_dict) -> Path:
    """A one-page PDF showing one image XObject holding ``data`` with the dictionary entries
    ``image_dict`` (grey, 8 bits unless given): for images whose dictionary lies."""
    pdf = pikepdf.new()
    fields = {"ColorSpace": pikepdf.Name.DeviceGray, "BitsPerComponent": 8, **image_dict}
    xobj = pikepdf.Stream(pdf, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, **fields)
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj))
    page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path


def jpeg_bytes(size: tuple[int, int], mode: str = "L") -> bytes:
    """A plain JPEG of one grey (small however large it is)."""
    buf = io.BytesIO()
    Image.new(mode, size, 128).save(buf, format="JPEG", quality=50)
    return buf.getvalue()


def deflated_zeros(n: int) -> bytes:
    """``n`` zero bytes deflated, made piece by piece (a Flate bomb of ``n`` bytes, ~n/1000 long)."""
    z = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = [z.compress(chunk) for _ in range(n >> 20)]
    return b"".join(parts) + z.flush()


def folders_delivery(root: Path, with_bad_files: bool = True) -> dict[str, list[str]]:
    """A small folders-layout delivery; returns {dossier id: words expected in its PDF}."""
    expected: dict[str, list[str]] = {}
    d1 = root / "BWT-1962-0001"
    save(page_image(DUTCH_LINES, mode="L"), d1 / "0001.tif", compression="tiff_lzw")
    save(page_image(["Bouwtekening", "Plattegrond begane grond"], mode="1"), d1 / "0002.tif",
         compression="group4")
    save(page_image(["Brief van de aannemer", "Hooigracht 15"], mode="RGB"), d1 / "0003.jpg",
         quality=90)
    expected["BWT-1962-0001"] = ["Leiden", "bouwvergunning", "Plattegrond", "aannemer"]
    d2 = root / "BWT-1975-0002"
    save_multipage_tiff([page_image(["Besluit", "Vergunning verleend"], mode="L"),
                         page_image(["Gereedmelding", "Haarlemmerstraat 100"], mode="L")],
                        d2 / "BWT-1975-0002.tif")
    save(page_image(["Berekening", "Constructie staal"], mode="L"), d2 / "vervolg.png")
    expected["BWT-1975-0002"] = ["Vergunning", "Gereedmelding", "Constructie"]
    d3 = root / "BWT-1980-0003"
    image_pdf([page_image(["Proces-verbaal", "Oplevering woning"]),
               page_image(["Correspondentie", "Rapenburg 8"])], d3 / "BWT-1980-0003.pdf")
    expected["BWT-1980-0003"] = ["Oplevering", "Correspondentie"]
    if with_bad_files:
        (d3 / "zero.tif").write_bytes(b"")
        (d3 / "notanimage.jpg").write_text("this is not an image\n")
        good = (d1 / "0001.tif").read_bytes()
        (d3 / "truncated.tif").write_bytes(good[: len(good) // 3])
    (root / "manifest.csv").write_text("dossier;pages\n")
    return expected


LETTER_LINES = [
    "Gemeente Leiden, dienst Bouw- en Woningtoezicht",
    "Aan de heer J.C. Visser, Ringkade 41 te Leiden",
    "Onderwerp: uw aanvraag om bouwvergunning",
    "Geachte heer Visser, naar aanleiding van uw brief",
    "delen wij u mede dat de vergunning is verleend voor",
    "het bouwen van een schuur op het perceel Breestraat 12,",
    "kadastraal bekend gemeente Leiden, sectie K nummer 3567.",
    "De werkzaamheden moeten binnen zes maanden beginnen.",
    "Hoogachtend, burgemeester en wethouders van Leiden,",
    "de secretaris, de burgemeester.",
]


def letter_page(dpi: int = 150, mode: str = "L") -> Image.Image:
    """A typed letter: flush-left lines of mixed-case Dutch text."""
    return page_image(LETTER_LINES * 2, dpi=dpi, mode=mode, font_pt=11)


def barcode_sheet(payload: str, dpi: int = 200, qr: bool = False) -> Image.Image:
    """A separator sheet with a Code 128 (or QR) barcode of ``payload``."""
    import zxingcpp

    im = page_image(["SCHEIDINGSBLAD"], dpi=dpi)
    fmt = zxingcpp.BarcodeFormat.QRCode if qr else zxingcpp.BarcodeFormat.Code128
    code = zxingcpp.create_barcode(payload, fmt)
    bar = Image.fromarray(__import__("numpy").asarray(code.to_image(scale=max(2, dpi // 75) * (3 if qr else 1))))
    im.paste(bar, (im.width // 6, im.height // 3))
    return im


def patch_sheet(pattern: str, dpi: int = 200) -> Image.Image:
    """A sheet with a Kodak patch code: bars wide (5 mm, 'W') or narrow (2 mm, 'N'), 2 mm apart."""
    im = page_image([], dpi=dpi)
    draw = ImageDraw.Draw(im)
    mm = dpi / 25.4
    x = im.width // 3
    for kind in pattern:
        width = 5 * mm if kind == "W" else 2 * mm
        draw.rectangle([x, im.height // 4, x + width - 1, im.height // 4 + 80 * mm], fill=0)
        x += width + 2 * mm
    return im


def blank_back(dpi: int = 150, holes: bool = True, bleed: bool = True) -> Image.Image:
    """The back of a page: paper, faint mirrored bleed-through, punch holes at the edge."""
    im = page_image(LETTER_LINES if bleed else [], dpi=dpi, font_pt=11)
    if bleed:
        im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).point(lambda v: 250 - (250 - v) // 8)
    if holes:
        draw = ImageDraw.Draw(im)
        mm = dpi / 25.4
        for y in (0.35, 0.65):
            cy = int(im.height * y)
            draw.ellipse([int(8 * mm), cy - int(3 * mm), int(14 * mm), cy + int(3 * mm)], fill=20)
    return im


def faint_page(dpi: int = 200, type_level: int = 186, paper: int = 229, blur: float = 0.6) -> Image.Image:
    """A typed letter in grey type on grey paper (a real typewritten scan's levels: type ~186 on
    paper ~229), lighter than the ink threshold at 62 % of the paper level, slightly soft."""
    im = letter_page(dpi=dpi)
    scale = (paper - type_level) / (250 - 15)
    im = im.point(lambda v: round(paper - (250 - v) * scale))
    return im.filter(ImageFilter.GaussianBlur(blur)) if blur else im


def show_through_back(dpi: int = 200, seed: int = 7) -> Image.Image:
    """A blank back as scanners deliver it: the front's type mirrored and blurred through the paper
    (~6 % of the paper level), grain, specks, two punch holes and a dark scanner border strip."""
    import numpy as np

    front = letter_page(dpi=dpi).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    front = front.filter(ImageFilter.GaussianBlur(dpi / 150))
    arr = 236 - (250 - np.asarray(front, dtype=np.float64)) * 0.06
    rng = np.random.default_rng(seed)
    arr += rng.normal(0, 2.0, arr.shape)
    h, w = arr.shape
    for _ in range(40):  # dust specks
        y, x = int(rng.integers(0, h - 3)), int(rng.integers(0, w - 3))
        arr[y:y + 2, x:x + 2] = 60
    arr[:, w - int(0.02 * w):] = 25  # the scanner's dark border beyond the sheet
    im = Image.fromarray(np.clip(arr, 0, 255).astype("uint8"))
    draw = ImageDraw.Draw(im)
    mm = dpi / 25.4
    for y in (0.35, 0.65):
        cy = int(h * y)
        draw.ellipse([int(8 * mm), cy - int(3 * mm), int(14 * mm), cy + int(3 * mm)], fill=20)
    return im


def stored_result(*, large: bool = False, blank: bool = False, separator=None) -> dict:
    """The stored page record of a processed page, as the page chain writes it (for tests that make
    store rows by hand): an A4 page, or a large-format sheet, blank or a separator sheet."""
    from digitalisering.imaging.checks import technical_checks
    from digitalisering.imaging.stage import ImagingResult
    from digitalisering.pagerecord import PageResult

    size = (7016, 9933) if large else (2480, 3508)
    imaging = ImagingResult(
        orientation=0, orientation_confidence=0.9, orientation_method="lines", skew_deg=0.0,
        skew_confidence=0.9, corrected=False, is_blank=blank, ink_fraction=0.0 if blank else 0.05,
        is_separator=separator is not None, separator=separator, barcodes=[], large_format=large,
        technical=technical_checks(*size, 300.0, "L", 8, False))
    return PageResult(imaging=imaging).to_json()


def form_page(fields: list[tuple[str, str]], dpi: int = 300, font_pt: float = 11) -> Image.Image:
    """An old aanvraag form: each row a printed label, a dotted leader line to the right margin, and
    the typed value sitting on the dots (as filled-in forms are scanned)."""
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    im = Image.new("L", (w, h), 245)
    draw = ImageDraw.Draw(im)
    size = round(font_pt / 72 * dpi)
    font = ImageFont.load_default(size=size)
    mm = dpi / 25.4
    y = round(40 * mm)
    for label, value in fields:
        x0 = round(20 * mm)
        draw.text((x0, y), label, fill=20, font=font)
        lx = x0 + draw.textlength(label, font=font) + 2 * mm
        base = y + round(size * 0.95)
        dot = max(2, round(0.3 * mm))
        x = lx
        while x < w - 20 * mm:  # the dotted leader: small round dots every 0.8 mm
            draw.ellipse((x, base, x + dot, base + dot), fill=60)
            x += 0.8 * mm
        draw.text((lx + 3 * mm, y + round(0.12 * size)), value, fill=10, font=font)
        y += round(size * 2.6)
    return im
