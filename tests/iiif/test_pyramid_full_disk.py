"""A tile pyramid made on a full disk: one StateError, no crash, no half file; a killed build's
temporary file is removed by the next build of that page.

Reproduced before the fix (failed on the old code): libvips' ``tiffsave`` to a full disk crashed
the process with SIGSEGV (``iiif prepare`` exit 139, a portal worker gone) and left its
``.part`` file in the cache for good."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from smalldisk import small_tmpfs
from digitalisering.iiif.pyramid import PyramidStore

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def full_disk(tmp_path):
    """A 64 kB tmpfs (root only; skipped elsewhere, and says why)."""
    with small_tmpfs(tmp_path / "disk", "64k") as disk:
        yield disk


def test_a_pyramid_on_a_full_disk_is_one_error_not_a_crash(full_disk):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        import numpy as np
        from PIL import Image
        from digitalisering.errors import StateError
        from digitalisering.iiif.pyramid import PyramidStore
        noise = Image.fromarray((np.random.default_rng(1).random((1500, 1000)) * 255).astype("uint8"))
        try:
            PyramidStore(sys.argv[1]).ensure("lev", 1, "v1", lambda: noise)
        except StateError as exc:
            print("refused:", exc)
    """)
    done = subprocess.run([sys.executable, "-c", script, str(full_disk / "iiif")], capture_output=True, text=True)
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])  # before: -11 (SIGSEGV)
    assert done.stdout.startswith("refused: cannot write") and "No space left on device" in done.stdout
    assert [p.name for p in (full_disk / "iiif" / "lev").iterdir() if p.suffix != ".lock"] == []


def test_a_killed_builds_temporary_file_is_removed_by_the_next_build(tmp_path):
    store = PyramidStore(tmp_path)
    target = store.path("lev", 1, "v1")
    target.parent.mkdir(parents=True)
    left = target.with_name(f".{target.name}.k1ll3d00.part")
    left.write_bytes(b"half a pyramid")
    page = Image.fromarray((np.arange(600 * 400) % 251).astype("uint8").reshape(600, 400))
    assert store.ensure("lev", 1, "v1", lambda: page) == target
    assert not left.exists() and store.levels(target)[0] == (400, 600)
