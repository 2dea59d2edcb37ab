from pathlib import Path

import pikepdf
import pytest

import pagegen
from digitalisering.errors import InputFileError
from digitalisering.ingest.formats import inspect_file, sniff


def test_sniff_by_content_not_extension():
    assert sniff(b"II*\x00rest") == "TIFF"
    assert sniff(b"\xff\xd8\xff\xe0") == "JPEG"
    assert sniff(b"\x89PNG\r\n\x1a\n") == "PNG"
    assert sniff(b"%PDF-1.7") == "PDF"
    assert sniff(b"GIF89a") is None


def test_page_counts(tmp_path: Path):
    pages = [pagegen.page_image(["een"]), pagegen.page_image(["twee"]), pagegen.page_image(["drie"])]
    tif = pagegen.save_multipage_tiff(pages, tmp_path / "m.tif")
    pdf = pagegen.image_pdf(pages[:2], tmp_path / "m.pdf")
    png = pagegen.save(pages[0], tmp_path / "p.png")
    assert (inspect_file(tif).format, inspect_file(tif).page_count) == ("TIFF", 3)
    assert (inspect_file(pdf).format, inspect_file(pdf).page_count) == ("PDF", 2)
    assert (inspect_file(png).format, inspect_file(png).page_count) == ("PNG", 1)


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (b"hello, this is text", "not a TIFF, JPEG, PNG or PDF file \\(content looks like text\\)"),
    (b"PK\x03\x04zipzipzip", "ZIP archive"),
    (b"II*\x00\x08\x00\x00\x00garbage", "damaged TIFF"),
])
def test_bad_files_get_one_line_reasons(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "page.tif"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as info:
        inspect_file(path)
    assert "\n" not in str(info.value)


def test_encrypted_pdf_is_refused(tmp_path: Path):
    src = pagegen.image_pdf([pagegen.page_image(["geheim"])], tmp_path / "plain.pdf")
    with pikepdf.open(src) as pdf:
        pdf.save(tmp_path / "enc.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(InputFileError, match="encrypted"):
        inspect_file(tmp_path / "enc.pdf")


def test_pdf_with_javascript_is_refused(tmp_path: Path):
    src = pagegen.image_pdf([pagegen.page_image(["script"])], tmp_path / "plain.pdf")
    with pikepdf.open(src) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        pdf.save(tmp_path / "js.pdf")
    with pytest.raises(InputFileError, match="JavaScript"):
        inspect_file(tmp_path / "js.pdf")


@pytest.mark.parametrize("cut, dutch", [
    (8, "beschadigd TIFF-bestand: de kop van de afbeelding wordt niet herkend"),
    (None, "kan PNG-pagina 1 niet decoderen: het bestand is afgebroken (onvolledig)"),
])
def test_a_damaged_scan_is_explained_in_the_readers_language(tmp_path: Path, monkeypatch, cut, dutch):
    """The libraries speak English; a Dutch line once ended in "cannot identify image file <...>"."""
    from PIL import Image

    monkeypatch.setenv("DIGITALISERING_LANG", "nl")
    path = tmp_path / ("a.tif" if cut else "a.png")
    Image.effect_noise((400, 300), 60).save(path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut else data[: len(data) // 2])
    with pytest.raises(InputFileError) as info:
        info_ = inspect_file(path)
        from digitalisering.imaging.load import load_page  # the header was fine: decoding finds the cut

        load_page(path, 0, info_.format)
    assert str(info.value).startswith(dutch), str(info.value)
