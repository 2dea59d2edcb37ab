"""Words into index terms, a query into terms and phrases, and matched words back into highlights.

One tokeniser for both backends and for the highlighter: a page word becomes one or more tokens
(lower case, accents removed, split on anything that is not a letter or digit: "15-17" is 15 and
17), each reduced by the classic Snowball Dutch stemmer (PyStemmer's ``dutch_porter``, the
algorithm behind PostgreSQL's ``dutch`` text search configuration, so both backends agree on what
"aanvragen" and "aanvraag" share). Every token remembers the word it came from, so a hit is a word
index on the page, and so a box on the page image.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

import Stemmer

from digitalisering.index.model import SnippetPart, TextQuery

_TOKEN = re.compile(r"[^\W_]+")
_STEMMER = Stemmer.Stemmer("dutch_porter")
MAX_TOKEN = 40
"""Longer runs of letters are OCR noise (a ruled line read as letters): not indexed."""
SNIPPET_WORDS = 12
"""Words of context on either side of the first hit."""


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents ("Rapenburg" -> "rapenburg", "één" -> "een")."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=262_144)
def _word_stems(word: str) -> tuple[str, ...]:
    tokens = [t for t in _TOKEN.findall(fold(word)) if len(t) <= MAX_TOKEN]
    return tuple(_STEMMER.stemWords(tokens)) if tokens else ()


def stem(word: str) -> str:
    """The index term of one query token."""
    return _STEMMER.stemWord(fold(word))


def word_stems(word: str) -> tuple[str, ...]:
    """The terms one page word is indexed under (none for punctuation)."""
    return _word_stems(word)


def page_terms(words: Sequence[str]) -> str:
    """The page as the full-text index stores it: its terms, space-separated, in reading order."""
    return " ".join(t for w in words for t in _word_stems(w))


def positions(words: Sequence[str]) -> list[tuple[str, int]]:
    """(term, word index) in reading order."""
    return [(t, i) for i, w in enumerate(words) for t in _word_stems(w)]


# --- queries -------------------------------------------------------------------------------------

_PHRASE = re.compile(r'"([^"]*)"')


def parse_text(text: str) -> TextQuery:
    """Words, "quoted phrases" and -excluded words; punctuation inside words splits them (as on
    the page). An unclosed quote is read as if it were closed."""
    if text.count('"') % 2:
        text += '"'
    phrases = []
    for m in _PHRASE.finditer(text):
        tokens = tuple(_TOKEN.findall(fold(m.group(1))))
        if len(tokens) > 1:
            phrases.append(tokens)
        elif tokens:
            text += f" {tokens[0]}"
    rest = _PHRASE.sub(" ", text)
    terms, excluded = [], []
    for part in rest.split():
        target = excluded if part.startswith("-") and len(part) > 1 else terms
        for token in _TOKEN.findall(fold(part.lstrip("-") if target is excluded else part)):
            if token not in target:
                target.append(token)
    return TextQuery(tuple(terms), tuple(phrases), tuple(excluded))


# --- highlights ----------------------------------------------------------------------------------

def matched_words(words: Sequence[str], terms: Iterable[str], phrases: Iterable[Sequence[str]]) -> list[int]:
    """Indices of the words that hold one of ``terms`` (stems) or are part of one of ``phrases``
    (stem sequences), in page order."""
    wanted = set(terms)
    pos = positions(words)
    hits = {i for t, i in pos if t in wanted}
    stems = [t for t, _ in pos]
    for phrase in phrases:
        n = len(phrase)
        if not n:
            continue
        for start in range(len(stems) - n + 1):
            if stems[start:start + n] == list(phrase):
                hits.update(pos[k][1] for k in range(start, start + n))
    return sorted(hits)


def snippet(words: Sequence[str], hits: Sequence[int], context: int = SNIPPET_WORDS) -> tuple[SnippetPart, ...]:
    """The words around the first hit (and every hit within reach), hits marked; "…" where cut."""
    if not words:
        return ()
    first = hits[0] if hits else 0
    start, end = max(0, first - context), min(len(words), first + context + 1)
    marked = set(hits)
    items = ([("…", False)] if start > 0 else []) + [(words[i], i in marked) for i in range(start, end)] + \
        ([("…", False)] if end < len(words) else [])
    parts: list[SnippetPart] = []

    def plain(text: str) -> None:
        if parts and not parts[-1].hit:
            parts[-1] = SnippetPart(parts[-1].text + text, False)
        elif text:
            parts.append(SnippetPart(text, False))

    for k, (word, hit) in enumerate(items):
        sep = " " if k else ""
        if hit:
            plain(sep)
            parts.append(SnippetPart(word, True))
        else:
            plain(sep + word)
    return tuple(parts)
