"""The scanning station is recorded per file at ingest and progress reports per station: pages,
dossiers, pages per hour (from the files' modification times), failed pages and rescans."""

import csv
import io
import os
from datetime import date, datetime, timezone
from pathlib import Path

import pagegen
from click.testing import CliRunner
from PIL import Image

from digitalisering.cli import main
from digitalisering.ingest import ingest_delivery
from digitalisering.progress.compute import compute_progress, observe
from digitalisering.progress.report import (
    html_page, progress_json, station_table, terminal_table, write_station_csv,
)
from digitalisering.progress.targets import parse_targets
from digitalisering.store.records import PageStatus

TARGETS = {
    "project": {"name": "Stations", "start": date(2026, 1, 5), "end": date(2026, 3, 27),
                "working_days": ["mon", "tue", "wed", "thu", "fri"]},
    "estimate": {"dossiers": 10, "pages": 100, "large_format_sheets": 0},
    "budget": {"total_eur": 20000, "fixed_eur": 0, "per_a4_page_eur": 1, "per_large_format_sheet_eur": 1,
               "per_dossier_preparation_eur": 1},
}
T0 = datetime(2026, 1, 6, 8, 0, tzinfo=timezone.utc).timestamp()


def _delivery(root: Path, dossiers: dict[str, int], minutes_apart: float) -> Path:
    """Dossier folders of small PNG pages, written ``minutes_apart`` after one another."""
    n = 0
    for dossier, pages in dossiers.items():
        for i in range(pages):
            path = root / dossier / f"{i + 1:04d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("L", (200, 280), 255).save(path)
            os.utime(path, (T0 + n * minutes_apart * 60,) * 2)
            n += 1
    return root


def test_station_recorded_and_counted_per_station(store, tmp_path: Path):
    # station A scans 5 pages in one hour (every 15 minutes); station B 2 pages, one minute apart
    a = ingest_delivery(store, _delivery(tmp_path / "a", {"BWT-1950-0001": 3, "BWT-1950-0002": 2}, 15),
                        operator="anna", station="scan-A")
    b = ingest_delivery(store, _delivery(tmp_path / "b", {"BWT-1960-0001": 2}, 1), operator="bram",
                        station="scan-B")
    assert {f.station for f in store.files(a.batch.id)} == {"scan-A"}
    first = store.files(a.batch.id)[0]
    assert first.scanned_at.startswith("2026-01-06T08:00:00")
    assert any(e.detail.get("station") == "scan-B" for e in store.events(b.batch.id) if e.action == "ingest")
    for page in store.pages(a.batch.id):
        store.finish_page(page.id, PageStatus.DONE, pagegen.stored_result(), None, at="2026-01-07T10:00:00+00:00")
    b_pages = store.pages(b.batch.id)
    store.finish_page(b_pages[0].id, PageStatus.FAILED, None, "unreadable", at="2026-01-07T10:00:00+00:00")
    store.finish_page(b_pages[1].id, PageStatus.RESCAN, pagegen.stored_result(), None,
                      at="2026-01-07T10:00:00+00:00")

    obs = observe(store)
    assert obs.by_station["scan-A"]["pages"] == 5 and obs.by_station["scan-A"]["dossiers"] == 2
    assert obs.pages_per_hour("scan-A") == 5.0  # 5 pages from 08:00 to 09:00
    assert obs.pages_per_hour("scan-B") is None  # one minute of scanning says nothing
    assert (obs.by_station["scan-B"]["failed"], obs.by_station["scan-B"]["rescan"]) == (1, 1)

    p = compute_progress(parse_targets(TARGETS), obs, datetime(2026, 1, 9).date())
    head, rows = station_table(p, "nl")
    assert head[0] == "scanstation" and head[3] == "pagina's per uur"
    assert rows == [("scan-A", "5", "2", "5", "0", "0"), ("scan-B", "0", "0", "–", "1", "1")]
    text = terminal_table(p, "nl")
    assert "Per scanstation" in text and "scan-B" in text
    assert "Per scanning station" in terminal_table(p, "en")
    assert progress_json(p)["stations"]["scan-A"] == {"pages": 5, "dossiers": 2, "pages_per_hour": 5.0,
                                                      "scan_hours": 1.0, "failed": 0, "rescan": 0}
    buf = io.StringIO()
    write_station_csv(p, buf)
    assert list(csv.reader(io.StringIO(buf.getvalue()), delimiter=";"))[:2] == [
        ["station", "pages", "dossiers", "pages_per_hour", "failed", "rescan"], ["scan-A", "5", "2", "5.0", "0", "0"]]
    assert "<table id='stations'>" in html_page(p, "nl") and "scan-A" in html_page(p, "nl")


def test_station_from_the_command_line_and_the_environment(tmp_path: Path, monkeypatch):
    ws = ["--workspace", str(tmp_path / "ws")]
    one = _delivery(tmp_path / "one", {"BWT-1950-0001": 1}, 1)
    two = _delivery(tmp_path / "two", {"BWT-1950-0002": 1}, 1)
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(one), "--station", "scan-3", *ws]).exit_code == 0
    monkeypatch.setenv("DIGITALISERING_STATION", "scan-7")
    res = runner.invoke(main, ["ingest", str(two), *ws])
    assert res.exit_code == 0 and "scan-7" in res.output
    targets = tmp_path / "targets.toml"
    targets.write_text('[project]\nname = "x"\nstart = 2026-01-05\nend = 2026-03-27\n'
                       '[estimate]\ndossiers = 10\npages = 100\nlarge_format_sheets = 0\n'
                       '[budget]\ntotal_eur = 1000\nfixed_eur = 0\nper_a4_page_eur = 1\n'
                       'per_large_format_sheet_eur = 1\nper_dossier_preparation_eur = 1\n')
    res = runner.invoke(main, ["progress", "--targets", str(targets), "--json", *ws])
    assert res.exit_code == 0, res.output
    import json

    assert set(json.loads(res.output)["stations"]) == {"scan-3", "scan-7"}
    out = tmp_path / "stations.csv"
    res = runner.invoke(main, ["progress", "--targets", str(targets), "--stations-csv", str(out), *ws])
    assert res.exit_code == 0 and "scan-3" in res.output and out.read_text().startswith("station;pages")
