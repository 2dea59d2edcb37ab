"""How much of each dossier's ground-truth text is in its PDF (pdftotext), per dossier and per page kind.

Usage: python bench/text_recall.py OUT TRUTH.json
   e.g. digitalisering run ../shared/data/dossiers/dev-folders --out /tmp/dev && \
        python bench/text_recall.py /tmp/dev ../shared/data/dossiers/dev-folders.truth.json

Prints, per dossier, the share of ground-truth words (typed/printed text, >= 3 letters) that occur in
the PDF's extracted text, and the median over dossiers. Rotated pages show up as low recall until the
imaging stage turns them upright.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

KINDS = {"typed", "print", "form_label", "form_value", "table", "table_header", "titleblock", "drawing_title"}
WORD = re.compile(r"[A-Za-zÀ-ÿ]{3,}")


def words(text: str) -> Counter:
    return Counter(w.lower() for w in WORD.findall(text))


def main(out: Path, truth_path: Path) -> None:
    truth = json.loads(truth_path.read_text())
    pages = {p["seq"]: p for p in truth["pages"]}
    recalls = []
    print(f"{'dossier':<16} {'pages':>5} {'words':>6} {'recall':>7}")
    for dossier in truth["dossiers"]:
        did = dossier["id"]
        pdf = out / did / f"{did}.pdf"
        expected: Counter = Counter()
        for seq in dossier["pages"]:
            for line in pages[seq].get("lines", []):
                if line["kind"] in KINDS:
                    expected += words(line["text"])
        if not pdf.exists():
            print(f"{did:<16} missing PDF")
            recalls.append(0.0)
            continue
        got = words(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
        found = sum(min(n, got[w]) for w, n in expected.items())
        total = sum(expected.values())
        recall = found / total if total else 1.0
        recalls.append(recall)
        print(f"{did:<16} {len(dossier['pages']):>5} {total:>6} {recall:>7.3f}")
    print(f"median word recall over {len(recalls)} dossiers: {statistics.median(recalls):.3f}; "
          f"min {min(recalls):.3f}; mean {statistics.fmean(recalls):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
