"""Dossiers whose ids map to the same file name never overwrite each other (issue 16, finding 1).

Reproduced before the fix: folders `X 1` and `X_1`, or `BWT-Café` and `BWT-Cafe`, were written to
the same PDF (the second overwrote the first, results.json recorded two SHA-256s for one file and
the run exited 0). Here each gets its own folder, every re-run keeps them, the package holds all of
them, and nothing this batch did not write is ever overwritten.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

import pagegen
from runcodes import run_code
from digitalisering.exitcodes import ExitCode
from digitalisering.metadata.fixity import sha256_file
from digitalisering.pdfa.xmp import NAMESPACE

DOSSIERS = ["X 1", "X_1", "BWT-Café", "BWT-Cafe"]


def _cli(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", str(ws), "--taal", "en", *args],
                          capture_output=True, text=True, umask=0o022)


def _delivery(root: Path) -> Path:
    for n, name in enumerate(DOSSIERS):
        pagegen.save(pagegen.page_image([f"Brief aan de gemeente Leiden nummer {n}",
                                         f"betreffende het pand Breestraat {n + 10}",
                                         "Geachte heren, hierbij zenden wij u"]),
                     root / name / "0001.tif", compression="tiff_lzw")
    return root


@pytest.fixture(scope="module")
def colliding_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("names")
    root = _delivery(base / "levering")
    ws, out = base / "ws", base / "out"
    first = _cli(ws, "run", str(root), "--out", str(out), "-j", "2")
    return {"base": base, "root": root, "ws": ws, "out": out, "first": first}


def _doc_outputs(out: Path) -> list[dict]:
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return [d for d in results["documents"] if d["output"]]


def test_each_dossier_gets_its_own_file(colliding_run):
    first = colliding_run["first"]
    assert run_code(first.returncode, first.stdout, first.stderr) == ExitCode.OK, first.stderr
    out = colliding_run["out"]
    docs = _doc_outputs(out)
    assert sorted(d["dossier"] for d in docs) == sorted(DOSSIERS)
    paths = [d["output"]["path"] for d in docs]
    assert len({p.casefold() for p in paths}) == len(DOSSIERS)
    for d in docs:  # every file is the one recorded, and holds its own dossier
        path = out / d["output"]["path"]
        assert sha256_file(path) == d["output"]["sha256"]
        with pikepdf.open(path) as pdf:
            assert pdf.open_metadata()[f"{{{NAMESPACE}}}dossier"] == d["dossier"]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    folders = {d["id"]: d["folder"] for d in results["dossiers"]}
    assert folders["X_1"] == "X_1" and folders["BWT-Cafe"] == "BWT-Cafe"
    assert folders["X 1"].startswith("X_1-") and folders["BWT-Café"].startswith("BWT-Cafe-")


def test_a_rerun_rewrites_nothing_and_keeps_the_names(colliding_run):
    out = colliding_run["out"]
    before = {d["id"]: (d["output"]["path"], d["output"]["sha256"]) for d in _doc_outputs(out)}
    mtimes = {p: (out / p).stat().st_mtime_ns for p, _ in before.values()}
    again = _cli(colliding_run["ws"], "run", str(colliding_run["root"]), "--out", str(out))
    assert run_code(again.returncode, again.stdout, again.stderr) == ExitCode.OK, again.stderr
    assert {d["id"]: (d["output"]["path"], d["output"]["sha256"]) for d in _doc_outputs(out)} == before
    assert {p: (out / p).stat().st_mtime_ns for p in mtimes} == mtimes


def test_the_package_holds_every_dossier(colliding_run):
    pkg = colliding_run["base"] / "pakket"
    res = _cli(colliding_run["ws"], "package", str(colliding_run["out"]), "--to", str(pkg))
    assert res.returncode == ExitCode.OK, res.stderr
    pdfs = list((pkg / "data").rglob("*.pdf"))
    assert len(pdfs) == len(DOSSIERS)
    assert _cli(colliding_run["ws"], "verify", str(pkg)).returncode == ExitCode.OK
    # finding 7: outputs used to be 0600 whatever the umask; colleagues and an upload account read them
    files = [p for p in [*colliding_run["out"].rglob("*"), *pkg.rglob("*")] if p.is_file()]
    assert files and {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(0o644)}


def test_another_batch_never_writes_over_recorded_outputs(colliding_run, tmp_path: Path):
    """Even when the first batch's results.json is gone (a run killed before writing it), a second
    batch into the same folder is refused, and the first batch's files stay as they were."""
    out = colliding_run["out"]
    docs = _doc_outputs(out)
    sums = {d["output"]["path"]: d["output"]["sha256"] for d in docs}
    results = (out / "results.json").read_bytes()
    (out / "results.json").unlink()
    other = _delivery(tmp_path / "levering-2")  # the same dossier names, delivered again
    try:
        res = _cli(colliding_run["ws"], "run", str(other), "--out", str(out))
    finally:
        (out / "results.json").write_bytes(results)
    assert res.returncode == ExitCode.STATE, res.stderr
    assert "already the output of" in res.stderr and "Traceback" not in res.stderr
    assert {p: sha256_file(out / p) for p in sums} == sums


def test_a_file_this_batch_did_not_write_is_not_overwritten(colliding_run, tmp_path: Path):
    """A new workspace, the same delivery, an output folder where someone left a file of their own
    at one of the names: the run stops with one line and the file is untouched."""
    rel = _doc_outputs(colliding_run["out"])[0]["output"]["path"]
    out = tmp_path / "out"
    (out / rel).parent.mkdir(parents=True)
    (out / rel).write_bytes(b"aantekeningen van de archivaris\n")
    res = _cli(tmp_path / "ws", "run", str(colliding_run["root"]), "--out", str(out))
    assert res.returncode == ExitCode.STATE, res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "was not written for" in errors[0]
    assert (out / rel).read_bytes() == b"aantekeningen van de archivaris\n"
