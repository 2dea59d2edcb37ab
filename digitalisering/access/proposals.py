"""Access proposals for every document of a split batch, computed during ``run``: the personal data
in its words (``detect``) and the vulnerable buildings it is about (``vulnerable``).

Names are settled per dossier (an architect named as such in one document is one in all of them);
everything else is found per page. Object proposals come from the document's BAG links with role
``object`` (the building the document is about, not a letterhead's address).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from digitalisering.access.detect import Proposal, detect_document
from digitalisering.access.vulnerable import Exclusion, ObjectProposal, object_proposals
from digitalisering.bag.link import BagAddresses, read_gebruiksdoelen
from digitalisering.documents.model import BatchPlan
from digitalisering.ocr.model import PageText

DETECTOR_VERSION = "1"
"""Raised when the detectors change what they propose (results.json says which made them)."""


@dataclass
class DocumentProposals:
    personal_data: list[Proposal] = field(default_factory=list)
    objects: list[ObjectProposal] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.personal_data or self.objects)

    def to_json(self) -> dict:
        return {"personal_data": [p.to_json() for p in self.personal_data],
                "objects": [o.to_json() for o in self.objects]}

    @classmethod
    def from_json(cls, data: dict | None) -> "DocumentProposals":
        if not data:
            return cls()
        return cls([Proposal.from_json(p) for p in data.get("personal_data", [])],
                   [ObjectProposal.from_json(o) for o in data.get("objects", [])])


def bag_gebruiksdoelen(index_path: Path, addresses: BagAddresses | None) -> dict[str, list[str]] | None:
    """The gebruiksdoelen of every verblijfsobject the documents are linked to (None: no index, or
    one imported before gebruiksdoel was kept)."""
    if addresses is None or not Path(index_path).exists():
        return None
    vbos = sorted({v for found in addresses.documents.values() for a in found for v in a.verblijfsobject_ids})
    return read_gebruiksdoelen(Path(index_path), vbos)


def propose(plan: BatchPlan, texts: dict[int, PageText | None], addresses: BagAddresses | None = None,
            gebruiksdoelen: dict[str, list[str]] | None = None,
            exclusions: dict[str, Exclusion] | None = None) -> dict[str, DocumentProposals]:
    """Document id -> its proposals (``texts``: page seq -> words, None for a page without)."""
    out: dict[str, DocumentProposals] = {}
    for dossier in plan.dossiers:
        pages = {s: texts[s] for doc in dossier.documents for s in doc.pages if texts.get(s) is not None}
        found = detect_document(pages)
        for doc in dossier.documents:
            mine = set(doc.pages)
            linked = [a for a in (addresses.documents.get(doc.id, []) if addresses else []) if a.role == "object"]
            objects = object_proposals([v for a in linked for v in a.verblijfsobject_ids],
                                       [p for a in linked for p in a.pand_ids], gebruiksdoelen, exclusions)
            out[doc.id] = DocumentProposals([p for p in found if p.seq in mine], objects)
    return out
