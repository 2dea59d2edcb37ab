from datetime import datetime, timezone

import pytest
from lxml import etree

from digitalisering.ocr.model import Block, Line, PageText, Word
from digitalisering.text.alto import NS, AltoSource, alto_xml, language, strings, validation_errors

A = {"a": NS}


def _page(lang: str = "nld") -> PageText:
    return PageText(lang, [
        Block([Line([Word("Gemeente", 100, 100, 160, 40, 96.5), Word("Leiden", 280, 102, 120, 38, 90)]),
               Line([Word("Breestraat", 100, 160, 200, 40, -1)])]),
        Block([Line([Word("12a\x07", 100, 300, 60, 40, 50)])]),
    ], engine="tesseract", engine_version="5.3.0", width=1240, height=1754, dpi=150)


def _xml(page: PageText | None = None, **kw) -> etree._Element:
    src = AltoSource("BWT-1-d1-brief.pdf", 3, processed=datetime(2026, 1, 2, 10, 0, tzinfo=timezone.utc),
                     settings="lang=nld; 150 ppi", **kw)
    data = alto_xml(page or _page(), src)
    assert validation_errors(data) == []
    return etree.fromstring(data)


def test_alto_describes_the_page_in_pixels_with_the_engine_and_its_settings():
    doc = _xml()
    assert doc.findtext("a:Description/a:MeasurementUnit", namespaces=A) == "pixel"
    assert doc.findtext("a:Description/a:sourceImageInformation/a:fileName", namespaces=A) == "BWT-1-d1-brief.pdf"
    ocr = doc.find("a:Description/a:Processing[@ID='OCR1']", namespaces=A)
    assert ocr.findtext("a:processingSoftware/a:softwareName", namespaces=A) == "tesseract"
    assert ocr.findtext("a:processingSoftware/a:softwareVersion", namespaces=A) == "5.3.0"
    assert ocr.findtext("a:processingStepSettings", namespaces=A) == "lang=nld; 150 ppi"
    page = doc.find("a:Layout/a:Page", namespaces=A)
    assert (page.get("WIDTH"), page.get("HEIGHT"), page.get("PHYSICAL_IMG_NR")) == ("1240", "1754", "3")
    space = page.find("a:PrintSpace", namespaces=A)
    assert (space.get("WIDTH"), space.get("HEIGHT")) == ("1240", "1754")


def test_blocks_lines_strings_with_boxes_confidence_0_to_1_and_spaces_between():
    doc = _xml()
    blocks = doc.findall(".//a:TextBlock", namespaces=A)
    assert len(blocks) == 2 and blocks[0].get("LANG") == "nl"
    assert (blocks[0].get("HPOS"), blocks[0].get("VPOS"), blocks[0].get("WIDTH"), blocks[0].get("HEIGHT")) == (
        "100", "100", "300", "100")
    first = doc.find(".//a:TextLine", namespaces=A)
    kids = [etree.QName(k).localname for k in first]
    assert kids == ["String", "SP", "String"]
    sp = first.find("a:SP", namespaces=A)
    assert (sp.get("HPOS"), sp.get("WIDTH")) == ("260", "20")
    s = doc.findall(".//a:String", namespaces=A)
    assert [x.get("WC") for x in s] == ["0.9650", "0.9000", None, "0.5000"]  # -1: no confidence given
    assert (s[1].get("HPOS"), s[1].get("VPOS"), s[1].get("WIDTH"), s[1].get("HEIGHT")) == ("280", "102", "120", "38")


def test_strings_are_the_model_words_in_order_without_characters_xml_cannot_hold():
    data = alto_xml(_page(), AltoSource("d.pdf", 1))
    assert strings(data) == ["Gemeente", "Leiden", "Breestraat", "12a"]


def test_language_codes_for_xsd_language():
    assert language("nld") == "nl" and language("nld+eng") == "nl" and language("frk") == "frk"
    doc = _xml(_page("eng+nld"))
    assert doc.find(".//a:Page", namespaces=A).get("LANG") == "en"


def test_an_invalid_or_hostile_file_is_reported_not_loaded():
    assert validation_errors(b"<alto") and "not well-formed" in validation_errors(b"<alto")[0]
    broken = alto_xml(_page(), AltoSource("d.pdf", 1)).replace(b'WIDTH="1240"', b'WIDTH="wide"', 1)
    assert validation_errors(broken)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#">&e;</alto>')
    assert validation_errors(bomb)  # the entity is not expanded; the file is simply not ALTO


def test_a_model_without_an_image_size_cannot_become_alto():
    with pytest.raises(ValueError):
        alto_xml(PageText("nld", [], width=0, height=0), AltoSource("d.pdf", 1))
