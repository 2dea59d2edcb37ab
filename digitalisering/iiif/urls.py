"""The addresses of everything the IIIF services publish, in one place.

Ids in IIIF are absolute URLs; they are made from the base the blueprint is mounted on
(``http://host:port/iiif``). Dossier and document ids are the operator's ids and may hold any
character: they are percent-encoded as one path segment each (``/`` too; the routes read the
dossier with a path converter, as the server decodes ``%2F`` before routing).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


def _q(value: str) -> str:
    return quote(str(value), safe="")


@dataclass(frozen=True)
class Urls:
    base: str
    """The blueprint's absolute root, without a trailing slash."""

    def image_service(self, batch: str, seq: int) -> str:
        return f"{self.base}/image/{_q(batch)}/{seq}"

    def image(self, batch: str, seq: int, region: str = "full", size: str = "max") -> str:
        return f"{self.image_service(batch, seq)}/{region}/{size}/0/default.jpg"

    def _dossier(self, batch: str, dossier: str) -> str:
        return f"{self.base}/presentation/{_q(batch)}/{_q(dossier)}"

    def manifest(self, batch: str, dossier: str) -> str:
        return f"{self._dossier(batch, dossier)}/manifest"

    def canvas(self, batch: str, dossier: str, seq: int) -> str:
        return f"{self._dossier(batch, dossier)}/canvas/{seq}"

    def annotation_page(self, batch: str, dossier: str, seq: int) -> str:
        return f"{self.canvas(batch, dossier, seq)}/page"

    def annotation(self, batch: str, dossier: str, seq: int) -> str:
        return f"{self.canvas(batch, dossier, seq)}/image"

    def word(self, batch: str, dossier: str, seq: int, index: int) -> str:
        return f"{self.canvas(batch, dossier, seq)}/word/{index}"

    def range(self, batch: str, dossier: str, document: str) -> str:
        return f"{self._dossier(batch, dossier)}/range/{_q(document)}"

    def search(self, batch: str, dossier: str) -> str:
        return f"{self._dossier(batch, dossier)}/search"

    def pdf(self, batch: str, dossier: str, document: str) -> str:
        return f"{self._dossier(batch, dossier)}/document/{_q(document)}.pdf"

    def alto(self, batch: str, dossier: str, seq: int) -> str:
        return f"{self.canvas(batch, dossier, seq)}/alto.xml"
