"""ALTO beside each document PDF: one valid file per page, recorded, and the PDF's words are its strings."""

import json
import subprocess

import pikepdf

from digitalisering.metadata.fixity import sha256_file
from digitalisering.runner.dossier_chain import alto_relpath
from digitalisering.text.alto import strings, validation_errors


def _pdf_page_words(pdf, page: int) -> list[str]:
    return subprocess.run(["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout.split()


def test_every_page_of_every_document_pdf_has_its_alto_file_with_the_pdf_words(processed):
    out = processed["out"]
    data = json.loads((out / "results.json").read_text())
    seen = 0
    for doc in data["documents"]:
        output = doc["output"]
        if not output:
            continue
        pdf = out / output["path"]
        with pikepdf.open(pdf) as p:
            n_pages = len(p.pages)
        alto = output["alto"]
        assert [a["page"] for a in alto] == list(range(1, n_pages + 1))
        for a in alto:
            assert a["path"] == alto_relpath(output["path"], a["page"])
            path = out / a["path"]
            assert path.parent == pdf.parent
            assert sha256_file(path) == a["sha256"] and path.stat().st_size == a["bytes"]
            raw = path.read_bytes()
            assert validation_errors(raw) == []
            assert _pdf_page_words(pdf, a["page"]) == strings(raw)  # same words, same order
            seen += bool(strings(raw))
    assert seen >= 3
    assert not [p for p in out.rglob("*.alto.xml")
                if p.relative_to(out).as_posix() not in {a["path"] for d in data["documents"] if d["output"]
                                                         for a in d["output"]["alto"]}]


def test_alto_file_names_come_from_the_pdf_relpath():
    assert alto_relpath("BWT-1/BWT-1-01-brief.pdf", 3) == "BWT-1/BWT-1-01-brief-003.alto.xml"
    assert alto_relpath("x/a.b.PDF", 12) == "x/a.b-012.alto.xml"
