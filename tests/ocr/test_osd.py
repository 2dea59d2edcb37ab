"""Orientation detection (OSD) is an optional capability of an OCR engine, asked by imaging only
through the engine interface."""

from PIL import Image

import pagegen
from digitalisering.imaging.stage import ImagingOptions, analyse_page
from digitalisering.ocr.engines import OrientationDetector, OrientationGuess, get_engine, orientation_detector
from digitalisering.ocr.model import PageText



class ReadsOnly:
    """An engine without orientation detection: a complete engine all the same."""
    name = "reads-only"

    def version(self) -> str:
        return "1"

    def require(self, lang: str) -> None:
        pass

    def recognise(self, image, lang, dpi, timeout=0) -> PageText:
        return PageText(lang=lang, blocks=[], engine=self.name, engine_version="1",
                        width=image.width, height=image.height, dpi=dpi)


class Says:
    """A detector with a fixed opinion that records what it was shown."""

    def __init__(self, guess: OrientationGuess | None):
        self.guess, self.seen = guess, []

    def detect_orientation(self, image: Image.Image, dpi: float, timeout: float = 60):
        self.seen.append((image.mode, image.size, dpi))
        return self.guess


def test_tesseract_detects_orientation_and_an_engine_without_it_offers_none():
    assert isinstance(get_engine("tesseract"), OrientationDetector)
    assert orientation_detector(get_engine("tesseract")) is not None
    assert orientation_detector(ReadsOnly()) is None


def test_tesseract_osd_sees_upside_down_text():
    page = pagegen.page_image(pagegen.DUTCH_LINES * 2, dpi=200)
    osd = orientation_detector(get_engine("tesseract"))
    upright = osd.detect_orientation(page, 200)
    turned = osd.detect_orientation(page.rotate(180), 200)
    assert upright is not None and upright.rotate == 0
    assert turned is not None and turned.rotate == 180 and turned.confidence > 2
    assert osd.detect_orientation(pagegen.page_image([], dpi=200), 200) is None  # no text: no opinion


def test_imaging_asks_the_engines_detector_when_the_page_leaves_up_and_down_in_doubt(monkeypatch):
    from digitalisering.imaging import orientation

    monkeypatch.setattr(orientation, "UNCERTAIN_SCORE", 1e9)  # every page's own cues count as weak
    page = pagegen.letter_page(dpi=200).rotate(180, expand=True)
    sure = Says(OrientationGuess(0, 9.0))
    _, res = analyse_page(page, 200, 8, ImagingOptions(osd=sure))
    assert len(sure.seen) == 1 and sure.seen[0][0] == "L" and sure.seen[0][2] > 0  # a grey crop, once
    assert res.orientation == 0 and res.orientation_method == "text+osd"  # the engine's clear opinion decides

    silent = Says(None)  # no opinion (too little text, timed out): the page's own cues decide
    _, res = analyse_page(page, 200, 8, ImagingOptions(osd=silent))
    assert len(silent.seen) == 1 and res.orientation_method == "text"


def test_a_clear_page_never_asks_the_detector():
    asked = Says(OrientationGuess(0, 9.0))
    _, res = analyse_page(pagegen.letter_page(dpi=200).rotate(180, expand=True), 200, 8, ImagingOptions(osd=asked))
    assert res.orientation == 180 and asked.seen == []


def test_a_weak_decision_of_the_pages_own_cues_gets_a_second_opinion(monkeypatch):
    from digitalisering.imaging import orientation
    from digitalisering.imaging.ink import find_ink, working_image

    monkeypatch.setattr(orientation, "ORIENTATION_REVIEW_BELOW", 1.01)  # every decision counts as weak
    ink = find_ink(working_image(pagegen.letter_page(dpi=200), 200))
    agrees = Says(OrientationGuess(0, 9.0))
    est = orientation.estimate_orientation(ink, osd=agrees)
    assert len(agrees.seen) == 1 and est.orientation == 0
    assert est.method == "text, osd agrees" and est.confidence == 1.0

    disagrees = Says(OrientationGuess(180, 9.0))  # the cues keep their answer, but a person looks
    est = orientation.estimate_orientation(ink, osd=disagrees)
    assert est.orientation == 0 and est.method == "text, osd disagrees" and est.confidence <= 0.1

    silent = Says(None)
    est = orientation.estimate_orientation(ink, osd=silent)
    assert len(silent.seen) == 1 and est.method == "text" and est.confidence < 1.01
