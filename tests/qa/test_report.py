"""The static QA report: what the archivist opens."""

from __future__ import annotations

import csv
import io
import re

from digitalisering.qa.report import write_report


def test_report_folder(inspection, tmp_path):
    inspection.decide(inspection.sample_seqs[0], "rejected", "onleesbaar", "archivaris")
    summary = write_report(inspection, tmp_path / "rapport", who="archivaris")
    root = summary.path
    html = (root / "index.html").read_text(encoding="utf-8")
    assert "Kwaliteitsrapport" in html and inspection.batch.name in html
    assert "Afgekeurd: 1 afgekeurd in de steekproef (Re 1)" in html
    assert "AQL 4,0" in html and "steekproef 3" in html  # the Dutch way
    sample_cards = re.findall(r'<div class="card" data-seq="(\d+)"', html.split('id="sample"')[1].split('id="extra"')[0])
    assert sorted(map(int, sample_cards)) == inspection.sample_seqs
    for seq in inspection.sample_seqs:
        assert (root / "img" / f"thumb-{seq}.jpg").stat().st_size > 500
        assert (root / "img" / f"page-{seq}.jpg").is_file()
        page = (root / "pages" / f"{seq}.html").read_text(encoding="utf-8")
        assert "Herkende tekst (OCR)" in page and inspection.pages_by_seq[seq]["source"] in page
    rows = list(csv.reader(io.StringIO((root / "bevindingen.csv").read_text(encoding="utf-8")), delimiter=";"))
    assert rows[0] == ["status", "controle", "dossier", "document", "blad", "bestand", "pagina_in_bestand",
                       "bevinding", "extra_beoordelen"]
    assert len(rows) - 1 == len(inspection.checks.problems())
    # the broken files of the delivery, in Dutch, with the dossier and the file they are in
    broken = [r for r in rows[1:] if r[0] == "fout" and r[1] == "Verwerking"]
    assert broken and all(r[2] == "BWT-1980-0003" and r[5].startswith("BWT-1980-0003/") and r[6] == "1"
                          for r in broken)
    assert all(r[0] in ("fout", "waarschuwing") and r[8] in ("", "ja") for r in rows[1:])
    assert not any("not_accepted" in c or c in ("fail", "warn") for r in rows[1:] for c in r)
    # people read dossier, document and blad, not the batch's sequence numbers
    assert "Pagina 0" not in html and re.search(r"BWT-\d{4}-\d{4} · document \d+ · blad \d+", html)
    assert not summary.image_failures or all("page" in f for f in summary.image_failures)


def test_report_in_english_replaces_the_old_one(inspection, tmp_path):
    target = tmp_path / "report"
    write_report(inspection, target, who="a")
    (target / "pages" / "99999.html").write_text("a page of an earlier sample")
    write_report(inspection, target, who="a", lang="en")
    html = (target / "index.html").read_text(encoding="utf-8")
    assert "Quality report" in html and "Not decided yet" in html
    assert (target / "findings.csv").is_file() and not (target / "pages" / "99999.html").exists()
    assert not list(tmp_path.glob(".report.*"))


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_never_replaces_a_folder_that_is_not_a_report(inspection, tmp_path):
    """``--to`` an existing folder used to be removed whole and replaced by the report: a folder of
    one's own, the run's output folder (the archival result), a report someone added a note to."""
    import pytest

    from digitalisering.errors import StateError

    own = tmp_path / "mijn-map"
    own.mkdir()
    (own / "aantekeningen.txt").write_text("niet weggooien")
    noted = tmp_path / "rapport"
    write_report(inspection, noted, who="a")
    (noted / "opmerking.txt").write_text("gezien, akkoord")
    linked = tmp_path / "link"
    linked.symlink_to(own, target_is_directory=True)
    for target in (own, inspection.out_dir, noted, linked):
        before = _tree(target)
        with pytest.raises(StateError, match="is not a QA report"):
            write_report(inspection, target, who="a")
        assert _tree(target) == before and before
    assert (linked.is_symlink() and not list(tmp_path.glob(".*.part")) + list(tmp_path.glob(".*.old")))


def test_report_is_never_made_inside_the_delivery(inspection):
    """``qa report --to DELIVERY/rapport`` was made, and the next ingest took its page pictures
    (img/*.jpg) for new scans."""
    from pathlib import Path

    import pytest

    from digitalisering.errors import StateError

    delivery = Path(inspection.results["batch"]["delivery"])
    before = sorted(p for p in delivery.rglob("*"))
    with pytest.raises(StateError, match="inside the delivery"):
        write_report(inspection, delivery / "rapport", who="a")
    assert sorted(p for p in delivery.rglob("*")) == before


def test_a_report_killed_between_its_two_renames_gets_the_earlier_one_back(inspection, tmp_path, monkeypatch):
    """Replacing a report is two renames (the old one aside, the new one in). Killed between them,
    the earlier report was hidden in ``.NAME.old`` and its place stayed empty, also after the next
    report failed (and ``.NAME.old`` was never removed). Now the next report puts it back first."""
    import os

    import pytest

    from digitalisering.qa import report as report_module

    target = tmp_path / "rapport"
    write_report(inspection, target, who="a")
    before = _tree(target)
    real_replace = os.replace

    def killed_after_first(src, dst):
        real_replace(src, dst)
        if str(dst).endswith(".rapport.old"):
            raise KeyboardInterrupt  # SIGKILL here: nothing after runs
    monkeypatch.setattr(report_module.os, "replace", killed_after_first)
    with pytest.raises(KeyboardInterrupt):
        write_report(inspection, target, who="a")
    monkeypatch.undo()
    assert not target.exists() and (tmp_path / ".rapport.old").is_dir()

    def fails(*args, **kwargs):
        raise RuntimeError("the next report fails before it is complete")
    monkeypatch.setattr(report_module, "_write", fails)
    with pytest.raises(RuntimeError):
        write_report(inspection, target, who="a")
    assert _tree(target) == before and not (tmp_path / ".rapport.old").exists()
