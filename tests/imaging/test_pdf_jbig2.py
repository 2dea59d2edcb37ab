"""A PDF page whose scan is JBIG2 needs jbig2dec: without it the machine is at fault (exit 4, the
package named, the page not failed), not the scanner firm's file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from digitalisering._exec import jbig2dec
from digitalisering.cli import main
from digitalisering.errors import InputFileError, MissingDependencyError
from digitalisering.exitcodes import ExitCode
from digitalisering.imaging.load import load_page


def jbig2_pdf(path: Path) -> Path:
    """One page holding one JBIG2 image (its data is not a real JBIG2 stream)."""
    pdf = pikepdf.new()
    image = pikepdf.Stream(pdf, b"\x00" * 64, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=800, Height=1100, BitsPerComponent=1, ColorSpace=pikepdf.Name.DeviceGray,
                           Filter=pikepdf.Name.JBIG2Decode)
    page = pdf.add_blank_page(page_size=(576, 792))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 576 0 0 792 0 0 cm /Im0 Do Q")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path


@pytest.fixture
def no_jbig2dec(monkeypatch, tmp_path: Path):
    """A machine whose jbig2dec does not work (a broken one first on PATH; page workers inherit it)."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "jbig2dec").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "jbig2dec").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    jbig2dec.require.cache_clear()
    yield
    jbig2dec.require.cache_clear()


def test_a_jbig2_page_without_jbig2dec_names_the_package(tmp_path: Path, no_jbig2dec):
    with pytest.raises(MissingDependencyError, match="apt-get install jbig2dec"):
        load_page(jbig2_pdf(tmp_path / "a.pdf"), 0, "PDF")


def test_a_run_stops_with_exit_4_and_the_page_is_not_failed(tmp_path: Path, no_jbig2dec):
    # a process of its own: page workers come from a forkserver, which keeps the environment it started with
    jbig2_pdf(tmp_path / "levering" / "BWT-1950-0001" / "scan.pdf")
    ws = str(tmp_path / "ws")
    result = subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", ws, "run",
                             str(tmp_path / "levering"), "--out", str(tmp_path / "out"), "--no-progress", "-j", "1"],
                            capture_output=True, text=True)
    assert result.returncode == ExitCode.MISSING_DEPENDENCY, result.stdout + result.stderr
    assert "apt-get install jbig2dec" in result.stderr and "Traceback" not in result.stderr
    status = CliRunner().invoke(main, ["status", "levering", "--workspace", ws])
    assert "failed 0" in status.output, status.output


def test_with_jbig2dec_a_damaged_jbig2_stream_is_the_files_fault(tmp_path: Path):
    jbig2dec.require.cache_clear()
    try:
        jbig2dec.require()
    except MissingDependencyError:
        pytest.skip("jbig2dec is not installed (scripts/setup.sh installs it)")
    with pytest.raises(InputFileError, match="PDF page 1"):
        load_page(jbig2_pdf(tmp_path / "a.pdf"), 0, "PDF")
