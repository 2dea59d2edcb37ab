from digitalisering.ocr.engines.tesseract import parse_tsv
from digitalisering.ocr.model import Block, Line, PageText, Word, group_words

TSV = """level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t1000\t1400\t-1\t
5\t1\t1\t1\t1\t1\t100\t100\t80\t20\t96.5\tGemeente
5\t1\t1\t1\t1\t2\t190\t100\t70\t20\t90.5\tLeiden
5\t1\t1\t1\t2\t1\t100\t130\t90\t20\t80\tBreestraat
5\t1\t1\t1\t2\t2\t200\t130\t20\t20\t-1\t \t
5\t1\t2\t1\t1\t1\t100\t300\t30\t20\t50\t12a
"""


def _page() -> PageText:
    return PageText("nld", group_words(parse_tsv(TSV)), engine_version="5.3.0", width=1000, height=1400, dpi=200)


def test_tsv_becomes_blocks_of_lines_of_words_with_boxes_and_confidence():
    page = _page()
    assert [[[w.text for w in line.words] for line in b.lines] for b in page.blocks] == [
        [["Gemeente", "Leiden"], ["Breestraat"]], [["12a"]]]
    assert page.words[0] == Word("Gemeente", 100, 100, 80, 20, 96.5)
    assert page.blocks[0].lines[0].box.width == 160  # 100 .. 260


def test_text_and_mean_confidence():
    page = _page()
    assert page.text == "Gemeente Leiden\nBreestraat\n\n12a"
    assert page.mean_confidence == round((96.5 + 90.5 + 80 + 50) / 4, 2)
    assert PageText("nld", []).mean_confidence is None


def test_json_round_trip():
    page = _page()
    assert PageText.from_json(page.to_json()) == page


def test_words_json_of_earlier_versions_is_still_read():
    old = {"lang": "nld", "engine": "tesseract", "engine_version": "5.3.0", "words": [
        ["Gemeente", 100, 100, 80, 20, 96.5, 1, 1, 1], ["Leiden", 190, 100, 70, 20, 90.5, 1, 1, 1],
        ["Breestraat", 100, 130, 90, 20, 80, 1, 1, 2], ["12a", 100, 300, 30, 20, 50, 2, 1, 1]]}
    page = PageText.from_json(old)
    assert page.text == "Gemeente Leiden\nBreestraat\n\n12a"
    assert page.blocks[1] == Block([Line([Word("12a", 100, 300, 30, 20, 50)])])


def test_boxes_read_on_a_reduced_copy_come_back_in_full_page_pixels():
    page = _page().scaled(2.0, 2000, 2800, 400)
    assert page.words[0] == Word("Gemeente", 200, 200, 160, 40, 96.5)
    assert (page.width, page.height, page.dpi) == (2000, 2800, 400)
