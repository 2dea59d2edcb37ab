"""Pillow's and pikepdf's decompression-bomb guards are on, at the product's pixel limit, in every
process that imports the package; in a worker they refuse anything above the limit."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

from PIL import Image


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A small PNG whose header claims ``width`` x ``height`` pixels (nothing behind it)."""
    buf = io.BytesIO()
    Image.new("1", (16, 16), 1).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    ihdr = 8 + 8  # signature, then IHDR's length and type
    data[ihdr:ihdr + 8] = struct.pack(">II", width, height)
    data[ihdr + 13:ihdr + 17] = struct.pack(">I", zlib.crc32(bytes(data[ihdr - 4:ihdr + 13])))
    path.write_bytes(bytes(data))
    return path


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True,
                          text=True, timeout=120, cwd="/")


def test_the_guards_are_on_at_the_product_limit_after_importing_the_package():
    run = _run("""
        import importlib, pkgutil
        import digitalisering, digitalisering.cli
        from PIL import Image
        import pikepdf
        after_cli = (Image.MAX_IMAGE_PIXELS, pikepdf.PdfImage.MAX_IMAGE_PIXELS)
        for mod in pkgutil.walk_packages(digitalisering.__path__, "digitalisering."):
            if not mod.name.endswith("__main__"):
                importlib.import_module(mod.name)
        print(after_cli, (Image.MAX_IMAGE_PIXELS, pikepdf.PdfImage.MAX_IMAGE_PIXELS))
    """)
    assert run.returncode == 0, run.stderr
    # before: Pillow's guard was None (off) for the whole process
    assert run.stdout.strip() == "(250000000, 250000000) (250000000, 250000000)"


def test_an_image_over_twice_the_limit_is_refused_by_pillow_itself(tmp_path: Path):
    path = png_claiming(tmp_path / "huge.png", 30000, 20000)  # 600 MP claimed, ~100 bytes
    run = _run("""
        import sys
        import digitalisering.ingest.formats  # what ingest imports
        from PIL import Image
        try:
            Image.open(sys.argv[1])
            print("opened")
        except Image.DecompressionBombError as exc:
            print("refused")
    """, str(path))
    assert run.stdout.strip() == "refused", run.stderr


def test_in_a_worker_pillow_refuses_anything_over_the_limit(tmp_path: Path):
    path = png_claiming(tmp_path / "big.png", 20000, 15000)  # 300 MP: above the limit, below twice it
    run = _run("""
        import sys
        from PIL import Image
        from digitalisering.runner.worker import init_worker
        init_worker()
        try:
            Image.open(sys.argv[1])
            print("opened")
        except Image.DecompressionBombWarning:
            print("refused")
    """, str(path))
    assert run.stdout.strip() == "refused", run.stderr


def test_the_run_limit_moves_the_guards(tmp_path: Path):
    path = png_claiming(tmp_path / "big.png", 20000, 15000)
    run = _run("""
        import sys
        from PIL import Image
        from digitalisering.imaging.limits import set_pixel_limit
        from digitalisering.runner.worker import init_worker
        init_worker()
        set_pixel_limit(400_000_000)  # --max-megapixels 400
        Image.open(sys.argv[1])
        print("opened")
    """, str(path))
    assert run.stdout.strip() == "opened", run.stderr
