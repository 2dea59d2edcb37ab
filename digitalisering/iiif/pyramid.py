"""Tiled pyramids of the page images, made once per page, and the images the Image API asks for.

Decoding a whole scan for every tile would cost a viewer hundreds of milliseconds per tile (an A4
page at 300 ppi is 8.7 million pixels; a drawing ten times that). So the first request for a page
writes its image as a tiled, multi-resolution TIFF (libvips ``tiffsave``: 256-pixel JPEG tiles, each
level half the one above, until the page fits one tile) into the cache folder in the workspace,
atomically (encoded in memory, written to a temporary name, then renamed: a killed server leaves
no half pyramid, and the next build of the page removes its temporary file), under a lock so that
two server processes do not build the same page twice. Every later request reads only the
tiles it needs from the level nearest above the asked resolution (``bench/iiif_tiles.py``).

A pyramid is named by the page and a version string (what the image depends on, given by the
caller); a new version replaces the files of older ones. Encoded responses are kept in a small
in-memory LRU cache per process (``TileCache``): a viewer asks for the same tiles again when the
user zooms back.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from digitalisering._exec.vips import pyvips
from digitalisering.errors import StateError
from digitalisering.fileio import remove_temporaries, write_bytes_atomic
from digitalisering.iiif.imageapi import TILE_SIZE, ImageRequest
from digitalisering.locks import FileLock

JPEG_QUALITY_PYRAMID = 90
"""The pyramid's tiles are served again after resampling and re-encoding: kept a step above the
quality of what is sent (``JPEG_QUALITY_OUT``)."""
JPEG_QUALITY_OUT = 85
MAX_OPEN_PYRAMIDS = 50_000
"""Pyramids whose level sizes are remembered (a few hundred bytes each)."""
BUILD_WAIT_S = 600.0
"""How long a request waits for another process building the same pyramid (a large drawing takes
seconds, never minutes)."""


def _vips_from_pil(image: Image.Image):
    """A libvips image of the page: bitonal and grey pages as one 8-bit band, the rest as sRGB."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("L" if image.mode in ("1", "I", "I;16", "F") else "RGB")
    array = np.asarray(image)
    bands = 1 if array.ndim == 2 else array.shape[2]
    return pyvips().Image.new_from_memory(np.ascontiguousarray(array).data, image.width, image.height,
                                        bands, "uchar")


