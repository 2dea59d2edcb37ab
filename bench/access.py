"""Personal-data proposals against the development truth: recall per kind, precision of the proposals.

    .venv/bin/python bench/access.py --workspace /tmp/devws-copy [--shared /work/shared] \
        [--sets dev-planted,dev-folders,dev-stack] [--text ocr|truth] [--deduce]

Texts: ``ocr`` (default) reads the words each page's stored OCR found (``words.json`` in a copy of a
workspace that ran the delivery: copy /work/devws, never run against it); ``truth`` builds the words
from the truth's rendered lines (what a perfect OCR would give: the detectors' own ceiling).

Truth: ``dev-planted`` pages carry ``planted`` items (kinds bsn, bsn_invalid, iban, iban_invalid,
phone, email, birth_date, person_name, professional_name). For every set, the names of the
dossier's ``people`` found in a page's lines are items too (the aanvrager a private person, the
architect, constructeur, burgemeester, secretaris, directeur, opzichter professionals). Proposals
are settled per dossier, as the run does (``detect_document``).

A proposal is right when it matches an item of its kind on the same page (same normalised value,
or for OCR-damaged values a similarity of 80 % or more). Recall is over the valid items of each
kind; ``invalid proposed`` counts bsn_invalid / iban_invalid items proposed as bsn / iban (must be
0) and ``professional proposed`` names in a professional capacity proposed as private persons.
Precision counts every proposal matching no valid item as wrong (a real private name the truth
does not list counts against us too). ``--deduce`` also scores the Dutch de-identification library
``deduce`` (its ``persoon`` annotations as person_name proposals) on the same pages (``pip install
deduce`` first; it is not a dependency: see docs/architecture.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz  # noqa: E402

from digitalisering.access.detect import KINDS, Proposal, detect_document  # noqa: E402
from digitalisering.access.names import key_of  # noqa: E402
from digitalisering.ocr.model import Block, Line, PageText, Word  # noqa: E402

PRIVATE_ROLES = {"aanvrager", "buurman", "buurvrouw", "eigenaar", "opdrachtgever"}
PROFESSIONAL_ROLES = {"architect", "constructeur", "burgemeester", "secretaris", "directeur", "opzichter"}


def norm(kind: str, value: str) -> str:
    if kind in ("person_name", "professional_name"):
        return key_of(value)
    if kind in ("bsn", "bsn_invalid", "phone"):
        return re.sub(r"\D", "", value)
    return value.replace(" ", "").lower()


def truth_items(truth: dict) -> dict[tuple[str, int], list[dict]]:
    """(file, page_index) -> items {kind, value, valid}."""
    people = {d["id"]: d.get("people") or {} for d in truth["dossiers"]}
    out: dict[tuple[str, int], list[dict]] = {}
    for page in truth["pages"]:
        items = [{"kind": p["kind"], "value": p["normalized"], "valid": p["valid"]} for p in page.get("planted") or []]
        have = {(i["kind"].replace("professional_name", "person_name"), norm("person_name", i["value"]))
                for i in items if i["kind"].endswith("name")}
        for role, name in people.get(page.get("dossier_id"), {}).items():
            if role not in PRIVATE_ROLES | PROFESSIONAL_ROLES or not isinstance(name, str):
                continue
            kind = "person_name" if role in PRIVATE_ROLES else "professional_name"
            for line in page["lines"]:
                if key_of(name) in key_of(line.get("text", "")) and ("person_name", key_of(name)) not in have:
                    items.append({"kind": kind, "value": name, "valid": kind == "person_name"})
                    have.add(("person_name", key_of(name)))
        out[(page["file"], page["page_index"])] = items
    return out


def truth_text(page: dict) -> PageText:
    """Words from the truth's lines, boxes spread over the line's box (upright page pixels)."""
    lines = []
    for line in page["lines"]:
        text = line.get("text") or ""
        x0, y0, x1, y1 = line.get("bbox") or (0, 0, 1000, 20)
        words, pos = [], 0
        for m in re.finditer(r"\S+", text):
            frac0, frac1 = m.start() / max(1, len(text)), m.end() / max(1, len(text))
            words.append(Word(m.group(), int(x0 + frac0 * (x1 - x0)), int(y0), max(1, int((frac1 - frac0) * (x1 - x0))),
                              max(1, int(y1 - y0)), 99.0))
            pos = m.end()
        if words:
            lines.append(Line(words))
    return PageText("nld", [Block([line]) for line in lines])


def ocr_texts(workspace: Path, batch_name: str) -> dict[tuple[str, int], tuple[int, PageText]]:
    from digitalisering.pagerecord import PageResult
    from digitalisering.store import Store
    from digitalisering.workspace import Workspace
    ws = Workspace(workspace)
    store = Store(ws.database)
    try:
        batch = next(b for b in store.batches() if b.name == batch_name)
        files = {f.id: f for f in store.files(batch.id)}
        out = {}
        for page in store.pages(batch.id):
            path = PageResult.from_json(page.result).artifact_path(ws.page_dir(batch.name, page.id), "words")
            if path and path.exists():
                out[(files[page.file_id].relpath, page.page_index)] = (page.seq, PageText.read(path))
        return out
    finally:
        store.close()


def match(proposals: list[Proposal], items: list[dict]) -> tuple[Counter, Counter, Counter, list]:
    """Per kind: valid items found, proposals right, proposals wrong; and the wrong ones."""
    found, right, wrong, misses = Counter(), Counter(), Counter(), []
    used = set()
    for p in proposals:
        best = None
        for i, item in enumerate(items):
            kind = item["kind"]
            same_kind = kind == p.kind or (p.kind == "person_name" and kind == "professional_name") or \
                kind == p.kind + "_invalid"
            if not same_kind:
                continue
            score = fuzz.ratio(norm(kind, p.value), norm(kind, item["value"])) - (50 if i in used else 0)
            if score >= 30 + (0 if i in used else 50) and (best is None or score > best[0]):
                best = (score, i)
        if best is not None and items[best[1]]["valid"]:
            right[p.kind] += 1
            if best[1] not in used:
                used.add(best[1])
                found[items[best[1]]["kind"]] += 1
        else:
            why = items[best[1]]["kind"] if best is not None else "no item"
            wrong[p.kind] += 1
            wrong[f"{why} proposed"] += 1 if best is not None else 0
            misses.append((p.kind, p.text, why))
    return found, right, wrong, misses


def score_set(name: str, shared: Path, workspace: Path | None, mode: str, deduce, verbose: bool) -> dict:
    truth = json.loads((shared / "data/dossiers" / f"{name}.truth.json").read_text())
    items_of = truth_items(truth)
    pages_by_doc: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for page in truth["pages"]:
        if not page.get("is_separator"):
            pages_by_doc[page["dossier_id"]].append(page)
    ocr = ocr_texts(workspace, name) if mode == "ocr" else {}
    total, found, right, wrong = Counter(), Counter(), Counter(), Counter()
    d_found, d_right, d_wrong = Counter(), Counter(), Counter()
    seconds = 0.0
    for doc_pages in pages_by_doc.values():
        texts, items = {}, []
        for page in doc_pages:
            key = (page["file"], page["page_index"])
            if mode == "ocr":
                if key not in ocr:
                    continue
                seq, text = ocr[key]
            else:
                seq, text = page["seq"], truth_text(page)
            texts[seq] = text
            for item in items_of.get(key, []):
                items.append({**item, "seq": seq})
        for item in items:
            total[item["kind"]] += 1
        t = time.perf_counter()
        proposals = detect_document(texts)
        seconds += time.perf_counter() - t
        for seq in texts:
            f, r, w, misses = match([p for p in proposals if p.seq == seq], [i for i in items if i["seq"] == seq])
            found += f
            right += r
            wrong += w
            if verbose:
                for m in misses:
                    print("   wrong:", seq, m)
                got = {norm(p.kind, p.value) for p in proposals if p.seq == seq}
                for i in items:
                    if i["seq"] == seq and i["valid"] and not any(
                            fuzz.ratio(norm(i["kind"], i["value"]), g) >= 80 for g in got):
                        print("   missed:", seq, i["kind"], i["value"])
            if deduce is not None:
                dp = []
                for s2 in [seq]:
                    for line in texts[s2].lines:
                        txt = " ".join(w.text for w in line.words)
                        for a in deduce.deidentify(txt).annotations:
                            if a.tag.startswith("persoon"):
                                dp.append(Proposal("person_name", a.text, a.text, s2, (), 0.5, "deduce"))
                f, r, w, _ = match(dp, [i for i in items if i["seq"] == seq])
                d_found += f
                d_right += r
                d_wrong += w
    return {"total": total, "found": found, "right": right, "wrong": wrong, "seconds": seconds,
            "deduce": (d_found, d_right, d_wrong) if deduce is not None else None}


def report(name: str, r: dict) -> None:
    total, found, right, wrong = r["total"], r["found"], r["right"], r["wrong"]
    print(f"\n{name}: {sum(total.values())} items, detection {r['seconds']:.2f} s")
    print(f"  {'kind':12} {'items':>5} {'recall':>7} {'proposed':>8} {'precision':>9}")
    for kind in KINDS:
        n = total[kind]
        prop = right[kind] + wrong[kind]
        rec = f"{found[kind] / n:.3f}" if n else "-"
        prec = f"{right[kind] / prop:.3f}" if prop else "-"
        print(f"  {kind:12} {n:5d} {rec:>7} {prop:8d} {prec:>9}")
    print(f"  invalid BSN proposed: {wrong['bsn_invalid proposed']} of {total['bsn_invalid']}; "
          f"invalid IBAN proposed: {wrong['iban_invalid proposed']} of {total['iban_invalid']}; "
          f"professional names proposed: {wrong['professional_name proposed']} "
          f"({total['professional_name']} professional items)")
    if r["deduce"]:
        f, rt, w = r["deduce"]
        n = total["person_name"]
        print(f"  deduce persoon: recall {f['person_name'] / n if n else 0:.3f}, proposed {rt['person_name'] + w['person_name']}, "
              f"precision {rt['person_name'] / max(1, rt['person_name'] + w['person_name']):.3f}, "
              f"professional names proposed {w['professional_name proposed']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("/work/shared"))
    ap.add_argument("--workspace", type=Path, help="a COPY of a workspace that ran the sets (ocr mode)")
    ap.add_argument("--sets", default="dev-planted,dev-folders,dev-stack")
    ap.add_argument("--text", choices=("ocr", "truth"), default="ocr")
    ap.add_argument("--deduce", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.text == "ocr" and not args.workspace:
        ap.error("--workspace is needed with --text ocr")
    deduce = None
    if args.deduce:
        from deduce import Deduce
        t = time.perf_counter()
        deduce = Deduce()
        print(f"deduce loaded in {time.perf_counter() - t:.1f} s")
    for name in args.sets.split(","):
        report(f"{name} ({args.text})", score_set(name, args.shared, args.workspace, args.text, deduce, args.verbose))


if __name__ == "__main__":
    main()
