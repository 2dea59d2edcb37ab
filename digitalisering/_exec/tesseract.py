"""tesseract (through pytesseract): probe, language check, our models, the words of a page (TSV),
orientation (OSD).

Models: Debian's language packages (tesseract-ocr-nld, -fra, ...) carry tesseract's "fast" LSTM
models. Where ``scripts/setup.sh`` has installed the "best" ones (tessdata_best, integer-quantised,
from the npm packages ``@tesseract.js-data/<lang>``, see ``digitalisering/ocr/models/package.json``)
into ``MODEL_DIR`` (or ``$DIGITALISERING_TESSDATA``), a page whose languages all have one there is
read with them (``--tessdata-dir``); other languages and OSD use Debian's. On the real typewritten
French pages of ``bench/ocr_real.py`` (tuning half) the best model read more words than the fast
one (pooled recall 0.831 -> 0.843 on the flattened page). Dutch keeps Debian's model: the best
nld model read fewer words on the dev deliveries (``bench/ocr_pdfa.py``, 4 dev-folders dossiers:
word recall mean 0.892 -> 0.875), so we ship none.
"""

from __future__ import annotations

import functools
import os
import shlex
import tempfile
from pathlib import Path

import pytesseract
import pytesseract.pytesseract

from digitalisering import lifetime
from digitalisering.errors import InputFileError, MissingDependencyError, OcrTimeoutError

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-nld"
MODEL_DIR = Path(__file__).resolve().parents[1] / "ocr" / "models" / "tessdata"
"""Where scripts/setup.sh unpacks the best models (``<lang>.traineddata``)."""
MODEL_PACKAGES = {"fra": "@tesseract.js-data/fra"}
"""The npm package of each best model we ship (digitalisering/ocr/models/package.json)."""
MIN_VERSION = (4, 1)

_pytesseract_subprocess_args = pytesseract.pytesseract.subprocess_args


def _subprocess_args(include_stdout: bool = True) -> dict:
    """pytesseract's options for starting tesseract, plus: tesseract dies with the process that
    started it (a worker killed mid-page takes its tesseract along, see digitalisering.lifetime)."""
    kwargs = _pytesseract_subprocess_args(include_stdout)
    if lifetime.AVAILABLE:
        kwargs["preexec_fn"] = functools.partial(lifetime.die_with_parent, os.getpid())
    return kwargs


