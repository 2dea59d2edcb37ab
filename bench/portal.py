"""Search index bench (issue 19, the search part): build rate, memory, search p95, address recall.

    python bench/portal.py --workspace COPY_OF_DEV_WORKSPACE [--pages 50000] [--backends sqlite,postgresql]
                           [--truth-dir /work/shared/data/dossiers] [--queries 200] [--jobs 2]

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
5. Tiles (``bench/iiif_tiles.py``'s ``measure``, runnable alone too): IIIF Image API tile times on a
   copy of the workspace, cold, warm and cached, against reading the region from the page image.
6. A table at the end: search p95, build rates and tile p95 side by side.

4. Address recall on the dev deliveries (needs a workspace whose runs linked addresses to the BAG):
   for every dossier in the truth files and every address of it written in an exact or range form,
   search the BAG address (street, number, letter, addition of each ``bag`` row) and count the
   dossier found.
"""

from __future__ import annotations

import argparse
import os
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digitalisering.catalog import Catalog  # noqa: E402
from digitalisering.index.build import Readers, batch_rows  # noqa: E402
from digitalisering.index.model import PageRow  # noqa: E402
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


def read_source(ws_root: Path, jobs: int) -> tuple[list[DossierRow], float, float, int]:
    """The published dev pages as index rows: (rows, seconds of a cold read including each batch's
    results.json validation, seconds of a warm read of the pages alone, pages)."""
    ws = Workspace.open(ws_root)
    with Store(ws.database) as store:
        cat = Catalog(store, ws)
        with Readers(jobs, ws.database, ws.root) as readers:
            readers.MIN_PAGES = 0  # the dev batches are small; the bench measures the read itself
            started = time.monotonic()
            names = [b.name for b in cat.batches()]
            rows = [r for name in names for r in batch_rows(cat, name, readers)]
            cold = time.monotonic() - started
            started = time.monotonic()
            rows = [r for name in names for r in batch_rows(cat, name, readers)]
            warm = time.monotonic() - started
    pages = sum(len(doc.pages) for d in rows for doc in d.documents)
    return rows, cold, warm, pages


def truth_addresses(truth_dir: Path) -> list[dict]:
    out = []
    for f in sorted(truth_dir.glob("*.truth.json")):
        data = json.loads(f.read_text())
        for d in data["dossiers"]:
            for a in d["addresses"]:
                out.append({"delivery": f.name.split(".")[0], "dossier": d["id"], **a})
    return out


SLIPS = [("e", "c"), ("i", "l"), ("n", "u"), ("rn", "m"), ("o", "0"), ("a", "e"), ("h", "b"), ("l", "1")]
SLIP_SHARE = 0.03


