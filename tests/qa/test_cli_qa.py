"""The qa commands as an operator or archivist types them."""

from __future__ import annotations

from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode


def invoke(qa_run, *args):
    return CliRunner().invoke(main, ["--workspace", str(qa_run["workspace"].root), "qa", *args])


def test_check_report_and_rescan_list(qa_run, tmp_path):
    name = qa_run["batch"].name
    res = invoke(qa_run, "check", name, "--config", str(qa_run["config"]))
    assert res.exit_code == ExitCode.QA_FAILED, res.output  # the delivery holds broken files
    assert "FAIL processing" in res.output and "sample 3, Ac 0, Re 1" in res.output

    res = invoke(qa_run, "report", name, "--config", str(qa_run["config"]), "--to", str(tmp_path / "r"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "index.html").is_file() and "verdict: open" in res.output

    res = invoke(qa_run, "report", name)  # default folder in the run's output folder
    assert res.exit_code == 0, res.output
    assert (qa_run["out"] / "qa-rapport" / "bevindingen.csv").is_file()

    res = invoke(qa_run, "rescan-list", name, "--csv", str(tmp_path / "herscan.csv"))
    assert res.exit_code == 0 and "0 page(s) to rescan" in res.output
    assert (tmp_path / "herscan.csv").read_text().startswith("volgnummer;bestand;pagina")


def test_unknown_batch_and_bad_config_are_one_line_errors(qa_run, tmp_path):
    res = invoke(qa_run, "check", "geen-batch")
    assert res.exit_code == ExitCode.STATE and "no batch 'geen-batch'" in res.output
    bad = tmp_path / "qa.toml"
    bad.write_text("[sampling]\nlevel = 'IV'\n")
    res = invoke(qa_run, "report", qa_run["batch"].name, "--config", str(bad))
    assert res.exit_code == ExitCode.USAGE and f"{bad}:2: [sampling] level is \"IV\"; expected an inspection level" \
        in res.output
    assert "Traceback" not in res.output
