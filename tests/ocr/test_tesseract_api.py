"""tesseract in this process (tesserocr) reads exactly what the tesseract program reads."""

from __future__ import annotations

import pytest
from PIL import Image

import pagegen
from digitalisering.errors import OcrTimeoutError
from digitalisering.ocr.engines import get_engine, tesseract_api
from digitalisering.ocr.engines.tesseract import TesseractEngine

pytest.importorskip("tesserocr")

LINES = pagegen.DUTCH_LINES + ["GEZIEN 23 NOV 1937", "Bouwkosten f 4.250,-   Architect: J. de Vries"]


def words(text):
    return [(w.text, w.left, w.top, w.width, w.height, w.conf) for w in text.words]


@pytest.mark.parametrize("mode", ["L", "1"])
def test_the_library_gives_the_programs_words_in_every_reading_mode(mode):
    assert tesseract_api.available()
    page = pagegen.page_image(LINES, dpi=200, mode=mode)
    program, library = TesseractEngine(), tesseract_api.TesseractApiEngine()
    for kwargs in ({}, {"sparse": True}, {"block": True}):
        a = program.recognise(page, "nld", 200, **kwargs)
        b = library.recognise(page, "nld", 200, **kwargs)
        assert words(a) and words(a) == words(b)
        assert [len(blk.lines) for blk in a.blocks] == [len(blk.lines) for blk in b.blocks]
        assert (b.engine, b.engine_version) == (a.engine, a.engine_version)


def test_one_loaded_model_reads_page_after_page_as_fresh():
    library = tesseract_api.TesseractApiEngine()
    first = pagegen.page_image(LINES, dpi=200)
    other = pagegen.page_image(list(reversed(LINES)), dpi=300)
    alone = words(TesseractEngine().recognise(first, "nld", 200))
    library.recognise(other, "nld", 300, sparse=True)  # what was read before leaves no trace
    assert words(library.recognise(first, "nld", 200)) == alone


def test_the_registry_uses_the_library_and_falls_back_to_the_program(monkeypatch):
    assert isinstance(get_engine("tesseract"), tesseract_api.TesseractApiEngine)
    monkeypatch.setattr(tesseract_api, "available", lambda: False)
    engine = get_engine("tesseract")
    assert type(engine) is TesseractEngine and engine.name == "tesseract"


def test_a_reading_over_its_time_limit_stops_with_a_timeout():
    page = pagegen.page_image(LINES * 6, dpi=400, size_mm=(420, 594))
    with pytest.raises(OcrTimeoutError):
        tesseract_api.TesseractApiEngine().recognise(page, "nld", 400, timeout=0.05)


@pytest.mark.parametrize("timeout", [0.0004, 1e-9, -1.0])
@pytest.mark.parametrize("engine", [TesseractEngine, tesseract_api.TesseractApiEngine])
def test_a_limit_under_a_millisecond_is_still_a_limit(engine, timeout):
    """0 means no limit; any other time limit stops the reading, in the library as in the program
    (the library counts whole milliseconds: 0.4 ms was rounded to 0 and read on without a limit)."""
    page = pagegen.page_image(LINES, dpi=200)
    with pytest.raises(OcrTimeoutError):
        engine().recognise(page, "nld", 200, timeout=timeout)
    assert engine().recognise(page, "nld", 200, timeout=0).words


def test_a_broken_model_in_our_folder_fails_as_the_program_does(tmp_path, monkeypatch):
    from digitalisering.errors import InputFileError

    monkeypatch.setenv("DIGITALISERING_TESSDATA", str(tmp_path))
    (tmp_path / "nld.traineddata").write_bytes(b"not a model")
    page = pagegen.page_image(LINES, dpi=150)
    with pytest.raises(InputFileError, match="tesseract failed"):
        tesseract_api.TesseractApiEngine().recognise(page, "nld", 150)
    assert "Leiden" in tesseract_api.TesseractApiEngine().recognise(page, "nld+eng", 150).text


