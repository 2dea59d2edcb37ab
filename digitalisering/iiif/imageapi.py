"""IIIF Image API 3.0: the request syntax checked against one image, and its ``info.json``.

A request ``{region}/{size}/{rotation}/{quality}.{format}`` is turned into a ``ImageRequest`` of
whole pixels (the region in the full image, the output size) or refused with an ``ImageApiError``
that carries the HTTP status the specification asks for: 400 for a request that is malformed or
cannot be met (a region outside the image, a size of zero, a size beyond the region without ``^``,
beyond the server's ``maxArea``/``maxWidth``/``maxHeight``), 501 for a valid request of a feature
this server does not offer (arbitrary rotation, upscaling, tif/gif/webp/jp2/pdf).

We offer compliance level 2 (level 1 plus ``pct:`` regions and sizes, ``!w,h``, rotation by 90s,
the ``color`` and ``gray`` qualities where they apply, png) and, beyond it, ``mirroring`` and the
``bitonal`` quality. Rounding follows the reference implementation: a derived dimension is the
nearest whole pixel, never less than one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
LEVEL = "level2"
EXTRA_FEATURES = ["mirroring"]
FORMATS = {"jpg": "image/jpeg", "png": "image/png"}
KNOWN_FORMATS = {"jpg", "png", "tif", "gif", "pdf", "jp2", "webp"}
TILE_SIZE = 256

_NUMBER = r"(?:\d+(?:\.\d+)?|\.\d+)"
_REGION_PX = re.compile(r"(\d+),(\d+),(\d+),(\d+)")
_REGION_PCT = re.compile(rf"pct:({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})")
_SIZE_W = re.compile(r"(\d+),")
_SIZE_H = re.compile(r",(\d+)")
_SIZE_WH = re.compile(r"(!?)(\d+),(\d+)")
_SIZE_PCT = re.compile(rf"pct:({_NUMBER})")
_ROTATION = re.compile(rf"(!?)({_NUMBER})")


class ImageApiError(Exception):
    """A request the image service refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """The largest output the service makes (``maxWidth``, ``maxHeight``, ``maxArea`` in info.json).

    25 megapixels lets a viewer ask for an A4 page at 300 ppi whole (8.7 MP) and an A2 drawing at
    150 ppi; a full-resolution A0 drawing (about 140 MP at 300 ppi) is reached through tiles."""

    max_width: int = 10_000
    max_height: int = 10_000
    max_area: int = 25_000_000


@dataclass(frozen=True)
class ImageRequest:
    """A checked request: the region in full-image pixels, the output size, what to do after."""

    x: int
    y: int
    w: int
    h: int
    out_w: int
    out_h: int
    mirror: bool
    rotation: int
    """0, 90, 180 or 270 degrees clockwise."""
    quality: str
    """'default', 'color', 'gray' or 'bitonal'."""
    format: str
    """'jpg' or 'png'."""

    @property
    def key(self) -> str:
        """The canonical form of the request (the tile cache's key)."""
        return (f"{self.x},{self.y},{self.w},{self.h}/{self.out_w},{self.out_h}/"
                f"{'!' if self.mirror else ''}{self.rotation}/{self.quality}.{self.format}")


def _bad(message: str) -> ImageApiError:
    return ImageApiError(400, message)


def parse_region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    """The region as whole pixels inside the image (a region partly outside is cut to the image)."""
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    m = _REGION_PX.fullmatch(text)
    if m:
        x, y, w, h = (int(v) for v in m.groups())
    else:
        m = _REGION_PCT.fullmatch(text)
        if not m:
            raise _bad(f"region {text!r} is not full, square, x,y,w,h or pct:x,y,w,h")
        px, py, pw, ph = (float(v) for v in m.groups())
        if px > 100 or py > 100:
            raise _bad(f"region {text!r} starts outside the image")
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    if w <= 0 or h <= 0:
        raise _bad(f"region {text!r} has no width or height")
    if x >= width or y >= height:
        raise _bad(f"region {text!r} lies outside the image ({width} x {height})")
    return x, y, min(w, width - x), min(h, height - y)


def _scaled(value: float) -> int:
    return max(1, int(value + 0.5))


