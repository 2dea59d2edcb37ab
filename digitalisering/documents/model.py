"""What the split produces: dossiers made of typed documents made of pages (by ``seq``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from digitalisering.imaging.separators import Separator


@dataclass(frozen=True)
class LineBox:
    """Where a text line stands on its page, as fractions of the page's width and height (0 = left/top)."""

    top: float
    left: float
    bottom: float
    right: float


@dataclass(frozen=True)
class PageView:
    """What the split and the classifier know of one page (built from the page's stored result)."""

    seq: int
    folder: str | None
    """Delivery folder (folders layout: the dossier)."""
    done: bool
    text: str = ""
    """OCR text, normalised (``vocabulary.normalise``), one line per text line."""
    words: int = 0
    is_blank: bool = False
    separator: Separator | None = None
    """The imaging stage's separator sheet (kind 'dossier' with dossier_id, or 'document')."""
    large_format: bool = False
    size_class: str | None = None
    lines: tuple[LineBox, ...] = ()
    """The box of each line of ``text`` (same order and count; empty when unknown)."""
    file: str = ""
    """The delivered file holding the page (relative to the delivery; empty when not known)."""
    file_page: int = 0
    """The page's number in that file, from 1 (0 when not known)."""

    def place(self) -> str:
        """Where a person finds the page in the delivery: ``stapel.pdf p. 13`` (the batch's
        sequence number, from 0, only when the file is not known)."""
        return f"{self.file} p. {self.file_page}" if self.file else f"#{self.seq}"

    @property
    def content(self) -> bool:
        return self.done and not self.is_blank and self.separator is None


@dataclass
class DocumentPlan:
    dossier_id: str
    index: int
    """1-based position in the dossier."""
    pages: list[int] = field(default_factory=list)
    """seq of every page of the document (blank back sides included; separator sheets not)."""
    type: str = "overig"
    type_confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)
    boundary: str = ""
    """Why the document starts where it does (separator sheet, title found, override, ...)."""
    boundary_confidence: float | None = None
    """How sure the learned model is of this document's extent: the lowest of P(start) at its first
    page and 1 - P(start) at its other pages. None when rules decided (separators, vocabulary)."""
    needs_review: list[str] = field(default_factory=list)
    """What a person should look at ("boundary", "type"): decisions below the review threshold."""
    decided_by: dict[str, str] = field(default_factory=dict)
    """Who decided the boundary and the type: "correction", "model", "vocabulary", "separator" or
    "dossier start" (results.json names the model's version)."""

    @property
    def id(self) -> str:
        return f"{self.dossier_id}-{self.index:02d}"


@dataclass
class DossierPlan:
    id: str
    pages: list[int] = field(default_factory=list)
    """seq of every page of the dossier, separator sheets included."""
    documents: list[DocumentPlan] = field(default_factory=list)


@dataclass
class BatchPlan:
    dossiers: list[DossierPlan] = field(default_factory=list)
    unassigned: list[int] = field(default_factory=list)
    """Pages of a stack before its first dossier separator sheet: an error for the operator."""
    problems: list[str] = field(default_factory=list)

    def document_of(self) -> dict[int, DocumentPlan]:
        return {seq: doc for d in self.dossiers for doc in d.documents for seq in doc.pages}

    def dossier_of(self) -> dict[int, str]:
        return {seq: d.id for d in self.dossiers for seq in d.pages}
