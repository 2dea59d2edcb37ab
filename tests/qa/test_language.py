"""The QA report and its CSV in the reader's language: Dutch words for the verdict and the findings'
values, never the program's own codes (``not_accepted``, ``fail``)."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode


def test_a_rejected_lot_in_dutch_and_in_english(qa_run, inspection, tmp_path):
    inspection.decide(inspection.sample_seqs[0], "rejected", "onleesbaar", "archivaris")
    ws = ["--workspace", str(qa_run["workspace"].root)]
    name, config = qa_run["batch"].name, str(qa_run["config"])
    runner = CliRunner()
    nl = runner.invoke(main, ["qa", "report", name, "--config", config, "--to", str(tmp_path / "nl"), "--taal", "nl",
                              *ws])
    assert nl.exit_code == ExitCode.QA_FAILED
    assert "Oordeel over de partij: Afgekeurd: 1 afgekeurd in de steekproef (Re 1)" in nl.output
    assert "not_accepted" not in nl.output and "verdict" not in nl.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "nl" / "bevindingen.csv").read_text(encoding="utf-8")),
                               delimiter=";"))
    assert {r["status"] for r in rows} <= {"fout", "waarschuwing"} and "Verwerking" in {r["controle"] for r in rows}
    assert {r["extra_beoordelen"] for r in rows} <= {"ja", ""}

    en = runner.invoke(main, ["qa", "report", name, "--config", config, "--to", str(tmp_path / "en"), "--taal", "en",
                              *ws])
    assert en.exit_code == ExitCode.QA_FAILED and "Verdict on the lot: Not accepted" in en.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "en" / "findings.csv").read_text(encoding="utf-8"))))
    assert {r["status"] for r in rows} <= {"fail", "warning"} and "Processing" in {r["check"] for r in rows}
