"""Sample, decisions, verdict and the rescan cycle, through the library API."""

from __future__ import annotations

import csv
import io

import pytest
from PIL import Image

from digitalisering.ingest import ingest_delivery
from digitalisering.metadata.config import load_archive_config
from digitalisering.qa.config import load_qa_config
from digitalisering.qa.inspection import ACCEPTED, NOT_ACCEPTED, OPEN, ReviewError, open_inspection
from digitalisering.runner import RunOptions, run_batch
from digitalisering.store.records import PageStatus


def test_two_commands_opening_a_batch_at_once_draw_one_sample(qa_run, monkeypatch):
    """qa review and qa check started together: the second to draw finds the first one's sample."""
    from digitalisering.qa import inspection as module
    from digitalisering.store import Store

    def open_(store, who):
        return open_inspection(store, qa_run["workspace"], qa_run["batch"].name, load_qa_config(qa_run["config"]),
                               load_archive_config(), who=who)

    real_draw, others = module.draw, []

    def draw_while_another_command_draws(*args):
        monkeypatch.setattr(module, "draw", real_draw)
        with Store(qa_run["workspace"].database) as other:
            others.append(open_(other, "reviewer"))  # it opens the batch meanwhile and draws first
        return real_draw(*args)

    monkeypatch.setattr(module, "draw", draw_while_another_command_draws)
    with Store(qa_run["workspace"].database) as store:
        insp = open_(store, "checker")
        events = [e for e in store.events(qa_run["batch"].id) if e.action == "qa.sample"]
        assert store.latest_sample(qa_run["batch"].id).id == insp.sample.id == others[0].sample.id
    assert len(events) == 1 and events[0].who == "reviewer"
    assert insp.sample_seqs == others[0].sample_seqs and insp.plan == others[0].plan


def test_the_sample_follows_the_plan_and_is_kept(inspection, qa_run):
    plan = inspection.plan
    lot = [p for p in inspection.results["pages"] if not p.get("is_separator")]
    assert plan.lot_size == len(lot) and plan.aql == "4.0"
    assert (plan.sample_size, plan.acceptance, plan.rejection) == (3, 0, 1)  # code B at AQL 4.0
    sample = inspection.sample_seqs
    assert len(sample) == 3 and set(sample) <= {p["seq"] for p in lot}
    # the same sample when opened again, and the same seed draws the same pages in another workspace
    again = open_inspection(inspection.store, qa_run["workspace"], qa_run["batch"].name,
                            load_qa_config(qa_run["config"]), load_archive_config(), who="x")
    assert again.sample_seqs == sample and again.sample.id == inspection.sample.id
    redrawn = open_inspection(inspection.store, qa_run["workspace"], qa_run["batch"].name,
                              load_qa_config(qa_run["config"]), load_archive_config(), who="x", redraw=True)
    assert redrawn.sample.id != inspection.sample.id and redrawn.sample_seqs == sample  # seed 7 both times


def test_failed_and_blank_pages_are_reviewed_besides_the_sample(inspection):
    failed = {p["seq"] for p in inspection.results["pages"] if p["status"] == "failed"}
    extra = inspection.extra_pages()
    assert failed - set(inspection.sample_seqs) <= set(extra)
    assert all(reasons for reasons in extra.values())
    assert not set(extra) & set(inspection.sample_seqs)


def test_page_with_uncertain_orientation_is_on_the_review_list(inspection):
    from digitalisering.qa.checks import page_findings

    outside = [p for p in inspection.results["pages"] if p["status"] == "done" and not p.get("is_separator")
               and not p.get("is_blank") and p["seq"] not in inspection.sample_seqs]
    assert outside, "the generated delivery has pages outside the sample"
    target = outside[0]
    thresholds = load_qa_config()["thresholds"]
    assert "orientation" not in inspection.extra_pages().get(target["seq"], [])
    inspection.checks.extend(page_findings({**target, "orientation_confidence": 0.2,
                                            "orientation_uncertain": True}, thresholds))
    assert "orientation" in inspection.extra_pages()[target["seq"]]
    assert target["seq"] in inspection.review_list()


def test_verdict_follows_the_acceptance_number(inspection):
    s = inspection.sample_seqs
    assert inspection.verdict().status == OPEN
    inspection.decide(s[0], "approved", None, "archivaris")
    inspection.decide(s[1], "approved", "", "archivaris")
    assert inspection.verdict().status == OPEN
    inspection.decide(s[2], "approved", None, "archivaris")
    v = inspection.verdict()
    assert v.status == ACCEPTED and v.reviewed == 3 and v.rejected == 0
    inspection.decide(s[1], "rejected", "tekst afgesneden aan de rechterkant", "tweede lezer")
    v = inspection.verdict()
    assert v.status == NOT_ACCEPTED and v.rejected == 1  # Re = 1
    history = [d for d in inspection.store.decisions(inspection.batch.id)
               if d.page_id == inspection.page_ids[s[1]]]
    assert [d.decision for d in history] == ["approved", "rejected"]
    assert history[-1].who == "tweede lezer" and history[-1].at and history[-1].sample_id == inspection.sample.id


