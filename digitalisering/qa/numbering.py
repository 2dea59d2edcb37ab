"""Where a page is, in the words archivists use: dossier, document and blad (sheet), counted from 1,
and the delivered file with the page in it. The batch's sequence number (``seq``, from 0) stays the
key inside the program (URLs, the store); people read the place.

A page in a document is "BWT-1915-0427 · document 2 · blad 1" (the blad counted within the
document); a page of a dossier that is in no document (a separator sheet) is counted within the
dossier; a page outside every dossier is named by its file and page in that file.
"""

from __future__ import annotations

from dataclasses import dataclass

WORDS = {
    "nl": {"document": "document", "blad": "blad", "page": "pagina", "file": "bestand"},
    "en": {"document": "document", "blad": "sheet", "page": "page", "file": "file"},
}


def word(key: str, lang: str = "nl") -> str:
    return WORDS.get(lang, WORDS["nl"])[key]


@dataclass(frozen=True)
class PagePlace:
    seq: int
    file: str
    """The delivered file, relative to the delivery."""
    file_page: int
    """Page in that file, from 1."""
    dossier: str | None = None
    document: int | None = None
    """The document's number within its dossier, from 1."""
    document_id: str | None = None
    blad: int | None = None
    """The sheet's number within its document (or within its dossier when it is in no document), from 1."""

    def label(self, lang: str = "nl") -> str:
        w = WORDS.get(lang, WORDS["nl"])
        if self.dossier is None:
            return f"{w['file']} {self.file}, {w['page']} {self.file_page}"
        parts = [self.dossier]
        if self.document is not None:
            parts.append(f"{w['document']} {self.document}")
        if self.blad is not None:
            parts.append(f"{w['blad']} {self.blad}")
        return " · ".join(parts)

    def source(self) -> str:
        """The file and the page in it, e.g. ``BWT-1962-0422/0002.tif p. 1``."""
        return f"{self.file} p. {self.file_page}"


def page_places(results: dict) -> dict[int, PagePlace]:
    """seq -> PagePlace for every page of a run's ``results.json``."""
    in_document: dict[int, tuple[str, int, str, int]] = {}
    for doc in results.get("documents", []):
        for n, seq in enumerate(doc.get("pages") or [], start=1):
            in_document[seq] = (doc["dossier"], doc["index"], doc["id"], n)
    in_dossier: dict[int, tuple[str, int]] = {}
    for dossier in results.get("dossiers", []):
        for n, seq in enumerate(dossier.get("pages") or [], start=1):
            in_dossier[seq] = (dossier["id"], n)
    places: dict[int, PagePlace] = {}
    for page in results.get("pages", []):
        seq = page["seq"]
        base = {"seq": seq, "file": page["source"], "file_page": page["page_index"] + 1}
        if seq in in_document:
            dossier, index, doc_id, n = in_document[seq]
            places[seq] = PagePlace(**base, dossier=dossier, document=index, document_id=doc_id, blad=n)
        elif seq in in_dossier:
            dossier, n = in_dossier[seq]
            places[seq] = PagePlace(**base, dossier=dossier, blad=n)
        else:
            places[seq] = PagePlace(**base, dossier=page.get("dossier"))
    return places


def document_label(results: dict, document_id: str, lang: str = "nl") -> str:
    """"BWT-1915-0427 · document 2" for a document id of ``results``."""
    for doc in results.get("documents", []):
        if doc["id"] == document_id:
            return f"{doc['dossier']} · {WORDS.get(lang, WORDS['nl'])['document']} {doc['index']}"
    return document_id
