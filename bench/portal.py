"""Search index bench (issue 19, the search part): build rate, memory, search p95, address recall.

    python bench/portal.py --workspace COPY_OF_DEV_WORKSPACE [--pages 50000] [--no-postgresql]
                           [--truth-dir /work/shared/data/dossiers] [--queries 200]

1. Source: the pages the dev runs published, read through the catalog from the stored OCR (the
   rate of that read is measured: it is the "from stored OCR" part of building).
2. Growth: synthetic batches of 1,000 pages made from those pages (each synthetic dossier copies a
   real one's documents and words under a new id and a new address drawn from the BAG rows of the
   truth files, a third of them written as ranges), until ``--pages``; every batch goes in with
   ``replace_batch`` as a run would. Build rate = pages per minute of ``replace_batch``; combined
   with the catalog read rate it gives the build rate from stored OCR. Memory: the process's
   resident size after each tenth of the build (flat = the last tenth is not above the first's by
   more than the SQLite page cache).
3. Search p95 on each backend side by side: address queries (synthetic addresses, exact and a
   number inside a range) and full-text queries (words of middling frequency, with fuzzy matching
   on, and phrases), timed end to end through ``Searcher.search``.
4. Address recall on the dev deliveries (needs a workspace whose runs linked addresses to the BAG):
   for every dossier in the truth files and every address of it written in an exact or range form,
   search the BAG address (street, number, letter, addition of each ``bag`` row) and count the
   dossier found.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digitalisering.catalog import Catalog  # noqa: E402
from digitalisering.index.build import dossier_row  # noqa: E402
from digitalisering.index.model import AddressRow, DocumentRow, DossierRow, SearchQuery  # noqa: E402
from digitalisering.index.search import Searcher  # noqa: E402
from digitalisering.index.sqlite import SqliteIndex  # noqa: E402
from digitalisering.store import Store  # noqa: E402
from digitalisering.workspace import Workspace  # noqa: E402

BATCH_PAGES = 1000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_source(ws_root: Path) -> tuple[list[DossierRow], float, int]:
    ws = Workspace.open(ws_root)
    with Store(ws.database) as store:
        cat = Catalog(store, ws)
        started = time.monotonic()
        rows = [dossier_row(cat, d) for b in cat.batches() for d in cat.dossiers(b.name)]
        seconds = time.monotonic() - started
    pages = sum(len(doc.pages) for d in rows for doc in d.documents)
    return rows, seconds, pages


def truth_addresses(truth_dir: Path) -> list[dict]:
    out = []
    for f in sorted(truth_dir.glob("*.truth.json")):
        data = json.loads(f.read_text())
        for d in data["dossiers"]:
            for a in d["addresses"]:
                out.append({"delivery": f.name.split(".")[0], "dossier": d["id"], **a})
    return out


def synthetic(source: list[DossierRow], streets: list[tuple[str, str | None]], n_pages: int, rng: random.Random):
    """Batches of about BATCH_PAGES pages; yields (batch name, dossier rows, their addresses)."""
    made, b = 0, 0
    while made < n_pages:
        b += 1
        dossiers, pages = [], 0
        while pages < BATCH_PAGES and made + pages < n_pages:
            real = rng.choice(source)
            street, postcode = rng.choice(streets)
            number = rng.randrange(1, 200)
            ranged = rng.random() < 0.33
            written = f"{street} {number}-{number + 2}" if ranged else f"{street} {number}"
            address = AddressRow(street, number, None, None, postcode, f"0546200{rng.randrange(10**9):09d}",
                                 None, None, written, "exact", "object")
            did = f"SYN-{b:05d}-{len(dossiers):04d}"
            docs = tuple(DocumentRow(f"{did}-{doc.index:02d}", doc.index, doc.type, doc.dates, doc.pages)
                         for doc in real.documents)
            dossiers.append(DossierRow(did, did, real.dates, docs, (address,)))
            pages += sum(len(doc.pages) for doc in docs)
        made += pages
        yield f"syn-{b:05d}", dossiers, pages


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", type=Path, required=True, help="a copy of the dev workspace (read only here)")
    ap.add_argument("--pages", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--truth-dir", type=Path, default=Path("/work/shared/data/dossiers"))
    ap.add_argument("--no-postgresql", action="store_true")
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    source, read_s, read_pages = read_source(args.workspace)
    read_rate = read_pages * 60 / read_s if read_s else float("inf")
    print(f"source: {len(source)} dossiers, {read_pages} pages read through the catalog from stored OCR "
          f"in {read_s:.2f} s = {read_rate:,.0f} pages/min")
    truth = truth_addresses(args.truth_dir)
    streets = sorted({(r["openbare_ruimte"], r.get("postcode")) for a in truth for r in a.get("bag", [])
                      if r.get("openbare_ruimte")})
    if not streets:
        streets = [("Breestraat", None)]

    backends = [("sqlite", None)]
    pg = None
    if not args.no_postgresql:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from pgserver import PgServer
        pg = PgServer()
        backends.append(("postgresql", pg.new_database()))
    tmp = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    try:
        report = {}
        for name, url in backends:
            if name == "sqlite":
                index = SqliteIndex(tmp / "search.sqlite")
            else:
                from digitalisering.index.postgres import PostgresIndex
                index = PostgresIndex(url)
            rng_b = random.Random(args.seed)
            samples, build_s, built, mem = [], 0.0, 0, []
            checkpoints = {int(args.pages * k / 10) for k in range(1, 11)}
            next_mark = sorted(checkpoints)
            for batch, dossiers, pages in synthetic(source, streets, args.pages, rng_b):
                t = time.monotonic()
                index.replace_batch(batch, dossiers)
                build_s += time.monotonic() - t
                built += pages
                if len(samples) < 400:
                    samples += [(d.addresses[0], d.id) for d in dossiers[:3]]
                while next_mark and built >= next_mark[0]:
                    mem.append(round(rss_mb()))
                    next_mark.pop(0)
            rate = built * 60 / build_s
            combined = 1 / (1 / rate + 1 / read_rate)
            print(f"\n[{name}] built {built:,} pages in {build_s:.1f} s = {rate:,.0f} pages/min into the index; "
                  f"from stored OCR (catalog read + index) {combined:,.0f} pages/min (target >= 20,000)")
            print(f"[{name}] resident memory at each tenth of the build (MB): {mem}")
            searcher = Searcher(index)
            addr_t, text_t, misses = [], [], 0
            for k in range(args.queries):
                row, did = rng.choice(samples)
                number = row.number + (2 if k % 2 and "-" in (row.written or "") else 0)
                t = time.monotonic()
                res = searcher.search(SearchQuery(f"{row.street} {number}", limit=10))
                addr_t.append(time.monotonic() - t)
                misses += did not in {h.dossier for h in searcher.search(SearchQuery(f"{row.street} {number}",
                                                                                    limit=500)).hits}
            words = [w for d in source for doc in d.documents for p in doc.pages for w in p.words
                     if len(w) >= 6 and w.isalpha()]
            for k in range(args.queries):
                if k % 4 == 3:
                    d = rng.choice(source)
                    ws = [w for doc in d.documents for p in doc.pages for w in p.words]
                    i = rng.randrange(max(1, len(ws) - 2))
                    q = '"' + " ".join(ws[i:i + 2]) + '"'
                else:
                    q = rng.choice(words)
                t = time.monotonic()
                searcher.search(SearchQuery(q, mode="text", limit=10))
                text_t.append(time.monotonic() - t)
            report[name] = (p95(addr_t), statistics.median(addr_t), p95(text_t), statistics.median(text_t))
            print(f"[{name}] address search: p95 {report[name][0] * 1000:.1f} ms, median "
                  f"{report[name][1] * 1000:.1f} ms ({args.queries} queries; the synthetic dossier missed "
                  f"{misses} times)")
            print(f"[{name}] full-text search: p95 {report[name][2] * 1000:.1f} ms, median "
                  f"{report[name][3] * 1000:.1f} ms ({args.queries} queries, a quarter phrases; target <= 100 ms)")
            index.close()
        if len(report) == 2:
            s, p = report["sqlite"], report["postgresql"]
            print(f"\nside by side (p95 ms): address sqlite {s[0] * 1000:.1f} / postgresql {p[0] * 1000:.1f}; "
                  f"text sqlite {s[2] * 1000:.1f} / postgresql {p[2] * 1000:.1f}")
    finally:
        if pg is not None:
            pg.stop()
    recall(args.workspace, truth)


def recall(ws_root: Path, truth: list[dict]) -> None:
    """Every dossier found at each of its addresses written in an exact or range form."""
    from digitalisering.bag.index import INDEX_FILE as BAG_FILE
    from digitalisering.index.build import open_for

    ws = Workspace.open(ws_root)
    with Store(ws.database) as store:
        index = open_for(store, ws)
        indexed = set(index.batches())
        searcher = Searcher(index, ws.root / BAG_FILE)
        by_form: dict[str, list[int]] = {"exact": [0, 0], "range": [0, 0]}
        missed = []
        for a in truth:
            if a["delivery"] not in indexed:
                continue
            forms = set(a.get("forms", []))
            if forms & {"corner", "no_number"}:
                continue  # no house number written: not an exact or range form
            form = "range" if "range" in forms else "exact"
            for r in a.get("bag", []):
                q = f"{r['openbare_ruimte']} {r['huisnummer']}{r.get('huisletter') or ''}" + \
                    (f"-{r['toevoeging']}" if r.get("toevoeging") else "")
                hits = {h.dossier for h in searcher.search(SearchQuery(q, limit=500, mode="address")).hits}
                by_form[form][1] += 1
                if a["dossier"] in hits:
                    by_form[form][0] += 1
                else:
                    missed.append((a["dossier"], form, q, a["written"]))
        index.close()
    print(f"\naddress recall on the dev deliveries indexed in {ws_root} ({', '.join(sorted(indexed))}):")
    for form, (ok, n) in by_form.items():
        print(f"  {form}: {ok}/{n} = {ok / n:.3f}" if n else f"  {form}: no addresses")
    for m in missed[:20]:
        print(f"  missed: {m}")


if __name__ == "__main__":
    main()
