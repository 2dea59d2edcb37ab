"""Pages are named as archivists count them: dossier, document and blad from 1, and the file with
the page in it; never the batch's sequence number from 0."""

from __future__ import annotations

from digitalisering.qa.numbering import page_places

RESULTS = {
    "pages": [
        {"seq": 0, "source": "stapel/scan_00001.tif", "page_index": 0},   # before the first dossier sheet
        {"seq": 1, "source": "stapel/scan_00002.tif", "page_index": 0},   # the dossier's separator sheet
        {"seq": 2, "source": "stapel/scan_00003.tif", "page_index": 0},
        {"seq": 3, "source": "stapel/scan_00004.tif", "page_index": 0},
        {"seq": 4, "source": "stapel/multi.tif", "page_index": 0},
        {"seq": 5, "source": "stapel/multi.tif", "page_index": 1},
    ],
    "dossiers": [{"id": "BWT-1915-0427", "pages": [1, 2, 3, 4, 5]}],
    "documents": [
        {"id": "BWT-1915-0427-01", "dossier": "BWT-1915-0427", "index": 1, "pages": [2, 3]},
        {"id": "BWT-1915-0427-02", "dossier": "BWT-1915-0427", "index": 2, "pages": [4, 5]},
    ],
}


def test_places_count_from_one_within_document_and_dossier():
    places = page_places(RESULTS)
    assert places[2].label() == "BWT-1915-0427 · document 1 · blad 1"
    assert places[3].label() == "BWT-1915-0427 · document 1 · blad 2"
    assert places[5].label() == "BWT-1915-0427 · document 2 · blad 2"
    assert places[5].label("en") == "BWT-1915-0427 · document 2 · sheet 2"
    assert (places[5].file, places[5].file_page, places[5].source()) == ("stapel/multi.tif", 2, "stapel/multi.tif p. 2")
    # a separator sheet is in the dossier but in no document: counted within the dossier
    assert places[1].label() == "BWT-1915-0427 · blad 1"
    # a page outside every dossier is named by its file
    assert places[0].label() == "bestand stapel/scan_00001.tif, pagina 1"
    assert places[0].label("en") == "file stapel/scan_00001.tif, page 1"


def test_qa_check_names_pages_by_their_place(qa_run):
    from click.testing import CliRunner

    from digitalisering.cli import main

    res = CliRunner().invoke(main, ["qa", "check", qa_run["batch"].name, "--config", str(qa_run["config"]),
                                    "--workspace", str(qa_run["workspace"].root)])
    lines = [ln for ln in res.output.splitlines() if ln.startswith("  FAIL")]
    assert lines and not any(" page " in ln for ln in lines)
    assert any("BWT-1980-0003 · " in ln for ln in lines), lines
