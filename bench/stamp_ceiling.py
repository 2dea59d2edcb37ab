"""Crops of the stamp words the OCR misses, from the scan as it is, to count how many are legible at all.

    .venv/bin/python bench/ocr_lines.py --skip-as-is --jobs 1 --kinds stamp --json /tmp/heldout.json
    .venv/bin/python bench/stamp_ceiling.py /tmp/heldout.json --out /tmp/ceiling [--labels labels.json]

Why: issue 17 asks word recall >= 0.92 per line kind; part of the stamp words the bench misses may
not be in the pixels at all (a bitonal scan drops pale stamp ink, a stamp under dense type). This
script takes the per-page misses ``bench/ocr_lines.py --json`` writes (``reread_missed``: the
truth lines whose words the full chain misses) and, for every missed line of ``--kind`` (stamp),
cuts the truth line's box (plus a margin) out of the page image as the file holds it (the truth's
``upright_to_image`` maps the upright box into the scan, so the crop is the scan's own pixels,
turned upright, not our cleaned copy), writes one PNG per line and a contact sheet (every crop with
its truth text and missed words), to be looked at by a person. ``--labels`` is a JSON object
``{"<crop name>": "absent" | "borderline" | "legible"}`` (or a list, one per missed word) with that person's verdicts; with it the script prints the
table: missed words absent from the pixels, missed but legible, and the recall a perfect reader of
the legible ink would reach (the ceiling). Crop names are ``<set>-<seq>-<line>``.

Held out: run on dev-stack + dev-planted (the default sets of ``bench/ocr_lines.py``); nothing seen
in these crops is to be tuned on.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MARGIN = 0.35  # of the line's height, on every side: enough to see the frame and the type beneath
SHEET_WIDTH = 1800


def crop_line(image: Image.Image, page: dict, bbox: list[int], margin: float = MARGIN) -> Image.Image:
    """The truth line's upright box (widened by ``margin`` of its height) cut from the scan image."""
    x0, y0, x1, y1 = bbox
    pad = int(margin * (y1 - y0)) + 8
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    (a, b, c), (d, e, f) = page["upright_to_image"]
    # PIL's affine maps output pixels to input pixels: output (u, v) is upright (u + x0, v + y0)
    data = (a, b, a * x0 + b * y0 + c, d, e, d * x0 + e * y0 + f)
    src = image if image.mode in ("L", "RGB") else image.convert("L")
    return src.transform((x1 - x0, y1 - y0), Image.Transform.AFFINE, data, Image.Resampling.BILINEAR,
                         fillcolor=255 if src.mode == "L" else (255, 255, 255))


def contact_sheet(items: list[tuple[str, str, Image.Image]], width: int = SHEET_WIDTH) -> Image.Image:
    """The crops one under another, each with its caption, scaled to at most ``width``."""
    font = ImageFont.load_default()
    width = min(width, max((c.width for _, _, c in items), default=1))
    rows = []
    for name, caption, crop in items:
        crop = crop.convert("RGB")
        if crop.width > width:
            crop = crop.resize((width, max(1, round(crop.height * width / crop.width))))
        rows.append((f"{name}: {caption}", crop))
    height = sum(c.height + 22 for _, c in rows) or 1
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    y = 0
    for caption, crop in rows:
        draw.text((4, y + 4), caption, fill=(200, 0, 0), font=font)
        sheet.paste(crop, (0, y + 20))
        y += crop.height + 22
    return sheet


def main() -> None:
    from digitalisering.imaging.load import load_page
    from digitalisering.ingest.formats import inspect_file

    ap = argparse.ArgumentParser()
    ap.add_argument("bench_json", type=Path, help="bench/ocr_lines.py --json output")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out", type=Path, default=Path("stamp-ceiling"))
    ap.add_argument("--kind", default="stamp")
    ap.add_argument("--variant", default="reread", help="the bench reading whose misses are cropped")
    ap.add_argument("--labels", type=Path, help='{"<crop name>": "absent" | "borderline" | "legible"}: print the ceiling')
    ap.add_argument("--per-sheet", type=int, default=12)
    args = ap.parse_args()
    rows = json.loads(args.bench_json.read_text())
    args.out.mkdir(parents=True, exist_ok=True)
    truths: dict[str, dict] = {}
    total = hit = 0
    items: list[tuple[str, str, Image.Image]] = []
    missed_words: dict[str, int] = {}
    for row in rows:
        h, n = row[args.variant].get(args.kind, [0, 0])
        total, hit = total + n, hit + h
        misses = [m for m in row.get(f"{args.variant}_missed", []) if m["kind"] == args.kind]
        if not misses:
            continue
        name = row["set"]
        if name not in truths:
            truths[name] = json.loads((args.shared / "data/dossiers" / f"{name}.truth.json").read_text())
        page = next(p for p in truths[name]["pages"] if p["seq"] == row["seq"])
        path = Path(row["file"])
        image = load_page(path, page["page_index"], inspect_file(path).format, 250_000_000).image
        for miss in misses:
            line = page["lines"][miss["line"]]
            crop = crop_line(image, page, line["bbox"])
            key = f"{name}-{row['seq']}-{miss['line']}"
            crop.save(args.out / f"{key}.png")
            missed_words[key] = len(miss["words"])
            caption = (f"{line['text']!r} missed {miss['words']} ({page.get('colour_mode')}, "
                       f"{line.get('shape', '')}, {page['file']})")
            items.append((key, caption, crop))
    for start in range(0, len(items), args.per_sheet):
        contact_sheet(items[start:start + args.per_sheet]).save(args.out / f"sheet-{start // args.per_sheet + 1:02d}.png")
    (args.out / "missed.json").write_text(json.dumps(missed_words, indent=1))
    print(f"{args.kind}: {total} words, {hit} read ({hit / total:.3f}), {total - hit} missed on "
          f"{len(items)} lines; crops in {args.out}")
    if args.labels:
        count = ceiling_counts(missed_words, json.loads(args.labels.read_text()))
        for verdict in VERDICTS + ("unlabelled",):
            print(f"  missed, {verdict:<10}: {count[verdict]:>4} words")
        low, high = hit + count["legible"], hit + count["legible"] + count["borderline"]
        print(f"ceiling (a reader of every legible word): {low / total:.3f}; with the borderline ones "
              f"too: {high / total:.3f}; 0.92 needs {max(0, math.ceil(0.92 * total) - hit)} more words")


VERDICTS = ("absent", "borderline", "legible")
"""absent: the word's ink is not in the scan, or not to be made out (a bitonal scan dropped it, it
lies wholly under dense type or another stamp); borderline: a person who knows the stamp reads it,
one who does not guesses; legible: a person reads it from the crop."""


def ceiling_counts(missed_words: dict[str, int], labels: dict[str, str | list[str]]) -> Counter:
    """Missed words per verdict. A label is one verdict for the line's missed words, or a list of
    verdicts, one per missed word in the order ``missed.json``'s bench row gives them."""
    count: Counter = Counter()
    for key, n in missed_words.items():
        verdict = labels.get(key, "unlabelled")
        for v in (verdict if isinstance(verdict, list) else [verdict] * n)[:n]:
            count[v if v in VERDICTS else "unlabelled"] += 1
    return count


if __name__ == "__main__":
    main()
