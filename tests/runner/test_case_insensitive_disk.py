"""A run, a publication and a re-run on a case-insensitive disk (FAT32, as USB disks and many
transfer shares are), with dossiers whose ids differ only in case or in Unicode normalisation
(NFC ``BWT-Café`` and NFD ``BWT-Café``, as a Mac delivers them).

The disk is a FAT32 image mounted with ``fusefat`` (FUSE; Debian packages ``fusefat`` and
``dosfstools``): this machine's kernel has neither vfat nor ext4 casefolding. Without root,
/dev/fuse or those programs the module is skipped (and says why); the names themselves are tested
case-insensitively without a disk in tests/test_naming.py and tests/runner/test_output_names.py.

Reproduced before the fix (failed on the old code): every output write failed on the disk
(``fchmod`` is not implemented on FAT: "cannot write ...: Function not implemented", exit 6).
fusefat loses a folder's contents when the folder is renamed: ``access publish`` put an empty
folder in place (exit 0); ``package`` and ``qa report``, which build beside the target and rename,
are refused there with one line (a package on a real FAT/exFAT disk, whose chmod answers EPERM, is
tested in tests/metadata/test_package.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

import pagegen
from runcodes import run_code
from digitalisering.metadata.fixity import sha256_file

DOSSIERS = ["Bwt-A", "BWT-A", "bwt-a", unicodedata.normalize("NFC", "BWT-Café"),
            unicodedata.normalize("NFD", "BWT-Café")]


def _cli(ws: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digitalisering", "--workspace", str(ws), "--taal", "en", *args],
                          capture_output=True, text=True, umask=0o022)


@pytest.fixture(scope="module")
def fat_disk(tmp_path_factory):
    needed = [p for p in ("fusefat", "mkfs.vfat", "fusermount") if shutil.which(p) is None]
    if needed or os.geteuid() != 0 or not os.access("/dev/fuse", os.R_OK | os.W_OK):
        pytest.skip(f"no FAT disk here: needs root, /dev/fuse and {', '.join(needed) or 'the programs'} "
                    "(Debian: fusefat dosfstools)")
    base = tmp_path_factory.mktemp("fat")
    image, mount = base / "disk.img", base / "disk"
    mount.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    subprocess.run(["mkfs.vfat", "-F", "32", str(image)], check=True, capture_output=True)
    started = subprocess.run(["fusefat", "-o", "rw+", str(image), str(mount)], capture_output=True, text=True)
    if started.returncode != 0 or not os.path.ismount(mount):
        pytest.skip(f"fusefat could not mount the image here: {started.stderr.strip()[:200]}")
    try:
        (mount / "Probe").write_text("x")
        assert (mount / "probe").read_text() == "x", "a FAT disk that is case-sensitive?"
        (mount / "Probe").unlink()
        yield mount
    finally:
        for _ in range(20):
            if subprocess.run(["fusermount", "-u", str(mount)], capture_output=True).returncode == 0:
                break
            time.sleep(0.25)


@pytest.mark.slow
def test_dossiers_differing_only_in_case_keep_their_own_files_on_a_fat_disk(fat_disk, tmp_path):
    root = tmp_path / "levering"
    for n, name in enumerate(DOSSIERS):
        pagegen.save(pagegen.page_image([f"Brief aan de gemeente Leiden nummer {n}",
                                         f"betreffende het pand Breestraat {n + 10}"]),
                     root / name / "0001.tif", compression="tiff_lzw")
    assert len(os.listdir(root)) == len(DOSSIERS)  # the delivery itself is on a case-sensitive disk
    ws, out = tmp_path / "ws", fat_disk / "uit"
    first = _cli(ws, "run", str(root), "--out", str(out), "-j", "1")
    assert run_code(first.returncode, first.stdout, first.stderr) == 0, first.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert sorted(d["id"] for d in results["dossiers"]) == sorted(DOSSIERS)
    docs = [d for d in results["documents"] if d["output"]]
    assert len(docs) == len(DOSSIERS)
    files = [d["output"]["path"] for d in docs] + [a["path"] for d in docs for a in d["output"]["alto"]]
    assert len({f.casefold() for f in files}) == len(files)  # one file each, also on this disk
    for d in docs:  # every file holds what results.json says it holds: none was written over
        assert sha256_file(out / d["output"]["path"]) == d["output"]["sha256"]
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf"))
    assert len(on_disk) == len(DOSSIERS)
    again = _cli(ws, "run", str(root), "--out", str(out), "-j", "1")
    assert run_code(again.returncode, again.stdout, again.stderr) == 0, again.stderr
    assert "0 written now" in again.stdout
    published = _cli(ws, "access", "publish", "levering", "--to", str(fat_disk / "openbaar"))
    assert published.returncode == 0, published.stderr
    # fusefat loses a renamed folder's contents: the publication, made beside its place and
    # renamed into it, was empty there (exit 0); now it is built inside and moved in file by file
    public = sorted(p.name for p in (fat_disk / "openbaar").rglob("*.pdf"))
    assert len(public) == len(DOSSIERS) and (fat_disk / "openbaar" / "openbaar.json").is_file()
    # package and QA report cannot be put in place whole there: one line, exit 6, nothing left
    # (before: the package stopped on bagit's chmod with its traceback; the report was put in place empty)
    for command, made in ((["package", str(out), "--to", str(fat_disk / "pakket")], fat_disk / "pakket"),
                          (["qa", "report", "levering", "--to", str(fat_disk / "rapport")], fat_disk / "rapport")):
        res = _cli(ws, *command)
        errors = [line for line in res.stderr.splitlines() if line.strip()]
        assert res.returncode == 6 and len(errors) == 1 and "loses the contents" in errors[0], res.stderr
        assert not made.exists() and not made.with_name(f".{made.name}.part").exists()
    # made on a Linux disk, the package is whole and verifies (the README's advice)
    res = _cli(ws, "package", str(out), "--to", str(tmp_path / "pakket"))
    assert res.returncode == 0, res.stderr
    assert _cli(ws, "verify", str(tmp_path / "pakket")).returncode == 0