def slipped(page: PageRow, rng: random.Random) -> PageRow:
    """The page with about 3 % of its longer words misread as OCR does (c for e, l for i, m for rn),
    so the vocabulary grows as a real archive's does and fuzzy matching has look-alikes to find."""
    words = list(page.words)
    for i, w in enumerate(words):
        if len(w) >= 5 and rng.random() < SLIP_SHARE:
            a, b = rng.choice(SLIPS)
            k = w.find(a, 1)
            if k > 0:
                words[i] = w[:k] + b + w[k + len(a):]
    return PageRow(page.seq, page.number, tuple(words))


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
            docs = tuple(DocumentRow(f"{did}-{doc.index:02d}", doc.index, doc.type, doc.dates,
                                     tuple(slipped(p, rng) for p in doc.pages)) for doc in real.documents)
            dossiers.append(DossierRow(did, did, real.dates, docs, (address,)))
            pages += sum(len(doc.pages) for doc in docs)
        made += pages
        yield f"syn-{b:05d}", dossiers, pages


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def measure(name: str, index, samples: list[tuple[AddressRow, str]], source: list[DossierRow], queries: int,
            seed: int) -> tuple[float, float, float, float]:
    """Search p95 and median (seconds), address and text, the same queries on every backend."""
    rng = random.Random(seed + 1)
    searcher = Searcher(index)
    addr_t, text_t, misses = [], [], 0
    addr_cpu, text_cpu = [], []
    for k in range(queries):
        row, did = rng.choice(samples)
        number = row.number + (2 if k % 2 and "-" in (row.written or "") else 0)
        t, c = time.monotonic(), time.process_time()
        searcher.search(SearchQuery(f"{row.street} {number}", limit=10))
        addr_t.append(time.monotonic() - t)
        addr_cpu.append(time.process_time() - c)
        misses += did not in {h.dossier for h in searcher.search(SearchQuery(f"{row.street} {number}",
                                                                            limit=500)).hits}
    words = [w for d in source for doc in d.documents for p in doc.pages for w in p.words
             if len(w) >= 6 and w.isalpha()]
    for k in range(queries):
        if k % 4 == 3:
            d = rng.choice(source)
            ws = [w for doc in d.documents for p in doc.pages for w in p.words]
            i = rng.randrange(max(1, len(ws) - 2))
            q = '"' + " ".join(ws[i:i + 2]) + '"'
        else:
            q = rng.choice(words)
        t, c = time.monotonic(), time.process_time()
        searcher.search(SearchQuery(q, mode="text", limit=10))
        text_t.append(time.monotonic() - t)
        text_cpu.append(time.process_time() - c)
    result = (p95(addr_t), statistics.median(addr_t), p95(text_t), statistics.median(text_t))
    print(f"[{name}] load average now {os.getloadavg()[0]:.1f}; this process's CPU time per search, p95: "
          f"address {p95(addr_cpu) * 1000:.1f} ms, text {p95(text_cpu) * 1000:.1f} ms"
          + (" (the database server's CPU is not in it)" if name == "postgresql" else ""))
    print(f"[{name}] address search: p95 {result[0] * 1000:.1f} ms, median {result[1] * 1000:.1f} ms "
          f"({queries} queries; the synthetic dossier missed {misses} times)")
    print(f"[{name}] full-text search: p95 {result[2] * 1000:.1f} ms, median {result[3] * 1000:.1f} ms "
          f"({queries} queries, a quarter phrases; target <= 100 ms)")
    return result