# every tesseract that pytesseract starts (OCR, OSD, the probes) gets these options
pytesseract.pytesseract.subprocess_args = _subprocess_args


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The installed tesseract version; raises MissingDependencyError when it is not installed."""
    try:
        v = pytesseract.get_tesseract_version()
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise MissingDependencyError("tesseract is not installed: {install_hint}", install_hint=INSTALL_HINT) from exc
    parts = tuple(int(p) for p in str(v).split(".")[:2] if p.isdigit())
    if parts < MIN_VERSION:
        raise MissingDependencyError("tesseract {v} is too old; need 4.1 or newer: {install_hint}", v=v, install_hint=INSTALL_HINT)
    return str(v)


@functools.lru_cache(maxsize=1)
def languages() -> frozenset[str]:
    version()
    return frozenset(pytesseract.get_languages(config=""))


def model_dir() -> Path:
    """The folder of our best models: ``$DIGITALISERING_TESSDATA`` when set, else ``MODEL_DIR``."""
    return Path(os.environ.get("DIGITALISERING_TESSDATA") or MODEL_DIR)


def best_model_dir(lang: str) -> Path | None:
    """The folder to read ``lang`` ('fra', 'nld+fra') from when every one of its languages has a
    best model there; None: tesseract's own (Debian's) models."""
    folder = model_dir()
    parts = [part for part in lang.split("+") if part]
    if parts and all((folder / f"{part}.traineddata").is_file() for part in parts):
        return folder
    return None


def missing_models(lang: str) -> list[str]:
    """The npm packages of the best models ``lang`` would use that are not installed (what
    scripts/setup.sh installs); languages we ship no best model for are not listed."""
    folder = model_dir()
    return [MODEL_PACKAGES[part] for part in lang.split("+")
            if part in MODEL_PACKAGES and not (folder / f"{part}.traineddata").is_file()]


def models_note(lang: str) -> str | None:
    """One line for the log when ``lang`` is read with Debian's fast models although we ship best
    ones for it (setup not run, or the folder removed); None when all is in place."""
    missing = missing_models(lang)
    if not missing:
        return None
    return (f"tesseract's best model(s) not installed ({', '.join(missing)} from npm; scripts/setup.sh "
            f"puts them in {model_dir()}): reading {lang} with Debian's fast models")


def debian_package(lang: str) -> str:
    return "tesseract-ocr-" + lang.lower().replace("_", "-")


def require(lang: str) -> None:
    """Check that tesseract and every language of ``lang`` ('nld', 'nld+eng') are installed."""
    wanted = [part for part in lang.split("+") if part]
    if not wanted:
        raise MissingDependencyError("no OCR language given (--lang nld)")
    if best_model_dir(lang) is not None:
        return
    have = languages()
    missing = [part for part in wanted if part not in have]
    if missing:
        packages = " ".join(debian_package(m) for m in missing)
        raise MissingDependencyError(
            "tesseract language pack(s) {items} not installed: apt-get install {packages}", items=', '.join(missing), packages=packages
        )


READ_VARIABLES: dict[str, str] = {}
"""tesseract variables set for every reading by either engine (the program's ``-c``, the library's
``SetVariable``); ``bench/engine_vars.py`` measures one. None is set: ``tessedit_do_invert=0``
(tesseract 5 reads a line whose mean confidence is below 0.7 once more inverted and keeps the
better) saved 2.3 % of the page chain's CPU on the 127 held-out pages of dev-stack and dev-planted
but changed the words of 57 of them, and recall with them: typed 0.976 -> 0.975, drawing labels
0.981 -> 0.974 (one word of 154), every other kind the same. Our pages have no white-on-black
type; the inverted look still wins on smudged and boxed letters."""


def recognise(image_path: Path, lang: str, dpi: float, timeout: float = 0, psm: int | None = None) -> str:
    """OCR one page image file: tesseract's TSV output (words with boxes, confidences, layout numbers).
    ``psm``: tesseract's page segmentation mode (None: its default, a full page; 11: sparse text)."""
    config = f"--dpi {int(round(dpi))} -c tessedit_create_tsv=1" + (f" --psm {psm}" if psm is not None else "")
    config += "".join(f" -c {name}={shlex.quote(value)}" for name, value in READ_VARIABLES.items())
    models = best_model_dir(lang)
    if models is not None:
        config = f"--tessdata-dir {shlex.quote(str(models))} " + config
    with tempfile.TemporaryDirectory(prefix="digitalisering-ocr-") as tmp:
        base = os.path.join(tmp, "page")
        try:
            pytesseract.pytesseract.run_tesseract(
                str(image_path), base, extension="tsv", lang=lang, config=config, timeout=timeout
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise MissingDependencyError("tesseract is not installed: {install_hint}", install_hint=INSTALL_HINT) from exc
        except pytesseract.TesseractError as exc:  # before RuntimeError, its base class
            lines = str(exc.message).strip().splitlines()
            raise InputFileError("tesseract failed: {value}", value=lines[-1] if lines else 'unknown error') from exc
        except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
            raise OcrTimeoutError("OCR took longer than {timeout:g} s and was stopped", timeout=timeout) from exc
        with open(base + ".tsv", encoding="utf-8") as fh:
            return fh.read()


def detect_orientation(image_path: Path, dpi: float, timeout: float = 60) -> tuple[int, float] | None:
    """tesseract's orientation and script detection (OSD) on an image file.

    Returns (clockwise degrees that make the page upright, confidence); None when tesseract finds
    too little text to say or takes longer than ``timeout``.
    """
    try:
        out = pytesseract.image_to_osd(
            str(image_path), config=f"--psm 0 --dpi {int(round(dpi))}", timeout=timeout,
            output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependencyError("tesseract is not installed: {install_hint}", install_hint=INSTALL_HINT) from exc
    except (pytesseract.TesseractError, RuntimeError):
        return None  # too few characters, or took too long: no opinion
    return int(out.get("rotate", 0)) % 360, float(out.get("orientation_conf", 0.0))
