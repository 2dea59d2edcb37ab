from digitalisering.ocr.words import OcrResult, Word, parse_tsv

TSV = """level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t1000\t1400\t-1\t
5\t1\t1\t1\t1\t1\t100\t100\t80\t20\t96.5\tGemeente
5\t1\t1\t1\t1\t2\t190\t100\t70\t20\t90.5\tLeiden
5\t1\t1\t1\t2\t1\t100\t130\t90\t20\t80\tBreestraat
5\t1\t1\t1\t2\t2\t200\t130\t20\t20\t-1\t \t
5\t1\t2\t1\t1\t1\t100\t300\t30\t20\t50\t12a
"""


def test_parse_tsv_keeps_words_boxes_and_confidence():
    words = parse_tsv(TSV)
    assert [w.text for w in words] == ["Gemeente", "Leiden", "Breestraat", "12a"]
    assert words[0] == Word("Gemeente", 100, 100, 80, 20, 96.5, 1, 1, 1)


def test_text_and_mean_confidence():
    result = OcrResult("nld", parse_tsv(TSV))
    assert result.text == "Gemeente Leiden\nBreestraat\n\n12a"
    assert result.mean_confidence == round((96.5 + 90.5 + 80 + 50) / 4, 2)
    assert OcrResult("nld", []).mean_confidence is None


def test_json_round_trip():
    result = OcrResult("nld", parse_tsv(TSV), engine_version="5.3.0")
    assert OcrResult.from_json(result.to_json()) == result
