"""results.json's problems are written in one language: the run's (Dutch by default), not Dutch
split problems beside an English line about the missing BAG index."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from digitalisering.cli import main

import pagegen


def test_results_problems_are_in_the_runs_language(tmp_path: Path):
    root = tmp_path / "levering"
    pagegen.save(pagegen.letter_page(), root / "BWT-1950-0001" / "0001.tif", compression="tiff_lzw")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["--taal", "nl", "run", str(root), "--out", str(out), "--no-progress",
                                       "-j", "1", "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 1, result.output  # only complaint: no BAG index
    problems = json.loads((out / "results.json").read_text())["problems"]
    assert problems == ["geen BAG-index in de werkruimte: adressen zijn niet gekoppeld "
                        "(digitalisering bag import EXTRACT.zip)"]
