"""A report file the operator names never replaces an archival file (results, PDFs, ALTO, scans, packages)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.errors import StateError
from digitalisering.reportfiles import check_report_target
from digitalisering.store import Store

REPO = Path(__file__).resolve().parents[1]
TARGETS = REPO / "batches" / "targets.example.toml"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(processed, *args: str):
    return CliRunner().invoke(main, ["--workspace", str(processed["workspace"].root), "--taal", "en", *args])


@pytest.fixture
def archival(processed):
    out: Path = processed["out"]
    pdf = next(out.glob("*/*.pdf"))
    alto = next(out.glob("*/*.alto.xml"))
    scan = next(p for p in processed["root"].rglob("*") if p.is_file())
    files = [out / "results.json", pdf, alto, scan]
    before = {f: digest(f) for f in files}
    yield files
    assert {f: digest(f) for f in files} == before, "an archival file was changed"


def test_progress_csv_and_html_refuse_archival_files(processed, archival):
    for target in archival:
        for option in ("--csv", "--html"):
            res = cli(processed, "progress", "--targets", str(TARGETS), option, str(target))
            assert res.exit_code == 6, (target, res.output)
            assert "write the report elsewhere" in res.output or "elsewhere" in (res.stderr or "")


def test_rescan_list_and_premis_refuse_archival_files(processed, archival):
    batch = processed["batch"].name
    for target in archival:
        assert cli(processed, "qa", "rescan-list", batch, "--csv", str(target)).exit_code == 6
        assert cli(processed, "events", batch, "--premis", str(target)).exit_code == 6


def test_a_report_beside_the_outputs_or_elsewhere_is_written(processed, tmp_path):
    res = cli(processed, "progress", "--targets", str(TARGETS), "--csv", str(tmp_path / "weken.csv"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "weken.csv").read_text(encoding="utf-8").strip()
    with Store(processed["workspace"].database) as store:
        # a new file in the output folder is fine (no run wrote it, no run will write there)
        assert check_report_target(store, processed["out"] / "herscan.csv") == (processed["out"] / "herscan.csv").resolve()


def test_links_folders_and_packages_are_refused(processed, tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(processed["out"] / "results.json")
    bag = tmp_path / "pakket"
    (bag / "data").mkdir(parents=True)
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\n", encoding="utf-8")
    with Store(processed["workspace"].database) as store:
        for target, why in ((link, "symbolic link"), (tmp_path, "folder"), (bag / "data" / "x.csv", "package")):
            with pytest.raises(StateError, match=why):
                check_report_target(store, target)


def test_the_workspace_and_the_state_database_are_refused(processed, tmp_path):
    """Before: ``events B --premis WORKSPACE/state.sqlite`` replaced the state database with the XML
    (every batch, decision, correction and account gone; the next command: "file is not a database")."""
    ws = processed["workspace"]
    batch = processed["batch"].name
    state = ws.database
    before = digest(state)
    for target in (state, state.with_name(state.name + "-wal"), ws.root / "model" / "current",
                   ws.root / "verslag.csv"):
        for args in (("events", batch, "--premis", str(target)), ("qa", "rescan-list", batch, "--csv", str(target)),
                     ("progress", "--targets", str(TARGETS), "--csv", str(target))):
            res = cli(processed, *args)
            assert res.exit_code == 6, (args, res.output)
            assert "workspace" in res.output and len(res.output.strip().splitlines()) == 1, res.output
            assert not target.exists() or target == state
    assert digest(state) == before
    with Store(state) as store:  # --db elsewhere: the database file and its companions, not their folder
        with pytest.raises(StateError, match="state database"):
            check_report_target(store, state.with_name(state.name + "-shm"))
        assert check_report_target(store, tmp_path / "verslag.xml") == (tmp_path / "verslag.xml").resolve()
