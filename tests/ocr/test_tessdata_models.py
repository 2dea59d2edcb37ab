"""Our best tesseract models: where the wrapper finds them, what it says when one is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pagegen
from digitalisering._exec import tesseract
from digitalisering.errors import InputFileError
from digitalisering.ocr.engine import ocr_page, plan_ocr
from digitalisering.ocr.engines import get_engine

REPO = Path(__file__).resolve().parents[2]


def test_without_our_models_debian_models_are_used_and_the_missing_package_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITALISERING_TESSDATA", str(tmp_path))
    assert tesseract.best_model_dir("nld") is None
    assert tesseract.missing_models("fra+eng") == ["@tesseract.js-data/fra"]  # no best eng shipped
    assert tesseract.missing_models("nld") == [] and tesseract.models_note("nld") is None  # Debian's is ours
    note = tesseract.models_note("nld+fra")
    assert note is not None and "@tesseract.js-data/fra" in note
    assert "scripts/setup.sh" in note
    tesseract.require("nld")  # Debian's model is there
    page = pagegen.page_image(pagegen.DUTCH_LINES, dpi=200)
    text = ocr_page(get_engine("tesseract"), page, "nld", 200, plan_ocr(page.width, page.height, 200, 40))
    assert "Leiden" in text.text


def test_a_language_with_a_model_in_our_folder_is_read_from_there(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITALISERING_TESSDATA", str(tmp_path))
    (tmp_path / "nld.traineddata").write_bytes(b"not a model")
    assert tesseract.best_model_dir("nld") == tmp_path
    assert tesseract.best_model_dir("nld+eng") is None  # eng is not there: all from Debian's
    page = tmp_path / "page.png"
    pagegen.save(pagegen.page_image(pagegen.DUTCH_LINES, dpi=150), page)
    with pytest.raises(InputFileError, match="tesseract failed"):  # it did read our (broken) file
        tesseract.recognise(page, "nld", 150)
    assert "Leiden" in tesseract.recognise(page, "nld+eng", 150)  # Debian's models


def test_every_shipped_model_is_an_npm_dependency_that_setup_installs():
    package = json.loads((REPO / "digitalisering/ocr/models/package.json").read_text())
    assert set(package["dependencies"]) == set(tesseract.MODEL_PACKAGES.values())
    lock = json.loads((REPO / "digitalisering/ocr/models/package-lock.json").read_text())
    assert {f"node_modules/{p}" for p in tesseract.MODEL_PACKAGES.values()} <= set(lock["packages"])
    setup = (REPO / "scripts/setup.sh").read_text()
    assert "digitalisering/ocr/models" in setup and "4.0.0_best_int" in setup
    assert tesseract.MODEL_DIR == REPO / "digitalisering/ocr/models/tessdata"
