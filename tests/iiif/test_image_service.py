"""The image service over a published batch: info.json, tiles and sizes per level 2, errors, caching."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from iiifapp import make_app


def _first_page(published, mode=None):
    catalog, batch, _ = published
    for dossier in catalog.dossiers(batch):
        for page in dossier.pages:
            if mode is None or catalog.page_image(batch, page.seq).mode == mode:
                return batch, page
    raise AssertionError(f"no page in mode {mode}")


def _image(response) -> Image.Image:
    assert response.status_code == 200, response.get_data(as_text=True)
    return Image.open(io.BytesIO(response.data))


def test_info_json_describes_the_page_as_the_pdf_shows_it(client, published):
    batch, page = _first_page(published)
    r = client.get(f"/iiif/image/{batch}/{page.seq}/info.json")
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.mimetype == "application/json"
    info = r.get_json()
    assert info["id"] == f"http://localhost/iiif/image/{batch}/{page.seq}"
    assert (info["width"], info["height"]) == (page.width_px, page.height_px)
    assert info["@context"] == "http://iiif.io/api/image/3/context.json" and info["profile"] == "level2"
    assert info["tiles"][0]["width"] == 256 and info["tiles"][0]["scaleFactors"][0] == 1
    # asked for as JSON-LD, it is JSON-LD with the Image API's profile
    r = client.get(f"/iiif/image/{batch}/{page.seq}/info.json", headers={"Accept": "application/ld+json"})
    assert r.headers["Content-Type"] == 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'


def test_base_uri_redirects_to_info_json(client, published):
    batch, page = _first_page(published)
    r = client.get(f"/iiif/image/{batch}/{page.seq}")
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/iiif/image/{batch}/{page.seq}/info.json")


def test_every_listed_size_and_every_tile_of_a_level(client, published):
    batch, page = _first_page(published)
    info = client.get(f"/iiif/image/{batch}/{page.seq}/info.json").get_json()
    base = f"/iiif/image/{batch}/{page.seq}"
    for size in info["sizes"]:
        img = _image(client.get(f"{base}/full/{size['width']},{size['height']}/0/default.jpg"))
        assert img.size == (size["width"], size["height"])
    # the tiles of scale factor 4, as OpenSeadragon asks for them: region x,y,w,h at full resolution
    # and the output width of that region at this scale
    tile, factor = info["tiles"][0]["width"], 4
    step = tile * factor
    for y in range(0, info["height"], step):
        for x in range(0, info["width"], step):
            w, h = min(step, info["width"] - x), min(step, info["height"] - y)
            out_w = -(-w // factor)
            img = _image(client.get(f"{base}/{x},{y},{w},{h}/{out_w},/0/default.jpg"))
            assert img.size[0] == out_w and abs(img.size[1] - h / factor) <= 1


def test_a_region_shows_what_the_page_has_there(client, published):
    catalog, _, _ = published
    batch, page = _first_page(published)
    source = np.asarray(catalog.page_image(batch, page.seq).convert("L"), dtype=float)
    # the region around the first word: full resolution and halved
    word = catalog.page_text(batch, page.seq).words[0]
    x, y, w, h = word.left, word.top, word.width, word.height
    got = np.asarray(_image(client.get(f"/iiif/image/{batch}/{page.seq}/{x},{y},{w},{h}/max/0/gray.png")),
                     dtype=float)
    assert got.shape == (h, w)
    assert np.abs(got - source[y:y + h, x:x + w]).mean() < 8  # JPEG tiles in the pyramid
    assert got.mean() < source.mean() - 20  # ink, not paper: it is the word
    half = np.asarray(_image(client.get(f"/iiif/image/{batch}/{page.seq}/full/pct:50/0/gray.jpg")), dtype=float)
    assert half.shape == (int(page.height_px / 2 + 0.5), int(page.width_px / 2 + 0.5))
    small = source[: half.shape[0] * 2, : half.shape[1] * 2]
    small = small.reshape(half.shape[0], 2, half.shape[1], 2).mean(axis=(1, 3))
    assert np.abs(half - small).mean() < 8


def test_qualities_formats_rotation_and_mirroring(client, published):
    batch, page = _first_page(published, mode="RGB")
    base = f"/iiif/image/{batch}/{page.seq}/0,0,300,200"
    colour = _image(client.get(f"{base}/max/0/color.png"))
    assert colour.mode == "RGB" and colour.format == "PNG" and colour.size == (300, 200)
    assert _image(client.get(f"{base}/max/0/default.jpg")).format == "JPEG"
    assert _image(client.get(f"{base}/max/0/gray.jpg")).mode == "L"
    bitonal = np.asarray(_image(client.get(f"{base}/max/0/bitonal.png")))
    assert set(np.unique(bitonal)) <= {0, 255}
    assert _image(client.get(f"{base}/max/90/default.jpg")).size == (200, 300)
    assert _image(client.get(f"{base}/max/270/default.jpg")).size == (200, 300)
    plain = np.asarray(_image(client.get(f"{base}/max/0/gray.png")), dtype=int)
    mirrored = np.asarray(_image(client.get(f"{base}/max/!0/gray.png")), dtype=int)
    turned = np.asarray(_image(client.get(f"{base}/max/180/gray.png")), dtype=int)
    assert np.array_equal(mirrored, plain[:, ::-1])
    assert np.array_equal(turned, plain[::-1, ::-1])


def test_color_of_a_grey_page_is_400(client, published):
    batch, page = _first_page(published, mode="L")
    r = client.get(f"/iiif/image/{batch}/{page.seq}/full/100,/0/color.jpg")
    assert r.status_code == 400 and "color" in r.get_data(as_text=True)


@pytest.mark.parametrize("path, status", [
    ("99999,0,10,10/max/0/default.jpg", 400),   # region outside the page
    ("full/100000,/0/default.jpg", 400),        # larger than the page (no upscaling)
    ("full/^max/0/default.jpg", 501),           # upscaling not offered
    ("full/max/45/default.jpg", 501),           # arbitrary rotation not offered
    ("full/max/0/default.webp", 501),           # format not offered
    ("full/max/0/default.exe", 400),
    ("nonsense/max/0/default.jpg", 400),
    ("full/,0/0/default.jpg", 400),
])
def test_bad_requests_get_their_status_and_one_line(client, published, path, status):
    batch, page = _first_page(published)
    r = client.get(f"/iiif/image/{batch}/{page.seq}/{path}")
    assert r.status_code == status
    text = r.get_data(as_text=True)
    assert r.mimetype == "text/plain" and text.count("\n") == 1 and "Traceback" not in text
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_batch_or_page_is_404(client, published):
    batch, _ = _first_page(published)
    for path in (f"/iiif/image/nope/1/info.json", f"/iiif/image/{batch}/99999/info.json",
                 f"/iiif/image/{batch}/99999/full/max/0/default.jpg", f"/iiif/image/nope/1/full/max/0/default.jpg"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Traceback" not in r.get_data(as_text=True)


def test_the_pyramid_is_made_once_and_tiles_come_from_the_cache(published, tmp_path):
    catalog, _, _ = published
    batch, page = _first_page(published)
    calls = []

    class Counting:
        def __getattr__(self, name):
            return getattr(catalog, name)

        def page_image(self, b, seq):
            calls.append(seq)
            return catalog.page_image(b, seq)

    cache = tmp_path / "cache"
    app = make_app(Counting(), cache)
    client = app.test_client()
    tile = f"/iiif/image/{batch}/{page.seq}/0,0,256,256/256,/0/default.jpg"
    first = client.get(tile)
    pyramids = list(cache.rglob("*.tif"))
    assert len(pyramids) == 1 and calls == [page.seq]
    assert not list(cache.rglob("*.part"))  # written atomically: no temporary left
    built = pyramids[0].stat().st_mtime_ns
    cached = app.blueprints["iiif"].tile_cache
    hits = cached.hits
    assert client.get(tile).data == first.data and cached.hits == hits + 1
    client.get(f"/iiif/image/{batch}/{page.seq}/256,0,256,256/256,/0/default.jpg")
    # a new server process finds the pyramid in the workspace and does not read the page again
    again = make_app(Counting(), cache).test_client()
    assert again.get(tile).data == first.data
    assert calls == [page.seq] and pyramids[0].stat().st_mtime_ns == built


def test_concurrent_first_requests_build_one_pyramid(published, tmp_path):
    """A viewer opening a page asks for many tiles at once: the page is read and its pyramid
    written once, and every request gets its tile."""
    import threading

    catalog, _, _ = published
    batch, page = _first_page(published)
    calls = []

    class Counting:
        def __getattr__(self, name):
            return getattr(catalog, name)

        def page_image(self, b, seq):
            calls.append(seq)
            return catalog.page_image(b, seq)

    app = make_app(Counting(), tmp_path / "cache")
    results = []

    def ask(x):
        with app.test_client() as c:
            results.append(c.get(f"/iiif/image/{batch}/{page.seq}/{x},0,256,256/128,/0/default.jpg").status_code)

    threads = [threading.Thread(target=ask, args=(256 * i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4 and calls == [page.seq]
    assert len(list((tmp_path / "cache").rglob("*.tif"))) == 1


def test_refusals_are_not_cached_and_pages_only_privately(client, published):
    batch, page = _first_page(published)
    ok = client.get(f"/iiif/image/{batch}/{page.seq}/info.json")
    assert ok.headers["Cache-Control"] == "private, no-cache"  # the same URL may answer the next reader otherwise
    bad = client.get(f"/iiif/image/{batch}/{page.seq}/full/max/45/default.jpg")
    assert bad.headers["Cache-Control"] == "no-store"
