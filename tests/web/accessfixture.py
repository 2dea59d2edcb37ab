"""A small published workspace with one dossier per access state (shared by the access matrix and
browser tests): an open dossier, a restricted one and one whose public face is a redacted copy
(its BSN and a private person's name burned out), run, decided by an archivist and indexed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digitalisering.access.policy import AccessDecision, Region, decide, load_settings
from digitalisering.catalog import Catalog
from digitalisering.index.build import open_for, rebuild
from digitalisering.store import Store
from digitalisering.workspace import Workspace

OPEN = ("BWT-1961-0101", ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aanvraag om bouwvergunning",
                          "het plaatsen van een dakkapel op het perceel Zeemanlaan 71 te Leiden.",
                          "Hoogachtend,"])
RESTRICTED = ("BWT-1972-0202", ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Huis van bewaring",
                                "tekening van de kluisdeur en de alarmcentrale", "Hoogachtend,"])
REDACTED = ("BWT-1983-0303", ["Gemeente Leiden, dienst Bouw- en Woningtoezicht", "Aanvraag om bouwvergunning",
                              "Aanvrager: Pieternella Grootveld", "BSN: 123456782",
                              "het vergroten van een serre op het perceel Morsweg 138.", "Hoogachtend,"])
SECRETS = ("Pieternella", "Grootveld", "123456782")
"""The words burned out of the redacted copy."""
RESTRICTED_WORDS = ("kluisdeur", "alarmcentrale", "bewaring")
"""Words only the restricted document holds."""
VISIBLE_IN_COPY = "serre"
"""A word of the redacted document that stays in its public copy."""


@dataclass
class Published:
    workspace: Workspace
    batch: str
    dossiers: dict[str, object] = field(default_factory=dict)
    """state -> the catalog's DossierEntry."""
    regions: list[Region] = field(default_factory=list)


def _clean(word: str) -> str:
    return word.strip(".,:;")


def build(base: Path) -> Published:
    import pagegen

    from digitalisering.ingest import ingest_delivery
    from digitalisering.runner import RunOptions, run_batch

    ws = Workspace.open(base / "ws")
    delivery = base / "levering"
    for folder, lines in (OPEN, RESTRICTED, REDACTED):
        pagegen.save(pagegen.page_image(lines, dpi=200), delivery / folder / "0001.tif", dpi=200,
                     compression="tiff_lzw")
    settings = load_settings()
    with Store(ws.database) as store:
        batch = ingest_delivery(store, delivery).batch
        run_batch(store, ws, batch, base / "out", RunOptions(jobs=1, progress=False), "t")
        catalog = Catalog(store, ws)
        out = Published(ws, batch.name)
        for dossier in catalog.dossiers(batch.name):
            state = {OPEN[0]: "open", RESTRICTED[0]: "restricted", REDACTED[0]: "redacted"}[dossier.id]
            out.dossiers[state] = dossier
            for doc in dossier.documents:
                if state == "open":
                    decision = AccessDecision(doc.id, "open", reason="openbaar na beoordeling", who="anna",
                                              source="archivist")
                elif state == "restricted":
                    decision = AccessDecision(doc.id, "restricted", "beveiliging", date(2099, 12, 31),
                                              reason="huis van bewaring", who="anna", source="archivist")
                else:
                    regions = [Region(p.seq, w.left, w.top, w.width, w.height, "test")
                               for p in doc.pages for w in catalog.page_text(batch.name, p.seq).words
                               if _clean(w.text) in SECRETS]
                    found = {_clean(w.text) for p in doc.pages for w in catalog.page_text(batch.name, p.seq).words}
                    assert set(SECRETS) <= found, f"OCR did not read the planted words: {sorted(found)}"
                    out.regions += regions
                    decision = AccessDecision(doc.id, "redacted", "persoonsgegevens", date(2099, 12, 31),
                                              tuple(regions), reason="BSN en naam", who="anna", source="archivist")
                decide(store, batch, decision, settings)
        assert set(out.dossiers) == {"open", "restricted", "redacted"}
        index = open_for(store, ws)
        try:
            rebuild(index, catalog, None)
        finally:
            index.close()
    return out
