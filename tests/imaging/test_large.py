"""A0 at 300 ppi (~140 megapixels) is processed within bounded memory."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from PIL import Image, ImageDraw
    from digitalisering.imaging.stage import ImagingOptions, analyse_page
    im = Image.new("1", (9933, 14043), 1)
    draw = ImageDraw.Draw(im)
    draw.rectangle([400, 400, 9533, 13643], outline=0, width=10)
    for i in range(30):
        draw.rectangle([800, 900 + 400 * i, 800 + 3000 + 90 * i, 960 + 400 * i], fill=0)
    im = im.rotate(1.0, expand=False, fillcolor=1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out, res = analyse_page(im, 300, 1, ImagingOptions())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"mode": out.mode, "size": out.size, "class": res.technical.size_class,
                      "large": res.large_format, "extra_mb": (after - before) / 1024}))
""")


def test_a0_bitonal_page_in_bounded_memory(tmp_path: Path):
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout.strip().splitlines()[-1])
    assert data["mode"] == "1" and data["class"] == "A0" and data["large"]
    assert data["size"][0] >= 9933 and data["size"][1] >= 14043  # never smaller, never cropped
    # a 140-megapixel page as 8-bit grey is 140 MB; the stage may hold a few such copies, not dozens
    assert data["extra_mb"] < 1200, data
