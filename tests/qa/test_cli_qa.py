"""The qa commands as an operator or archivist types them."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode


def invoke(qa_run, *args):
    return CliRunner().invoke(main, ["--workspace", str(qa_run["workspace"].root), "qa", *args])


def test_check_report_and_rescan_list(qa_run, tmp_path):
    name = qa_run["batch"].name
    res = invoke(qa_run, "check", name, "--config", str(qa_run["config"]))
    assert res.exit_code == ExitCode.QA_FAILED, res.output  # the delivery holds broken files
    assert "FAIL         Processing: BWT-1980-0003 · " in res.output and "sample 3, Ac 0, Re 1" in res.output

    res = invoke(qa_run, "report", name, "--config", str(qa_run["config"]), "--to", str(tmp_path / "r"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "index.html").is_file() and "Verdict on the lot: Not decided yet" in res.output

    res = invoke(qa_run, "report", name, "--taal", "nl")  # default folder in the run's output folder
    assert res.exit_code == 0, res.output
    assert (qa_run["out"] / "qa-rapport" / "bevindingen.csv").is_file()

    res = invoke(qa_run, "check", name, "--config", str(qa_run["config"]), "--json")
    data = json.loads(res.output)
    assert res.exit_code == ExitCode.QA_FAILED and data["counts"]["processing"]["fail"] == 3
    assert data["failed"] == sum(c["fail"] for c in data["counts"].values())
    broken = [f for f in data["findings"] if f["check"] == "processing"]
    assert broken and all(f["dossier"] == "BWT-1980-0003" and f["page_in_file"] == 1 for f in broken)
    assert data["not_run"] == {"address": data["not_run"]["address"]} and "BAG" in data["not_run"]["address"]
    res = invoke(qa_run, "report", name, "--config", str(qa_run["config"]), "--to", str(tmp_path / "r"), "--json")
    data = json.loads(res.output)
    assert res.exit_code == 0 and data["verdict"]["status"] == "open" and data["plan"]["sample"] == 3
    assert data["report"] == str(tmp_path / "r" / "index.html")

    res = invoke(qa_run, "rescan-list", name, "--csv", str(tmp_path / "herscan.csv"))
    assert res.exit_code == 0 and "0 pages to rescan" in res.output
    assert (tmp_path / "herscan.csv").read_text().startswith(
        "dossier;document;blad;bestand;pagina_in_bestand;reden")


def test_unknown_batch_and_bad_config_are_one_line_errors(qa_run, tmp_path):
    res = invoke(qa_run, "check", "geen-batch")
    assert res.exit_code == ExitCode.USAGE and "no batch 'geen-batch'" in res.output
    bad = tmp_path / "qa.toml"
    bad.write_text("[sampling]\nlevel = 'IV'\n")
    res = invoke(qa_run, "report", qa_run["batch"].name, "--config", str(bad))
    assert res.exit_code == ExitCode.USAGE and f"{bad}:2: [sampling] level is \"IV\"; expected an inspection level" \
        in res.output
    assert "Traceback" not in res.output


def test_review_port_in_use_is_one_line_and_exit_6(qa_run):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        res = invoke(qa_run, "review", qa_run["batch"].name, "--port", str(port))
    finally:
        taken.close()
    assert res.exit_code == ExitCode.STATE
    assert res.output.splitlines() == [f"error: port {port} on 127.0.0.1 is already in use by another program "
                                       f"(choose another --port)"]


def test_review_bad_allowed_host_is_a_usage_error(qa_run):
    res = invoke(qa_run, "review", qa_run["batch"].name, "--allowed-host", "http://scan-pc/")
    assert res.exit_code == ExitCode.USAGE and "--allowed-host 'http://scan-pc/'" in res.output


def test_review_server_answers_while_a_connection_hangs_half_open(qa_run):
    """The server as the command starts it: a client that sent half a request line and waits keeps
    nobody else waiting; a foreign Host is refused by the real server too; Ctrl-C stops it."""
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "digitalisering", "--workspace", str(qa_run["workspace"].root), "qa", "review",
         qa_run["batch"].name, "--port", str(port), "--config", str(qa_run["config"])],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:  # the plan, then the address
            lines.append(line)
            if line.startswith("review page:"):
                break
        assert f"http://127.0.0.1:{port}/" in lines[-1], "".join(lines)
        stalled = socket.create_connection(("127.0.0.1", port))
        stalled.sendall(b"GET /api/st")  # half a request line, kept open
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=5) as resp:
            state = json.load(resp)
        assert time.monotonic() - started < 5 and state["verdict"]["status"] == "open"
        foreign = urllib.request.Request(f"http://127.0.0.1:{port}/api/state", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(foreign, timeout=5)
        assert refused.value.code == 400
        stalled.close()
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0 and "stopped; the decisions are stored" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