class PyramidStore:
    """The pyramids of one workspace: ``root/<batch>/<seq>-<version>.tif``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._levels: dict[Path, tuple[list[tuple[int, int]], int]] = {}

    def path(self, batch: str, seq: int, version: str) -> Path:
        digest = hashlib.sha256(version.encode("utf-8")).hexdigest()[:16]
        return self.root / _safe(batch) / f"{seq:08d}-{digest}.tif"

    def _thread_lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def ensure(self, batch: str, seq: int, version: str, page_image: Callable[[], Image.Image]) -> Path:
        """The pyramid of page ``seq``, built from ``page_image()`` when there is none of this version."""
        target = self.path(batch, seq, version)
        if target.is_file():
            return target
        key = str(target)
        try:
            with self._thread_lock(key):
                if target.is_file():
                    return target
                lock = FileLock(target.with_suffix(".lock"))
                if not lock.acquire(wait_s=BUILD_WAIT_S):
                    raise StateError("another process has been building {target} for {build_wait_s:.0f} s", target=target, build_wait_s=BUILD_WAIT_S)
                try:
                    # what a build of this pyramid left when its process was killed (we hold its lock)
                    remove_temporaries(target.parent, recursive=False, targets=lambda name: name == target.name)
                    if not target.is_file():
                        self._build(target, page_image())
                        self._remove_older(target)
                finally:
                    lock.release()
        finally:
            with self._locks_guard:  # the pyramid exists (or failed): its lock is no longer needed
                self._locks.pop(key, None)
        return target

    def _build(self, target: Path, image: Image.Image) -> None:
        """Encode the pyramid in memory (about 117 kB per megapixel: a few MB for a large drawing) and
        write it atomically: libvips' own ``tiffsave`` to a file crashes the process (SIGSEGV) when
        the disk is full; a full disk is now one StateError, and the previous file stays."""
        vips = _vips_from_pil(image)
        data = vips.tiffsave_buffer(tile=True, pyramid=True, compression="jpeg", Q=JPEG_QUALITY_PYRAMID,
                                    tile_width=TILE_SIZE, tile_height=TILE_SIZE)
        write_bytes_atomic(target, data)

    @staticmethod
    def _remove_older(target: Path) -> None:
        prefix = target.name.split("-")[0] + "-"
        for other in target.parent.glob(prefix + "*.tif"):
            if other != target:
                other.unlink(missing_ok=True)
                other.with_suffix(".lock").unlink(missing_ok=True)

    def _describe(self, path: Path) -> tuple[list[tuple[int, int]], int]:
        known = self._levels.get(path)
        if known is None:
            if len(self._levels) >= MAX_OPEN_PYRAMIDS:  # a long-running portal sees many pages
                self._levels.clear()
            first = pyvips().Image.tiffload(str(path))
            count = first.get("n-pages") if first.get_typeof("n-pages") else 1
            sizes = [(first.width, first.height)]
            for page in range(1, count):
                level = pyvips().Image.tiffload(str(path), page=page)
                sizes.append((level.width, level.height))
            known = (sizes, first.bands)
            self._levels[path] = known
        return known

    def levels(self, path: Path) -> list[tuple[int, int]]:
        """(width, height) of each level, full resolution first."""
        return self._describe(path)[0]

    def is_colour(self, path: Path) -> bool:
        """Whether the pyramid holds a colour image (three bands)."""
        return self._describe(path)[1] >= 3

    def render(self, path: Path, req: ImageRequest) -> bytes:
        """The image ``req`` asks for, encoded, read from the pyramid at ``path``."""
        levels = self.levels(path)
        full_w, full_h = levels[0]
        # The smallest level that still has at least as many pixels across the region as the output.
        index = 0
        for i, (lw, lh) in enumerate(levels):
            if req.w * lw / full_w >= req.out_w and req.h * lh / full_h >= req.out_h:
                index = i
        lw, lh = levels[index]
        sx, sy = lw / full_w, lh / full_h
        x0, y0 = math.floor(req.x * sx), math.floor(req.y * sy)
        x1 = min(lw, max(x0 + 1, math.ceil((req.x + req.w) * sx)))
        y1 = min(lh, max(y0 + 1, math.ceil((req.y + req.h) * sy)))
        image = pyvips().Image.tiffload(str(path), page=index, access="random").crop(x0, y0, x1 - x0, y1 - y0)
        if (image.width, image.height) != (req.out_w, req.out_h):
            image = image.resize(req.out_w / image.width, vscale=req.out_h / image.height)
            if (image.width, image.height) != (req.out_w, req.out_h):  # rounding: pad or cut one pixel
                image = image.gravity("north-west", req.out_w, req.out_h, extend="copy")
        if req.quality in ("gray", "bitonal") and image.bands > 1:
            image = image.colourspace("b-w")
        if req.quality == "bitonal":
            image = (image > 127).ifthenelse(255, 0).cast("uchar")
        if req.mirror:
            image = image.fliphor()
        if req.rotation:
            image = {90: image.rot90, 180: image.rot180, 270: image.rot270}[req.rotation]()
        if req.format == "png":
            return image.pngsave_buffer(compression=6)
        return image.jpegsave_buffer(Q=JPEG_QUALITY_OUT)


def default_cache_dir(workspace) -> Path:
    """Where a workspace keeps its pyramids."""
    return Path(workspace.root) / "iiif"


def page_version(page) -> str:
    """What a page's image depends on, as far as the catalog shows it: the page record, its size,
    and its ALTO file (rewritten whenever the page is processed again or its document changes)."""
    alto = getattr(page, "alto", None)
    stamp = ""
    if alto is not None:
        try:
            st = Path(alto).stat()
            stamp = f"{st.st_mtime_ns}:{st.st_size}"
        except OSError:
            stamp = "missing"
    return f"{page.page_id}:{page.width_px}x{page.height_px}:{stamp}"


def _safe(name: str) -> str:
    """A batch name as one folder name (batch names are already safe; this keeps it so)."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name).lstrip(".")
    return cleaned or "_"


class TileCache:
    """Encoded responses by key, least recently used first out, at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.max_bytes // 8:  # a whole large page: not worth evicting the tiles for
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0
