from digitalisering.qa.failures import Failure, count_by_reason, reason_kind, write_failures_csv


def test_alike_reasons_are_counted_together():
    failures = [
        Failure(0, "a.tif", 1, "damaged TIFF file: cannot identify image file '/x/a.tif'"),
        Failure(1, "b.tif", 1, "damaged TIFF file: cannot identify image file '/x/b.tif'"),
        Failure(2, "c.png", 1, "image of 20000x20000 = 400 megapixels exceeds the limit of 250 megapixels"),
    ]
    assert reason_kind(failures[2].reason) == "image of NxN = N megapixels exceeds the limit of N megapixels"
    assert count_by_reason(failures)["damaged TIFF file"] == 2


def test_failures_csv_opens_in_dutch_spreadsheets(tmp_path):
    path = tmp_path / "failures.csv"
    write_failures_csv([Failure(3, "map 1/pagina;2.tif", 2, "empty file (0 bytes)")], path)
    assert path.read_text().splitlines() == [
        "seq;source;page;reason", '3;"map 1/pagina;2.tif";2;empty file (0 bytes)']
