"""tesseract read in this process through its library (``tesserocr``), the CLI engine's twin.

``engines.tesseract`` starts the ``tesseract`` program for every reading: each start loads the
language model again (the first reading, the second reading, the stamps and the grid cells are
up to four starts a page). ``tesserocr``, built from source against Debian's ``libtesseract-dev``,
is the same library as the program (same version, same models, same TSV): one engine object per
process and language keeps the model loaded. Measured on dev-stack, dev-planted and real
typewritten pages (``bench/ocr_engine.py``): the same TSV for every page and page segmentation
mode, 25-30 % less CPU per reading.

Orientation detection (OSD, ``--psm 0``) runs here too, on an engine of its own holding tesseract's
``osd`` model: a program start cost about 0.3 CPU s of each detection (12 of the 44 pages of
``bench/ocr_pdfa.py`` ask for one). ``bench/ocr_engine.py --osd``: the same rotation and confidence
as the program on every crop imaging asks about, at a fraction of its CPU.

It is used only when ``tesserocr`` is installed and reports the same tesseract version as the
program (``available``); otherwise the registry falls back to the CLI engine, so the words never
depend on which of the two read them.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import threading
import time

from PIL import Image

from digitalisering._exec import tesseract
from digitalisering.errors import InputFileError, OcrTimeoutError
from digitalisering.ocr.engines import OrientationGuess
from digitalisering.ocr.engines.tesseract import BLOCK_PSM, SPARSE_PSM, TesseractEngine, parse_tsv
from digitalisering.ocr.model import PageText, group_words

log = logging.getLogger(__name__)

AUTO_PSM = 3
"""The program's default page segmentation mode (a full page with layout analysis)."""
OSD_PSM = 0
"""Orientation and script detection only (the program's ``--psm 0``)."""
OSD_LANG = "osd"


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Whether ``tesserocr`` is installed and wraps the same tesseract version as the program."""
    try:
        import tesserocr
    except ImportError:
        return False
    try:
        lib = tesserocr.tesseract_version().split()[1]
        program = tesseract.version()
    except Exception:  # a broken build, no program: the CLI engine says what is missing
        return False
    if lib != program:
        log.info("tesserocr wraps tesseract %s, the program is %s: reading with the program", lib, program)
        return False
    return True


_THREAD = threading.local()
"""Each thread's engines (``apis``: (pid, lang, models) -> engine): a Dask worker started without
``--nthreads 1`` reads pages in threads, and one tesseract object reading two images at once
crashes the process; a thread's engines go with it."""


def _api(lang: str):
    """The process's engine for ``lang`` (its model loaded once), from our best models' folder when
    ``tesseract.best_model_dir`` says so (as the CLI's ``--tessdata-dir``); ``OSD_LANG``: the
    orientation model, always tesseract's own (as the program's ``-l osd``)."""
    import tesserocr

    models = tesseract.best_model_dir(lang) if lang != OSD_LANG else None
    key = (os.getpid(), lang, str(models or ""))  # a forked worker makes its own
    apis = _THREAD.__dict__.setdefault("apis", {})
    api = apis.get(key)
    if api is None:
        kwargs = {"path": str(models) + os.sep} if models is not None else {}
        try:
            api = tesserocr.PyTessBaseAPI(lang=lang, **kwargs)
        except RuntimeError as exc:  # a broken or missing model: as the program says it
            raise InputFileError("tesseract failed: {value}", value=str(exc)) from exc
        apis[key] = api
    return api


