"""Options of a run, passed to every worker (plain data, picklable)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

from digitalisering.imaging.load import DEFAULT_MAX_PIXELS
from digitalisering.pdfa.images import DEFAULT_JPEG_QUALITY


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True)
class RunOptions:
    lang: str = "nld"
    ocr_engine: str = "tesseract"
    """Name of the OCR engine (``digitalisering.ocr.engines.ENGINES``)."""
    jobs: int = 0
    """Worker processes; 0 = one per core."""
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    max_pixels: int = DEFAULT_MAX_PIXELS
    ocr_timeout: float = 600.0
    progress: bool = True
    keep_blank: bool = False
    """Keep blank pages in the PDFs (they are always kept in the record and the counts)."""
    use_osd: bool = True
    """Ask the OCR engine's orientation detection when a page's own cues leave up and down in doubt
    (engines without it: the cues alone decide)."""
    deskew_min_deg: float = 0.05
    pdfa: str = "2b"
    """PDF/A flavour of the outputs: '2b' (default) or '1b'."""
    gazetteer: str | None = None
    """CSV of historic street-name variants for address matching (namevariant,<street key>)."""
    dossier_pdf: bool = False
    """Also write one PDF per dossier, with a bookmark per document."""
    lossless: bool = False
    """Grey and colour pages losslessly (Flate) instead of JPEG."""
    ocr_max_megapixels: float = 40.0
    """Pages larger than this are OCRed at a reduced resolution (drawings must not stall the run)."""
    exclusions: str | None = None
    """The municipality's exclusion list (CSV bag_id;reden;einddatum): access proposals only."""
    scheduler: str | None = None
    """Address of a Dask distributed scheduler (tcp://host:8786); None: a local process pool."""
    crop: bool = False
    """Show each PDF page cropped to its sheet (a CropBox; the scan stays whole in the file)."""

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else default_jobs()

    def output_affecting(self) -> dict:
        """The options that change the content of outputs (part of every output's fingerprint)."""
        data = asdict(self)
        for key in ("jobs", "progress", "ocr_timeout", "scheduler", "exclusions"):
            data.pop(key)
        if not self.crop:
            data.pop("crop")  # outputs written before the option existed stay up to date
        return data
