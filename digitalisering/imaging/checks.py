"""Technical image checks stored for QA: size, resolution (Metamorfoze), bit depth, colour mode.

The stated resolution is checked against what the image shows: a page whose stated resolution
would make it smaller than A7 or larger than 2A0 is measured against the common scanner
resolutions instead, and the one that gives a standard paper size is used (and said).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

A_SERIES_MM = {f"A{i}": (841 / 2 ** (i / 2), 1189 / 2 ** (i / 2)) for i in range(0, 9)}
A0_AREA_MM2 = 841 * 1189
COMMON_DPI = (300, 400, 200, 600, 150, 240)
"""Common scanner resolutions, most likely first (an A4 at 300 ppi has the pixels of an A2 at 150)."""
PLAUSIBLE_AREA_MM2 = (A0_AREA_MM2 / 2 ** 7, A0_AREA_MM2 * 2)  # A7 .. 2A0
ASSUMED_DPI = 300.0
"""Used when neither the file nor the page size tells the resolution (and said in the notes)."""
SOFTWARE_DEFAULT_DPI = (72.0, 96.0)
"""Values that image software writes when it does not know the resolution: not evidence."""

PASS, WARN, FAIL = "pass", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str


@dataclass
class TechnicalChecks:
    width_px: int
    height_px: int
    dpi: float
    """resolution used for the page (stated, or inferred; see checks)."""
    dpi_source: str
    """'stated', 'inferred' or 'assumed'."""
    width_mm: float
    height_mm: float
    size_class: str
    """A0 ... A8 by area; '>A0' above."""
    colour_mode: str
    """'bitonal', 'grey' or 'colour'."""
    bits_per_sample: int
    required_dpi: int
    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.checks}
        return FAIL if FAIL in statuses else WARN if WARN in statuses else PASS

    def to_json(self) -> dict:
        data = asdict(self)
        data["status"] = self.status
        return data


def size_class(width_mm: float, height_mm: float) -> str:
    area = max(1e-6, width_mm * height_mm)
    k = round(math.log2(A0_AREA_MM2 / area))
    if k < 0:
        return ">A0"
    return f"A{min(k, 8)}"


def metamorfoze_required_dpi(cls: str) -> int:
    """At least 300 ppi for A5-A2, 150 ppi above A2, 600 ppi below A5."""
    if cls in (">A0", "A0", "A1"):
        return 150
    if cls in ("A2", "A3", "A4", "A5"):
        return 300
    return 600


def _nearest_standard(width_mm: float, height_mm: float) -> tuple[str, float]:
    short, long_ = sorted((width_mm, height_mm))
    best, err = "", math.inf
    for name, (s, l) in A_SERIES_MM.items():
        e = max(abs(short / s - 1), abs(long_ / l - 1))
        if e < err:
            best, err = name, e
    return best, err


def snap_dpi(value: float) -> float:
    """PNG stores pixels per metre (150 ppi comes back as 150.01): snap to whole ppi when that close."""
    return float(round(value)) if abs(value - round(value)) < 0.1 else round(value, 2)


def infer_dpi(width_px: int, height_px: int, stated: float | None) -> tuple[float, str, str | None]:
    """(dpi to use, source, note). Keeps a plausible stated value; otherwise picks the common
    scanner resolution that makes the page a standard paper size (within 12 %)."""
    # a PDF page's size can overflow (a MediaBox of 400 digits: infinite, or NaN): no statement
    if stated and math.isfinite(stated) and stated > 0:
        stated = snap_dpi(stated)
    else:
        stated = None
    if stated:  # (a PDF page claiming to be metres wide states under 0.1 ppi, which snaps to 0)
        area = (width_px / stated * 25.4) * (height_px / stated * 25.4)
        if PLAUSIBLE_AREA_MM2[0] <= area <= PLAUSIBLE_AREA_MM2[1] and stated not in SOFTWARE_DEFAULT_DPI:
            return stated, "stated", None
    candidates = []
    for rank, dpi in enumerate(COMMON_DPI):
        name, err = _nearest_standard(width_px / dpi * 25.4, height_px / dpi * 25.4)
        candidates.append((round(err / 0.03), rank, err, dpi, name))
    _, _, err, dpi, name = min(candidates)
    if err <= 0.12:
        if not stated:
            was = "no resolution stated"
        elif stated in SOFTWARE_DEFAULT_DPI:
            was = f"stated {stated:g} ppi is a software default, not a scanner setting"
        else:
            was = f"stated {stated:g} ppi gives an implausible page size"
        return float(dpi), "inferred", f"{was}; {dpi} ppi makes it {name}, so {dpi} ppi is used"
    fallback = stated or ASSUMED_DPI
    return float(fallback), "assumed", f"resolution unknown; assumed {fallback:g} ppi"


def technical_checks(width_px: int, height_px: int, stated_dpi: float | None, mode: str,
                     bits_per_sample: int, effectively_grey: bool = False) -> TechnicalChecks:
    dpi, source, note = infer_dpi(width_px, height_px, stated_dpi)
    w_mm, h_mm = width_px / dpi * 25.4, height_px / dpi * 25.4
    cls = size_class(w_mm, h_mm)
    required = metamorfoze_required_dpi(cls)
    colour = {"1": "bitonal", "L": "grey"}.get(mode, "colour")
    result = TechnicalChecks(width_px, height_px, round(dpi, 2), source, round(w_mm, 1), round(h_mm, 1), cls,
                             colour, bits_per_sample, required)
    if source == "stated":
        result.checks.append(Check("stated_resolution", PASS, f"{dpi:g} ppi stated, consistent with a {cls} page"))
    elif source == "inferred":
        result.checks.append(Check("stated_resolution", WARN, note or ""))
    else:
        result.checks.append(Check("stated_resolution", FAIL, note or ""))
    if dpi >= required:
        status, msg = PASS, f"{dpi:g} ppi >= {required} ppi required for {cls}"
    elif dpi >= 0.95 * required:
        status, msg = WARN, f"{dpi:g} ppi is just below the {required} ppi required for {cls}"
    else:
        status, msg = FAIL, f"{dpi:g} ppi < {required} ppi required for {cls} (Metamorfoze)"
    result.checks.append(Check("resolution", status, msg))
    if colour == "bitonal":
        result.checks.append(Check("colour_mode", WARN, "bitonal (1 bit): fine for typed text, loses pencil, "
                                                         "stamps and faint writing"))
    elif colour == "colour" and effectively_grey:
        result.checks.append(Check("colour_mode", PASS, "colour scan of a page without colour"))
    else:
        result.checks.append(Check("colour_mode", PASS, f"{colour}, {bits_per_sample} bits per sample"))
    if bits_per_sample > 8:
        result.checks.append(Check("bit_depth", WARN, f"{bits_per_sample} bits per sample reduced to 8"))
    return result