def test_a_rejection_needs_a_reason_and_a_known_page(inspection):
    with pytest.raises(ReviewError, match="reason"):
        inspection.decide(inspection.sample_seqs[0], "rejected", "  ", "a")
    with pytest.raises(ReviewError, match="not in batch"):
        inspection.decide(99999, "approved", None, "a")
    with pytest.raises(ReviewError, match="decision must be"):
        inspection.decide(inspection.sample_seqs[0], "maybe", None, "a")
    assert inspection.store.decisions(inspection.batch.id) == []


def test_rescan_cycle_keeps_the_history(inspection, qa_run):
    store, batch = inspection.store, inspection.batch
    done = [p for p in inspection.results["pages"] if p["status"] == "done" and p["source"].endswith(".png")]
    seq = done[0]["seq"]
    inspection.decide(seq, "rejected", "pagina scheef en onscherp", "archivaris")
    page = store.page_by_id(inspection.page_ids[seq])
    assert page.status == PageStatus.RESCAN
    rows = list(csv.DictReader(io.StringIO(inspection.rescan_path.read_text(encoding="utf-8")), delimiter=";"))
    place = inspection.places[seq]
    assert [(r["dossier"], r["document"], r["blad"], r["bestand"], r["pagina_in_bestand"], r["reden"],
             r["beoordelaar"]) for r in rows] == [
        (done[0]["dossier"], str(place.document), str(place.blad), done[0]["source"], "1",
         "pagina scheef en onscherp", "archivaris")]
    old_result = page.result_json

    # the scanner re-delivers the file: it replaces the rejected one, the old version is kept
    path = qa_run["root"] / done[0]["source"]
    Image.open(path).convert("L").rotate(0.5, fillcolor=255).save(path)
    report = ingest_delivery(store, qa_run["root"], operator="scanner")
    assert report.redelivered_files == [done[0]["source"]] and not report.changed_files
    history = store.page_history(batch.id)
    assert [(h.page_id, h.status, h.result_json) for h in history] == [(page.id, "rescan", old_result)]
    assert store.page_by_id(page.id).status == PageStatus.PENDING
    assert any(e.action == "file.redelivered" for e in store.events(batch.id))

    run_batch(store, qa_run["workspace"], batch, qa_run["out"], RunOptions(jobs=1, progress=False), "operator")
    assert store.page_by_id(page.id).status == PageStatus.DONE
    again = open_inspection(store, qa_run["workspace"], batch.name, load_qa_config(qa_run["config"]),
                            load_archive_config(), who="archivaris")
    assert again.rescan_rows() == []
    assert seq not in again.current_decisions()  # the new version has not been judged yet
    if seq not in again.sample_seqs:
        assert "redelivered" in again.extra_pages()[seq]


def test_a_changed_file_that_was_not_rejected_is_still_a_fixity_error(inspection, qa_run):
    done = [p for p in inspection.results["pages"] if p["status"] == "done" and p["source"].endswith(".png")]
    path = qa_run["root"] / done[0]["source"]
    Image.open(path).convert("L").save(path)
    report = ingest_delivery(inspection.store, qa_run["root"], operator="scanner")
    assert [c.relpath for c in report.changed_files] == [done[0]["source"]]
    assert not report.redelivered_files


def test_pictures_and_text_of_a_page(inspection):
    seq = next(p["seq"] for p in inspection.results["pages"] if p["status"] == "done" and p.get("ocr"))
    data = inspection.jpeg(seq, 260)
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and max(im.size) <= 260
    assert inspection.ocr_text(seq).strip()


def test_a_formula_in_a_reason_stays_text_in_the_rescan_list(inspection):
    """Issue 16, finding 7: a reviewer's reason `=HYPERLINK(...)` reached the spreadsheet as a formula."""
    seq = inspection.sample_seqs[0]
    reason = '=HYPERLINK("http://example.invalid/x","klik")'
    inspection.decide(seq, "rejected", reason, "archivaris")
    rows = list(csv.DictReader(io.StringIO(inspection.rescan_path.read_text(encoding="utf-8")), delimiter=";"))
    assert [r["reden"] for r in rows] == ["'" + reason]
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