def searched_only(path: Path, source: list[DossierRow], args) -> None:
    """``--index``: the searches again on an index a previous run built (kept with ``--keep``)."""
    index = SqliteIndex(path)
    pages = sum(r[2] for r in index.batches().values())
    rows = index.conn.execute(
        "SELECT a.street, a.number, a.written, s.dossier FROM addresses a JOIN dossiers s ON s.id = a.dossier_id "
        "WHERE a.in_range = 0 AND a.street IS NOT NULL ORDER BY a.rowid DESC LIMIT 400").fetchall()
    samples = [(AddressRow(r[0], r[1], written=r[2]), r[3]) for r in rows]
    print(f"\n[sqlite] searching the index in {path}: {pages:,} pages")
    measure("sqlite", index, samples, source, args.queries, args.seed)
    index.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", type=Path, required=True, help="a copy of the dev workspace (read only here)")
    ap.add_argument("--pages", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--truth-dir", type=Path, default=Path("/work/shared/data/dossiers"))
    ap.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    ap.add_argument("--jobs", type=int, default=2, help="processes reading the stored OCR")
    ap.add_argument("--index", type=Path, help="only search this SQLite index (built by an earlier run)")
    ap.add_argument("--keep", type=Path, help="keep the SQLite index built here (for --index)")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--tile-pages", type=int, default=12, help="pages for the tile section (0: no tiles)")
    ap.add_argument("--tiles", type=int, default=40, help="tiles per page in the tile section")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    source, cold_s, warm_s, read_pages = read_source(args.workspace, args.jobs)
    read_rate = read_pages * 60 / warm_s if warm_s else float("inf")
    print(f"source: {len(source)} dossiers, {read_pages} pages read through the catalog from stored OCR with "
          f"{args.jobs} process(es): {read_rate:,.0f} pages/min (first read, with each batch's results.json "
          f"validated: {read_pages * 60 / cold_s:,.0f} pages/min)")
    truth = truth_addresses(args.truth_dir)
    streets = sorted({(r["openbare_ruimte"], r.get("postcode")) for a in truth for r in a.get("bag", [])
                      if r.get("openbare_ruimte")})
    if not streets:
        streets = [("Breestraat", None)]

    if args.index:
        searched_only(args.index, source, args)
        return
    report = {}
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    backends = [name for name in ("sqlite", "postgresql") if name in wanted]
    pg = None
    tmp = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    try:
        for name in backends:
            if name == "sqlite":
                index = SqliteIndex(tmp / "search.sqlite")
            else:  # a private server from Debian's package, started when its turn comes
                sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
                from pgserver import PgServer

                from digitalisering.index.postgres import PostgresIndex
                pg = PgServer()
                index = PostgresIndex(pg.new_database())
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
            combined = min(rate, read_rate)  # the workers read ahead while the index writes
            print(f"\n[{name}] built {built:,} pages in {build_s:.1f} s = {rate:,.0f} pages/min into the index; "
                  f"from stored OCR (catalog read by workers overlapping the index writes) {combined:,.0f} pages/min (target >= 20,000)")
            print(f"[{name}] resident memory at each tenth of the build (MB): {mem}")
            report[name] = measure(name, index, samples, source, args.queries, args.seed) + (rate, combined, mem)
            if name == "sqlite" and args.keep:
                index.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                shutil.copyfile(tmp / "search.sqlite", args.keep)
            index.close()
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    recall(args.workspace, truth)
    tiles = None
    if args.tile_pages:
        import iiif_tiles

        print()
        tiles = iiif_tiles.measure(args.workspace, args.tile_pages, args.tiles, seed=args.seed)
        if tiles is None:
            print(f"tiles: no published pages in {args.workspace}")
        else:
            iiif_tiles.report(tiles)
    table(report, tiles, read_rate, args)


def table(report: dict, tiles: dict | None, read_rate: float, args) -> None:
    """Search, build and tile figures side by side (issue 19's targets in the last column)."""
    names = list(report)
    rows = [("search p95, address (ms)", [f"{report[n][0] * 1000:.1f}" for n in names], "<= 100"),
            ("search median, address (ms)", [f"{report[n][1] * 1000:.1f}" for n in names], ""),
            ("search p95, full text (ms)", [f"{report[n][2] * 1000:.1f}" for n in names], "<= 100"),
            ("search median, full text (ms)", [f"{report[n][3] * 1000:.1f}" for n in names], ""),
            ("index writes (pages/min)", [f"{report[n][4]:,.0f}" for n in names], ""),
            ("build from stored OCR (pages/min)", [f"{report[n][5]:,.0f}" for n in names], ">= 20,000"),
            ("memory first/last tenth (MB)", [f"{report[n][6][0]}/{report[n][6][-1]}" if report[n][6] else "-"
                                              for n in names], "flat")]
    if tiles is not None:
        for label, key in (("tile p95, warm (ms)", "warm"), ("tile p95, cold new process (ms)", "cold"),
                           ("tile p95, cached (ms)", "cached"), ("tile p95, first of a page (ms)", "first")):
            value = f"{_pct(tiles[key], 0.95):.1f}"
            rows.append((label, [value] * len(names), "<= 50" if key == "warm" else ""))
    width = max(len(r[0]) for r in rows)
    print(f"\nside by side at {args.pages:,} pages ({args.queries} queries each; tiles on {args.tile_pages} pages, "
          f"the same for both backends)")
    print(f"{'':<{width}}  " + "  ".join(f"{n:>12}" for n in names) + f"  {'target':>10}")
    for label, values, target in rows:
        print(f"{label:<{width}}  " + "  ".join(f"{v:>12}" for v in values) + f"  {target:>10}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


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
