"""The command line as a new operator meets it: options where they are typed, help in the order of
the work, one exit code per situation, ``--json`` for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from digitalisering.cli import hoist_global_options, main
from digitalisering.exitcodes import ExitCode

TARGETS = Path(__file__).parents[1] / "batches" / "targets.example.toml"


def test_global_options_are_accepted_after_the_command(tmp_path: Path, delivery):
    root, _ = delivery
    ws = str(tmp_path / "ws")
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", str(root), "--workspace", ws, "--operator", "ann"])
    assert res.exit_code == ExitCode.PAGES_FAILED, res.output
    res = runner.invoke(main, ["status", root.name, f"--workspace={ws}", "-v"])
    assert res.exit_code == ExitCode.PAGES_FAILED and "by ann" in res.output
    assert hoist_global_options(["qa", "check", "b", "--db", "x", "--", "--workspace"]) == [
        "--db", "x", "qa", "check", "b", "--", "--workspace"]


def test_help_lists_the_commands_in_the_order_of_the_work_uncut_with_examples():
    out = CliRunner().invoke(main, ["--help"], terminal_width=200).output
    commands = out.split("Commands:")[1].split("Examples")[0]
    names = [line.split()[0] for line in commands.splitlines() if line.startswith("  ") and line.split()]
    assert names[:6] == ["bag", "ingest", "run", "status", "qa", "package"]
    assert "..." not in commands
    assert "digitalisering run batches/demo --out out/demo" in out
    assert "--accept-redelivery" in out


def test_status_exit_codes_and_json(tmp_path: Path, delivery):
    root, _ = delivery
    ws = ["--workspace", str(tmp_path / "ws")]
    runner = CliRunner()
    runner.invoke(main, [*ws, "ingest", str(root)])
    res = runner.invoke(main, [*ws, "status", root.name, "--json"])
    data = json.loads(res.output)
    assert res.exit_code == ExitCode.PAGES_FAILED  # pages of it are failed now
    assert data["failed"] == 3 and {f["file"] for f in data["failed_pages"]} >= {"BWT-1980-0003/zero.tif"}
    listing = json.loads(runner.invoke(main, [*ws, "status", "--json"]).output)
    assert [b["name"] for b in listing["batches"]] == [root.name]
    # an unknown batch is a wrong command line, the same exit code in status and qa
    for args in (["status", "geen-batch"], ["qa", "check", "geen-batch"], ["qa", "report", "geen-batch"],
                 ["qa", "rescan-list", "geen-batch"]):
        res = runner.invoke(main, [*ws, *args])
        assert res.exit_code == ExitCode.USAGE and "no batch 'geen-batch'" in res.output, args


def test_progress_finds_its_targets_without_the_current_folder(tmp_path: Path, monkeypatch):
    ws = tmp_path / "ws"
    monkeypatch.chdir(Path(__file__).parents[1])  # batches/targets.example.toml is right here: not used
    monkeypatch.delenv("DIGITALISERING_TARGETS", raising=False)
    runner = CliRunner()
    res = runner.invoke(main, ["progress", "--workspace", str(ws)])
    assert res.exit_code == ExitCode.USAGE
    assert "no targets file: give --targets FILE" in res.output and str(ws / "targets.toml") in res.output
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(main, ["progress", "--workspace", str(ws), "--targets", str(TARGETS), "--as-of",
                               "2026-03-02", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["done"]["pages"] == 0 and data["budget_eur"] > 0
    (ws / "targets.toml").write_bytes(TARGETS.read_bytes())
    assert runner.invoke(main, ["progress", "--workspace", str(ws), "--as-of", "2026-03-02"]).exit_code == 0
    monkeypatch.setenv("DIGITALISERING_TARGETS", str(tmp_path / "nope.toml"))
    res = runner.invoke(main, ["progress", "--workspace", str(ws)])
    assert res.exit_code == ExitCode.USAGE and "DIGITALISERING_TARGETS" in res.output


def test_run_lang_is_the_ocr_language_with_a_note(tmp_path: Path):
    (tmp_path / "levering").mkdir()
    res = CliRunner().invoke(main, ["run", str(tmp_path / "levering"), "--out", str(tmp_path / "out"),
                                    "--lang", "nld", "--ocr-lang", "eng", "--workspace", str(tmp_path / "ws")])
    assert res.exit_code == ExitCode.USAGE
    assert "--lang of run is now called --ocr-lang" in res.stderr and "disagree" in res.stderr
