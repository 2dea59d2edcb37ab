"""Tile speed of the IIIF image service on the development outputs, against reading the same region
straight from the page image (the tile half of bench/portal.py; the search half is the index's).

    PYTHONPATH=. .venv/bin/python bench/iiif_tiles.py [--workspace /work/devws] [--pages 12] [--tiles 40]

The workspace is copied first (the catalog's store may migrate it; the bench never writes into the
shared one). For each sampled page, through the blueprint's routes (Flask test client: routing, the
access hook, the catalog look-up, the Image API checks, rendering and encoding, as the portal serves
them), tiles are asked for the way OpenSeadragon asks (256-pixel tiles at every scale factor of
info.json, region at full resolution, output ``w,``):

- **cold, first tile of a page**: no pyramid yet; the first request builds it (once per page).
- **cold tile**: the pyramid is on disk but this process has not opened it (a new server process).
- **warm tile**: pyramid open, tile not in the response cache (a tile nobody asked for before).
- **cached tile**: the same tile asked again (the in-memory LRU).
- **reference**: the same region and output size read from the page image (``catalog.page_image``:
  decode the kept image, straighten, crop, resize, JPEG) in this process: what serving tiles
  without a pyramid would cost.

Medians and p95 in milliseconds; the ratio is reference / ours on the same tiles. Target (issue 19):
tile p95 warm <= 50 ms.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digitalisering.catalog import Catalog  # noqa: E402
from digitalisering.iiif.imageapi import TILE_SIZE, scale_factors  # noqa: E402
from digitalisering.iiif.web import iiif_blueprint  # noqa: E402
from digitalisering.store import Store  # noqa: E402
from digitalisering.workspace import Workspace  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def tiles_of(width: int, height: int, rng: random.Random, count: int) -> list[tuple[int, int, int, int, int]]:
    """``count`` distinct (x, y, w, h, out_w) tiles over every scale factor."""
    every = []
    for f in scale_factors(width, height):
        step = TILE_SIZE * f
        for y in range(0, height, step):
            for x in range(0, width, step):
                w, h = min(step, width - x), min(step, height - y)
                every.append((x, y, w, h, -(-w // f)))
    rng.shuffle(every)
    return every[:count]


def reference_tile(catalog: Catalog, batch: str, seq: int, tile) -> bytes:
    x, y, w, h, out_w = tile
    image = catalog.page_image(batch, seq)
    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    out_h = max(1, int(h * out_w / w + 0.5))
    region = image.crop((x, y, x + w, y + h)).resize((out_w, out_h), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    region.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def row(name: str, values: list[float]) -> str:
    return f"{name:<34} n={len(values):>4}  median {statistics.median(values):7.1f} ms  p95 {pct(values, 0.95):7.1f} ms"


def measure(workspace: Path, pages: int = 12, tiles: int = 40, reference_tiles: int = 4, largest_n: int = 2,
            seed: int = 19) -> dict | None:
    """The tile timings (milliseconds per request) on a copy of ``workspace``; None when it has no
    published pages. bench/portal.py calls this for its tile section."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="iiif-bench-") as tmp:
        ws_copy = Path(tmp) / "ws"
        shutil.copytree(workspace, ws_copy, symlinks=True,
                        ignore=shutil.ignore_patterns("*.lock", "*.locks"))
        ws = Workspace.open(ws_copy)
        with Store(ws.database) as store:
            catalog = Catalog(store, ws)
            every = [(b.name, p) for b in catalog.batches() for d in b.dossiers for p in d.pages]
            if not every:
                return None
            by_size = sorted(every, key=lambda bp: bp[1].width_px * bp[1].height_px)
            largest = by_size[len(by_size) - largest_n:] if largest_n else []
            rest = [bp for bp in every if bp not in largest]
            sample = largest + rng.sample(rest, max(0, min(pages - len(largest), len(rest))))
            cache = Path(tmp) / "pyramids"

            def app() -> Flask:
                a = Flask("bench")
                a.register_blueprint(iiif_blueprint(lambda: catalog, cache_dir=cache), url_prefix="/iiif")
                return a

            client = app().test_client()
            first, warm, cached, reference, sizes = [], [], [], [], []
            plan = {}
            for batch, page in sample:
                plan[(batch, page.seq)] = tiles_of(page.width_px, page.height_px, rng, tiles + 1)
                sizes.append(page.width_px * page.height_px / 1e6)
            for (batch, seq), ts in plan.items():
                x, y, w, h, ow = ts[0]
                ms, r = timed(lambda: client.get(f"/iiif/image/{batch}/{seq}/{x},{y},{w},{h}/{ow},/0/default.jpg"))
                assert r.status_code == 200, r.get_data(as_text=True)
                first.append(ms)
            # a new server process: pyramids on disk, nothing opened, nothing cached
            client = app().test_client()
            cold = []
            for (batch, seq), ts in plan.items():
                x, y, w, h, ow = ts[1]
                ms, r = timed(lambda: client.get(f"/iiif/image/{batch}/{seq}/{x},{y},{w},{h}/{ow},/0/default.jpg"))
                assert r.status_code == 200
                cold.append(ms)
            for (batch, seq), ts in plan.items():
                for x, y, w, h, ow in ts[2:]:
                    url = f"/iiif/image/{batch}/{seq}/{x},{y},{w},{h}/{ow},/0/default.jpg"
                    ms, r = timed(lambda: client.get(url))
                    assert r.status_code == 200
                    warm.append(ms)
                    ms, _ = timed(lambda: client.get(url))
                    cached.append(ms)
            pyramid_mb = sum(f.stat().st_size for f in cache.rglob("*.tif")) / 1e6
            ours_on_ref = []
            tile_cache = client.application.blueprints["iiif"].tile_cache
            for (batch, seq), ts in plan.items():
                for tile in ts[2: 2 + reference_tiles]:
                    ms, _ = timed(lambda: reference_tile(catalog, batch, seq, tile))
                    reference.append(ms)
            for (batch, seq), ts in plan.items():
                for x, y, w, h, ow in ts[2: 2 + reference_tiles]:
                    url = f"/iiif/image/{batch}/{seq}/{x},{y},{w},{h}/{ow},/0/default.jpg"
                    tile_cache.clear()
                    ms, _ = timed(lambda: client.get(url))
                    ours_on_ref.append(ms)
    return {"workspace": workspace, "pages": len(sample), "tiles": tiles, "sizes": sizes, "pyramid_mb": pyramid_mb,
            "first": first, "cold": cold, "warm": warm, "cached": cached, "reference": reference,
            "ours_on_ref": ours_on_ref}


