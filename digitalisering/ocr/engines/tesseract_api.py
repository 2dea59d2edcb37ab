"""tesseract read in this process through its library (``tesserocr``), the CLI engine's twin.

``engines.tesseract`` starts the ``tesseract`` program for every reading: each start loads the
language model again (the first reading, the second reading, the stamps and the grid cells are
up to four starts a page). ``tesserocr``, built from source against Debian's ``libtesseract-dev``,
is the same library as the program (same version, same models, same TSV): one engine object per
process and language keeps the model loaded. Measured on dev-stack, dev-planted and real
typewritten pages (``bench/ocr_engine.py``): the same TSV for every page and page segmentation
mode, 25-30 % less CPU per reading.

It is used only when ``tesserocr`` is installed and reports the same tesseract version as the
program (``available``); otherwise the registry falls back to the CLI engine, so the words never
depend on which of the two read them. Orientation detection (a few calls a run) stays with the
CLI engine this one inherits from.
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
from digitalisering.ocr.engines.tesseract import BLOCK_PSM, SPARSE_PSM, TesseractEngine, parse_tsv
from digitalisering.ocr.model import PageText, group_words

log = logging.getLogger(__name__)

AUTO_PSM = 3
"""The program's default page segmentation mode (a full page with layout analysis)."""


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
    ``tesseract.best_model_dir`` says so (as the CLI's ``--tessdata-dir``)."""
    import tesserocr

    models = tesseract.best_model_dir(lang)
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
        _set_pixels(api, image)
        api.SetSourceResolution(int(round(dpi)))
        api.SetVariable("user_defined_dpi", str(int(round(dpi))))  # as the program's --dpi
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


def _set_pixels(api, image: Image.Image) -> None:
    """Hand tesseract the pixels of ``image`` as they are (mode ``L`` or ``1``).

    ``tesserocr``'s ``SetImage`` saves the image in its own file format first (``image.format``,
    BMP when it has none): a page opened from a JPEG that reached the engine unchanged (a grey
    scan with no skew to take out, light paper, nothing cleaned away) was encoded as JPEG again,
    at quality 75, before it was read; the program (``engines.tesseract``) reads it losslessly.
    A faint typewritten page of ``bench/ocr_degrade.py`` (``faint``, 400 ppi, 50 words) gave 67
    words as its pixels and none after that second JPEG. The raw bytes also spare an encoding
    and a decoding per reading. A bitonal row is packed with 1 as white, as PIL packs it."""
    data = image.tobytes()
    if image.mode == "1":
        api.SetImageBytes(data, image.width, image.height, 0, (image.width + 7) // 8)
    else:
        api.SetImageBytes(data, image.width, image.height, 1, image.width)


def _milliseconds(timeout: float) -> int:
    """``timeout`` (seconds, not 0) as the library's limit in whole milliseconds, at least one: the
    library takes 0 for "no limit", so a limit under a millisecond (or below zero) rounded to 0 read
    on without one, where the program's limit stops it (its process is waited for that long)."""
    return max(1, math.ceil(timeout * 1000))


TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
"""The header line the program writes above the library's TSV rows."""


def _with_header(tsv: str) -> str:
    return tsv if tsv.startswith("level\t") else TSV_HEADER + tsv
