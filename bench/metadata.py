"""Metadata and packaging cost per document, next to the OCR time of the same run.

    .venv/bin/python bench/metadata.py [--out OUT]    (OUT: a finished run; default: run batches/demo)

Builds the MDTO records and the BagIt package (with its validation) of OUT, then verifies it, and
prints milliseconds per document and the ratio to the OCR seconds recorded for the run's pages.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from digitalisering.metadata.config import load_archive_config  # noqa: E402
from digitalisering.metadata.package import build_package, verify_package  # noqa: E402

ENV = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(REPO)}
CLI = [sys.executable, "-c", "from digitalisering.cli import main; main()"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-meta-") as tmp:
        out = args.out
        if out is None:
            out = Path(tmp) / "out"
            subprocess.run([*CLI, "--workspace", str(Path(tmp) / "ws"), "run", str(REPO / "batches/demo"), "--out",
                            str(out), "--no-progress"], env=ENV, capture_output=True, check=False)
        results = json.loads((out / "results.json").read_text())
        ocr_s = sum((p.get("ocr") or {}).get("seconds", 0) for p in results["pages"])
        t0 = time.perf_counter()
        report = build_package(out, Path(tmp) / "sip", load_archive_config(), operator="bench")
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ok = verify_package(Path(tmp) / "sip").ok
        verify_s = time.perf_counter() - t0
    docs = max(1, report.documents)
    print(f"{report.dossiers} dossiers, {report.documents} documents, {report.records} MDTO records, "
          f"{report.bytes:,} bytes")
    print(f"package (records + XSD validation + copy + BagIt manifest + bag validation): {build_s:.2f} s = "
          f"{1000 * build_s / docs:.1f} ms/document; verify {1000 * verify_s / docs:.1f} ms/document ({'ok' if ok else 'FAILED'})")
    print(f"ratio to the OCR time of the same pages ({ocr_s:.1f} s): package {build_s / max(ocr_s, 1e-9):.4f}, "
          f"verify {verify_s / max(ocr_s, 1e-9):.4f}")


if __name__ == "__main__":
    main()