def report(m: dict) -> None:
    sizes = m["sizes"]
    print(f"IIIF tiles on {m['workspace']}: {m['pages']} pages "
          f"({statistics.median(sizes):.1f} MP median, {max(sizes):.1f} MP largest), "
          f"{m['tiles']} tiles each, 256 px at every scale factor")
    print(row("cold: first tile (builds pyramid)", m["first"]))
    print(f"{'':<34} pyramids {m['pyramid_mb']:.1f} MB for {sum(sizes):.0f} MP "
          f"({m['pyramid_mb'] / sum(sizes) * 1000:.0f} kB per megapixel)")
    print(row("cold: tile, new process", m["cold"]))
    print(row("warm: tile not cached", m["warm"]))
    print(row("cached: same tile again", m["cached"]))
    print(row("reference: from the page image", m["reference"]))
    print(row("ours on the reference's tiles", m["ours_on_ref"]))
    print(f"ratio reference / ours (median, same tiles): "
          f"{statistics.median(m['reference']) / statistics.median(m['ours_on_ref']):.1f}x; "
          f"warm p95 target 50 ms: {'met' if pct(m['warm'], 0.95) <= 50 else 'NOT met'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=Path("/work/devws"))
    parser.add_argument("--pages", type=int, default=12, help="pages sampled over all batches")
    parser.add_argument("--tiles", type=int, default=40, help="tiles per page")
    parser.add_argument("--reference-tiles", type=int, default=4, help="reference reads per page (slow)")
    parser.add_argument("--largest", type=int, default=2, help="the largest pages (drawings) always in the sample")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    m = measure(args.workspace, args.pages, args.tiles, args.reference_tiles, args.largest, args.seed)
    if m is None:
        print("no published pages in", args.workspace)
        return 1
    report(m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