def parse_size(text: str, region_w: int, region_h: int, limits: Limits) -> tuple[int, int]:
    """The output size for a region of ``region_w`` x ``region_h`` pixels."""
    if text.startswith("^"):
        if _size_syntax_ok(text[1:]):
            raise ImageApiError(501, f"size {text!r}: upscaling is not offered")
        raise _bad(f"size {text!r} is not a IIIF size")
    if text == "max":
        scale = min(1.0, limits.max_width / region_w, limits.max_height / region_h,
                    math.sqrt(limits.max_area / (region_w * region_h)))
        return (region_w, region_h) if scale >= 1 else (max(1, int(region_w * scale)), max(1, int(region_h * scale)))
    if m := _SIZE_W.fullmatch(text):
        w = int(m[1])
        out = (w, _scaled(region_h * w / region_w))
    elif m := _SIZE_H.fullmatch(text):
        h = int(m[1])
        out = (_scaled(region_w * h / region_h), h)
    elif m := _SIZE_PCT.fullmatch(text):
        pct = float(m[1])
        if pct > 100:
            raise _bad(f"size {text!r} is more than 100 % (upscaling is not offered)")
        out = (int(region_w * pct / 100 + 0.5), int(region_h * pct / 100 + 0.5))
    elif m := _SIZE_WH.fullmatch(text):
        w, h = int(m[2]), int(m[3])
        if m[1]:  # !w,h: the largest size that fits, aspect kept, not beyond the region
            if w == 0 or h == 0:
                raise _bad(f"size {text!r} has no width or height")
            scale = min(w / region_w, h / region_h, 1.0)
            out = (_scaled(region_w * scale), _scaled(region_h * scale))
            out = (min(out[0], w), min(out[1], h))
        else:
            out = (w, h)
    else:
        raise _bad(f"size {text!r} is not max, w,, ,h, w,h, !w,h or pct:n")
    if out[0] <= 0 or out[1] <= 0:
        raise _bad(f"size {text!r} gives an image without width or height")
    if out[0] > region_w or out[1] > region_h:
        raise _bad(f"size {text!r} is larger than the region ({region_w} x {region_h}); "
                   "upscaling is not offered")
    if out[0] > limits.max_width or out[1] > limits.max_height or out[0] * out[1] > limits.max_area:
        raise _bad(f"size {text!r} is larger than this server makes "
                   f"(at most {limits.max_width} x {limits.max_height}, {limits.max_area} pixels)")
    return out


def _size_syntax_ok(text: str) -> bool:
    return bool(text == "max" or _SIZE_W.fullmatch(text) or _SIZE_H.fullmatch(text)
                or _SIZE_WH.fullmatch(text) or _SIZE_PCT.fullmatch(text))


def parse_rotation(text: str) -> tuple[bool, int]:
    m = _ROTATION.fullmatch(text)
    if not m:
        raise _bad(f"rotation {text!r} is not a number of degrees (with ! for mirroring)")
    degrees = float(m[2])
    if degrees > 360:
        raise _bad(f"rotation {text!r} is more than 360 degrees")
    if degrees % 90:
        raise ImageApiError(501, f"rotation {text!r}: only multiples of 90 degrees are offered")
    return bool(m[1]), int(degrees) % 360


def parse_quality_format(text: str, colour: bool | None) -> tuple[str, str]:
    """(quality, format); ``colour`` None: not known yet (the caller checks 'color' once it is)."""
    quality, dot, fmt = text.rpartition(".")
    if not dot or quality not in ("default", "color", "gray", "bitonal"):
        raise _bad(f"{text!r} is not quality.format (default, color, gray or bitonal; jpg or png)")
    if fmt not in FORMATS:
        if fmt in KNOWN_FORMATS:
            raise ImageApiError(501, f"format {fmt!r} is not offered (jpg, png)")
        raise _bad(f"format {fmt!r} is not a IIIF format")
    if quality == "color" and colour is False:
        raise _bad("quality 'color' does not apply to a page scanned in grey or black and white")
    return quality, fmt


def parse_request(region: str, size: str, rotation: str, quality_format: str, width: int, height: int,
                  colour: bool | None, limits: Limits) -> ImageRequest:
    """Check a request against an image of ``width`` x ``height`` pixels (``colour``: scanned in
    colour, None when not known yet); raise ``ImageApiError`` when it must be refused."""
    x, y, w, h = parse_region(region, width, height)
    out_w, out_h = parse_size(size, w, h, limits)
    mirror, degrees = parse_rotation(rotation)
    quality, fmt = parse_quality_format(quality_format, colour)
    return ImageRequest(x, y, w, h, out_w, out_h, mirror, degrees, quality, fmt)


def scale_factors(width: int, height: int, tile: int = TILE_SIZE) -> list[int]:
    """1, 2, 4, ... until the whole image fits one tile."""
    factors = [1]
    while max(width, height) / factors[-1] > tile:
        factors.append(factors[-1] * 2)
    return factors


def image_info(service_id: str, width: int, height: int, limits: Limits) -> dict:
    """The Image Information (``info.json``) of one image."""
    factors = scale_factors(width, height)
    sizes = []
    for f in reversed(factors):
        w, h = math.ceil(width / f), math.ceil(height / f)
        if w <= limits.max_width and h <= limits.max_height and w * h <= limits.max_area:
            sizes.append({"width": w, "height": h})
    return {
        "@context": IMAGE_CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": LEVEL,
        "width": width,
        "height": height,
        "maxWidth": limits.max_width,
        "maxHeight": limits.max_height,
        "maxArea": limits.max_area,
        "sizes": sizes,
        "tiles": [{"width": TILE_SIZE, "height": TILE_SIZE, "scaleFactors": factors}],
        "extraQualities": ["bitonal"],  # color (where it applies), gray and png come with level 2
        "extraFeatures": EXTRA_FEATURES,
    }