class TesseractApiEngine(TesseractEngine):
    name = "tesseract"

    def recognise(self, image: Image.Image, lang: str, dpi: float, timeout: float = 0,
                  sparse: bool = False, block: bool = False) -> PageText:
        if image.mode not in ("1", "L"):
            image = image.convert("L")
        api = _api(lang)
        api.SetPageSegMode(SPARSE_PSM if sparse else BLOCK_PSM if block else AUTO_PSM)
        _set_image(api, image)
        api.SetSourceResolution(int(round(dpi)))
        api.SetVariable("user_defined_dpi", str(int(round(dpi))))  # as the program's --dpi
        for name, value in tesseract.READ_VARIABLES.items():  # as the program's -c
            api.SetVariable(name, value)
        started = time.monotonic()
        try:
            done = api.Recognize(timeout=_milliseconds(timeout)) if timeout else api.Recognize()
            if not done:
                if timeout and time.monotonic() - started >= 0.9 * timeout:
                    raise OcrTimeoutError("OCR took longer than {timeout:g} s and was stopped", timeout=timeout)
                raise InputFileError("tesseract failed: {value}", value="no result")
            tsv = api.GetTSVText(0)
        finally:
            api.Clear()
        return PageText(lang=lang, blocks=group_words(parse_tsv(_with_header(tsv))), engine=self.name,
                        engine_version=tesseract.version(), width=image.width, height=image.height, dpi=dpi)

    def detect_orientation(self, image: Image.Image, dpi: float, timeout: float = 60) -> OrientationGuess | None:
        """As the program's ``--psm 0`` (``engines.tesseract``): the clockwise turn that makes the
        text upright and the confidence, rounded as the program prints it; None when tesseract
        finds too little text to say or its model is missing. No time limit: the library's
        detection has none, and it reads only the crop of text imaging gives it (well under a
        second: 44 crops in 4.7 CPU s, ``bench/ocr_engine.py --osd``)."""
        if image.mode not in ("1", "L"):
            image = image.convert("L")
        try:
            api = _api(OSD_LANG)
        except InputFileError:  # no orientation model: no opinion (the program fails and says none)
            return None
        api.SetPageSegMode(OSD_PSM)
        _set_image(api, image)
        api.SetSourceResolution(int(round(dpi)))
        api.SetVariable("user_defined_dpi", str(int(round(dpi))))
        try:
            found = api.DetectOrientationScript()
        finally:
            api.Clear()
        if not found:
            return None
        # the library says how far the image is turned; the program prints the turn back (Rotate:)
        return OrientationGuess((360 - int(found["orient_deg"])) % 360, round(float(found["orient_conf"]), 2))


def _set_image(api, image: Image.Image) -> None:
    """Give ``image`` (mode "1" or "L") to the engine as its raw pixels, as the program gets them
    from our PNM file. ``tesserocr``'s ``SetImage`` saves the image in its own file format first
    (``image.format``, BMP when it has none): a page opened from a JPEG that reached the engine
    unchanged was encoded as JPEG again, at quality 75, before it was read (a faint typewritten
    page of ``bench/ocr_degrade.py``, ``faint``: 67 words as its pixels, none after that second
    JPEG), and the BMP carries a resolution of its own, so orientation detection gave other
    confidences than the program (3.11 for 2.87 on a crop; ``bench/ocr_engine.py --osd``). A
    bitonal row is packed with 1 as white, as PIL packs it."""
    if image.mode == "1":  # packed rows, first pixel in the high bit, 1 = white (as PIL keeps them)
        api.SetImageBytes(image.tobytes(), image.width, image.height, 0, (image.width + 7) // 8)
    else:
        api.SetImageBytes(image.tobytes(), image.width, image.height, 1, image.width)


def _milliseconds(timeout: float) -> int:
    """``timeout`` (seconds, not 0) as the library's limit in whole milliseconds, at least one: the
    library takes 0 for "no limit", so a limit under a millisecond (or below zero) rounded to 0 read
    on without one, where the program's limit stops it (its process is waited for that long)."""
    return max(1, math.ceil(timeout * 1000))


TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
"""The header line the program writes above the library's TSV rows."""


def _with_header(tsv: str) -> str:
    return tsv if tsv.startswith("level\t") else TSV_HEADER + tsv
