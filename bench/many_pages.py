"""Does loading page k of a many-page file cost more as k grows? Time to load every page of a
generated N-page PDF and N-page TIFF (tiny pages, so only the per-file work shows).

    .venv/bin/python bench/many_pages.py [--pages 2000] [--formats PDF TIFF]

Each page is loaded as a worker does (``load_page``: one call per page, nothing kept by the caller).
Printed per format: total seconds, ms per page over the first and the last tenth of the pages.

2026-12-04, 2 cores (machine otherwise idle), 64x64 px pages, seconds to load every page:
                         before                               after
    PDF  2,000 pages     34.2 s (17.3 -> 17.1 ms/page)        0.7 s (0.4 -> 0.3 ms/page)
    TIFF 2,000 pages     53.5 s (2.6 -> 52.2 ms/page)         1.1 s (0.6 -> 0.5 ms/page)
    PDF 20,000 pages     ~57 min (extrapolated: ~170 ms/page)  7.1 s (0.5 -> 0.3 ms/page)
(first tenth -> last tenth of the pages). Before: every page opened the PDF again, scanned all its
pages for JavaScript and listed its page tree (pikepdf's ``pdf.pages[k]`` costs time in proportion
to the page count), and Pillow walked the TIFF's directories from page 0 to page k. After: the PDF
is opened, checked and its pages listed once per worker process (``imaging/openfiles.py``), the
TIFF's directory offsets are read once and page k is opened at its own directory
(``imaging/tiffpages.py``).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pikepdf  # noqa: E402
from PIL import Image  # noqa: E402

from digitalisering.imaging.load import load_page  # noqa: E402

SIDE = 64


def many_page_pdf(path: Path, pages: int) -> Path:
    pdf = pikepdf.new()
    buf = io.BytesIO()
    Image.new("L", (SIDE, SIDE), 200).save(buf, format="JPEG", quality=80)
    for _ in range(pages):
        xobj = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                              Width=SIDE, Height=SIDE, ColorSpace=pikepdf.Name.DeviceGray,
                              BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        page = pdf.add_blank_page(page_size=(SIDE * 72 / 150, SIDE * 72 / 150))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj))
        page.Contents = pdf.make_stream(b"q 30.72 0 0 30.72 0 0 cm /Im0 Do Q")
    pdf.save(path)
    return path


def many_page_tiff(path: Path, pages: int) -> Path:
    frames = [Image.new("L", (SIDE, SIDE), (i * 7) % 256) for i in range(pages)]
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_lzw", dpi=(150, 150))
    return path


def time_all(path: Path, fmt: str, pages: int) -> tuple[float, float, float]:
    times = []
    for k in range(pages):
        t = time.perf_counter()
        load_page(path, k, fmt)
        times.append(time.perf_counter() - t)
    tenth = max(1, pages // 10)
    return sum(times), sum(times[:tenth]) / tenth * 1000, sum(times[-tenth:]) / tenth * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--formats", nargs="+", default=["PDF", "TIFF"], choices=["PDF", "TIFF"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats:
            make = many_page_pdf if fmt == "PDF" else many_page_tiff
            path = make(Path(tmp) / f"many.{fmt.lower()}", args.pages)
            total, first, last = time_all(path, fmt, args.pages)
            print(f"{fmt:4} {args.pages} pages: {total:6.1f} s "
                  f"(first tenth {first:.1f} ms/page, last tenth {last:.1f} ms/page)", flush=True)


if __name__ == "__main__":
    main()
