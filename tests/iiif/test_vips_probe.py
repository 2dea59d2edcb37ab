"""Without libvips the image service says which Debian package to install, in one line."""

from __future__ import annotations

import sys

import pytest

from digitalisering._exec import vips
from digitalisering.errors import MissingDependencyError


def test_missing_libvips_names_the_package(monkeypatch):
    vips.pyvips.cache_clear()
    monkeypatch.setitem(sys.modules, "pyvips", None)  # import pyvips -> ImportError
    try:
        with pytest.raises(MissingDependencyError, match="apt-get install libvips42"):
            vips.pyvips()
    finally:
        vips.pyvips.cache_clear()


def test_installed_libvips_is_recent_enough():
    major, minor = (int(v) for v in vips.version().split(".")[:2])
    assert (major, minor) >= vips.MIN_VERSION
