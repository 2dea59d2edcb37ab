"""`digitalisering user ...` and `digitalisering portal`: accounts from the command line (the
password from a prompt or standard input, never an argument), one-line errors with their exit
codes, the portal served by gunicorn worker processes, a port in use is one line and exit 6."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from digitalisering.cli import main
from digitalisering.exitcodes import ExitCode
from digitalisering.store import Store
from digitalisering.web import users


def run(workspace, *args, stdin: str | None = None):
    return CliRunner().invoke(main, ["--workspace", str(workspace.root), *args], input=stdin)


def test_user_commands(workspace):
    res = run(workspace, "user", "add", "anna", "--role", "archivaris", "--password-stdin", stdin="een-goed-wachtwoord\n")
    assert res.exit_code == 0 and res.output.strip() == "user anna added (archivaris)"
    res = run(workspace, "user", "add", "mia", "--role", "medewerker", stdin="mia-haar-wachtwoord\n")  # not a tty
    assert res.exit_code == 0
    with Store(workspace.database) as store:
        assert users.authenticate(store, "anna", "een-goed-wachtwoord").role == "archivaris"
    res = run(workspace, "user", "list")
    assert res.exit_code == 0 and "anna" in res.output and "medewerker" in res.output and "2 accounts" in res.output
    assert run(workspace, "user", "role", "mia", "beheerder").exit_code == 0
    assert run(workspace, "user", "password", "anna", stdin="nog-een-wachtwoord\n").exit_code == 0
    with Store(workspace.database) as store:
        assert users.authenticate(store, "anna", "een-goed-wachtwoord") is None
        assert users.authenticate(store, "anna", "nog-een-wachtwoord") is not None
        assert store.user_by_name("mia").role == "beheerder"
    assert run(workspace, "user", "remove", "mia").exit_code == 0
    assert "1 account\n" in run(workspace, "user", "list").output


@pytest.mark.parametrize("args, stdin, code, message", [
    (["user", "add", "anna", "--role", "archivaris"], "kort\n", ExitCode.USAGE, "too short"),
    (["user", "add", "anna", "--role", "koning"], "een-goed-wachtwoord\n", ExitCode.USAGE, "koning"),
    (["user", "add", "an na", "--role", "archivaris"], "een-goed-wachtwoord\n", ExitCode.USAGE, "user name"),
    (["user", "add", "anna", "--role", "archivaris"], "", ExitCode.USAGE, "no password on standard input"),
    (["user", "role", "niemand", "beheerder"], None, ExitCode.USAGE, "no user 'niemand'"),
    (["user", "remove", "niemand"], None, ExitCode.USAGE, "no user 'niemand'"),
])
def test_user_command_errors_are_one_line(workspace, args, stdin, code, message):
    res = run(workspace, *args, stdin=stdin)
    assert res.exit_code == code and message in res.output and "Traceback" not in res.output


def test_portal_port_in_use_is_one_line_and_exit_6(workspace):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        res = run(workspace, "portal", "--port", str(port))
    finally:
        taken.close()
    assert res.exit_code == ExitCode.STATE
    assert res.output.splitlines() == [f"error: port {port} on 127.0.0.1 is already in use by another program "
                                       f"(choose another --port)"]


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.slow
def test_the_portal_is_served_by_worker_processes_and_stops_on_ctrl_c(workspace):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "digitalisering", "--workspace", str(workspace.root), "portal",
                             "--port", str(port), "--workers", "2", "--no-access-log"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"portal: http://127.0.0.1:{port}/"), line + proc.stdout.read()
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    page = resp.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert '<html lang="nl">' in page and "Bouwdossiers zoeken" in page
        deadline = time.monotonic() + 20
        while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(children(proc.pid)) == 2
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("text, message", [
    ('[grounds]\nraadhuis = "eigen grond"\n[vulnerable]\nground = "geheim"\n', 'ground is "geheim"'),
    ('[grounds\nraadhuis = "eigen grond"\n', "toegang.toml:1"),
])
def test_portal_refuses_a_bad_access_settings_file_in_one_line(workspace, tmp_path, text, message):
    own = tmp_path / "toegang.toml"
    own.write_text(text, encoding="utf-8")
    res = run(workspace, "portal", "--port", "0", "--access-config", str(own))
    assert res.exit_code == ExitCode.USAGE
    assert len(res.output.splitlines()) == 1 and res.output.startswith("error: ") and "toegang.toml" in res.output
    assert message in res.output and "Traceback" not in res.output