def test_threads_reading_at_once_each_have_their_own_engine():
    # a Dask worker with several threads reads pages at once: one tesseract object shared by
    # them would read two images at the same time
    import threading

    seen = {}
    both = threading.Barrier(2)

    def grab(name):
        seen[name] = tesseract_api._api("nld")
        both.wait()  # both alive at once

    threads = [threading.Thread(target=grab, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["a"] is not seen["b"]
    page = pagegen.page_image(LINES, dpi=150)
    alone = words(TesseractEngine().recognise(page, "nld", 150))
    results = []
    readers = [threading.Thread(target=lambda: results.append(words(
        tesseract_api.TesseractApiEngine().recognise(page, "nld", 150)))) for _ in range(2)]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    assert results == [alone, alone]


@pytest.mark.parametrize("mode", ["L", "1"])
def test_a_page_opened_from_a_file_is_read_as_its_pixels_not_encoded_again(tmp_path, mode):
    # tesserocr's SetImage saved a page opened from a JPEG as JPEG again (quality 75) before
    # reading it: the library read other pixels than the program did
    page = pagegen.page_image(LINES, dpi=200, mode=mode)
    path = tmp_path / ("page.jpg" if mode == "L" else "page.tif")
    page.save(path)
    opened = Image.open(path)
    assert opened.format in ("JPEG", "TIFF")
    program, library = TesseractEngine(), tesseract_api.TesseractApiEngine()
    a = program.recognise(opened, "nld", 200)
    b = library.recognise(opened, "nld", 200)
    assert words(a) and words(a) == words(b)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_orientation_detection_in_the_process_answers_as_the_program(turn):
    # imaging's decision and its review list hang on OSD's confidence: the library must give the
    # program's rotation and confidence to the hundredth, not only the same rotation
    page = pagegen.page_image(pagegen.DUTCH_LINES * 2, dpi=200).rotate(turn, expand=True, fillcolor=255)
    program, library = TesseractEngine(), tesseract_api.TesseractApiEngine()
    said = program.detect_orientation(page, 200)
    assert said is not None and said.rotate == turn  # PIL turns counter-clockwise
    assert library.detect_orientation(page, 200) == said
    assert library.detect_orientation(page.convert("1"), 200) == program.detect_orientation(page.convert("1"), 200)
    blank = pagegen.page_image([], dpi=200)
    assert library.detect_orientation(blank, 200) is None and program.detect_orientation(blank, 200) is None
    # a detection in between leaves the reading engine as it was
    assert words(library.recognise(page.rotate(-turn, expand=True, fillcolor=255), "nld", 200)) == \
        words(program.recognise(page.rotate(-turn, expand=True, fillcolor=255), "nld", 200))


def test_a_variable_of_every_reading_reaches_both_engines(monkeypatch):
    from digitalisering._exec import tesseract

    seen = []
    real = tesseract.pytesseract.pytesseract.run_tesseract
    monkeypatch.setattr(tesseract.pytesseract.pytesseract, "run_tesseract",
                        lambda *a, **k: (seen.append(k["config"]), real(*a, **k))[1])
    # a white-on-black line: tesseract reads it only with its inverted second look
    negative = Image.eval(pagegen.page_image(["Gemeente Leiden Bouwtoezicht"], dpi=200), lambda v: 255 - v)
    program, library = TesseractEngine(), tesseract_api.TesseractApiEngine()
    shipped = words(library.recognise(negative, "nld", 200))
    assert shipped == words(program.recognise(negative, "nld", 200)) and "tessedit_do_invert" not in seen[-1]
    monkeypatch.setitem(tesseract.READ_VARIABLES, "tessedit_do_invert", "0")
    try:
        without = words(program.recognise(negative, "nld", 200))
        assert "-c tessedit_do_invert=0" in seen[-1] and without != shipped
        assert words(library.recognise(negative, "nld", 200)) == without
    finally:  # the process's engine keeps a variable once set: as shipped for the tests after this one
        tesseract_api._api("nld").SetVariable("tessedit_do_invert", "1")


def test_without_the_orientation_model_there_is_no_opinion_as_with_the_program(monkeypatch):
    page = pagegen.page_image(pagegen.DUTCH_LINES * 2, dpi=200)
    monkeypatch.setattr(tesseract_api, "OSD_LANG", "osd-not-installed")
    assert tesseract_api.TesseractApiEngine().detect_orientation(page, 200) is None
