"""bench/stamp_pass.py: words are counted as bench/ocr_lines.py counts them (3+ letters, lower case,
as a multiset), so its figures and its misses (for bench/stamp_ceiling.py) match that bench's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from digitalisering.ocr.model import Word

SPEC = importlib.util.spec_from_file_location(
    "stamp_pass", Path(__file__).resolve().parents[1] / "bench" / "stamp_pass.py")
stamp_pass = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(stamp_pass)


def word(text: str) -> Word:
    return Word(text, 0, 0, 10, 10, 90.0)


def test_recall_per_kind_counts_each_truth_word_once_per_reading_of_it():
    lines = [{"text": "GEZIEN 12 SEP 1974", "kind": "stamp"},
             {"text": "Gezien en gezien", "kind": "typed"},
             {"text": "INGEKOMEN", "kind": "stamp"}]
    per_kind, missed = stamp_pass.score([word("gezien"), word("SEP."), word("INGEKOME!")], lines)
    # 'gezien' read once: the stamp line has it, the typed line's two need two readings
    assert per_kind == {"stamp": [2, 3], "typed": [1, 2]}
    assert missed == [{"line": 1, "kind": "typed", "words": ["gezien"]},
                      {"line": 2, "kind": "stamp", "words": ["ingekomen"]}]
