"""The split and classification vocabulary: data in ``vocabulary.toml``, compiled once."""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

OTHER = "overig"


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float

    @property
    def name(self) -> str:
        return self.pattern.pattern


@dataclass(frozen=True)
class DocumentType:
    name: str
    label: str
    title: tuple[Cue, ...]
    body: tuple[Cue, ...]


@dataclass(frozen=True)
class Vocabulary:
    version: int
    types: dict[str, DocumentType]
    continuation: tuple[re.Pattern[str], ...]
    min_score: float
    title_lines: int
    continuation_lines: int
    large_format_type: str
    large_format_weight: float
    few_words: int
    sparse_type: str
    sparse_weight: float
    sheet_number: re.Pattern[str] | None = None

    @property
    def type_names(self) -> list[str]:
        return [*self.types, OTHER]


def normalise(text: str) -> str:
    """Lower case, accents removed, runs of spaces and tabs made one space (lines kept)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _cues(pairs: list) -> tuple[Cue, ...]:
    return tuple(Cue(re.compile(p, re.IGNORECASE | re.MULTILINE), float(w)) for p, w in pairs)


def parse_vocabulary(data: dict) -> Vocabulary:
    types = {
        name: DocumentType(name, spec.get("label", name), _cues(spec.get("title", [])), _cues(spec.get("body", [])))
        for name, spec in data["types"].items()
    }
    layout = data.get("layout", {})
    return Vocabulary(
        version=int(data.get("version", 1)),
        types=types,
        continuation=tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in data.get("continuation", [])),
        min_score=float(data.get("min_score", 2.0)),
        title_lines=int(data.get("title_lines", 12)),
        continuation_lines=int(data.get("continuation_lines", 4)),
        large_format_type=layout.get("large_format_type", "tekening"),
        large_format_weight=float(layout.get("large_format_weight", 6)),
        few_words=int(layout.get("few_words", 60)),
        sparse_type=layout.get("sparse_type", "tekening"),
        sparse_weight=float(layout.get("sparse_weight", 1)),
        sheet_number=re.compile(data["sheet_number"], re.IGNORECASE) if data.get("sheet_number") else None,
    )


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabulary in ``path`` (TOML), or the one shipped with the package."""
    if path is None:
        return default_vocabulary()
    with open(path, "rb") as fh:
        return parse_vocabulary(tomllib.load(fh))


@functools.lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    with resources.files("digitalisering.documents").joinpath("vocabulary.toml").open("rb") as fh:
        return parse_vocabulary(tomllib.load(fh))


def type_label(kind: str) -> str:
    """The Dutch name of a document type ("vergunning / besluit"), from the shipped vocabulary."""
    t = default_vocabulary().types.get(kind)
    return t.label if t else kind
