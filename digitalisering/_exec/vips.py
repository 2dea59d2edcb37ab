"""libvips (through pyvips, which loads the shared library when it is imported): probe and the module.

The IIIF image service makes its tile pyramids with libvips (``digitalisering.iiif.pyramid``). A
machine without the library gets one line naming the Debian package instead of an import error."""

from __future__ import annotations

import functools

from digitalisering.errors import MissingDependencyError

INSTALL_HINT = "apt-get install libvips42"
MIN_VERSION = (8, 10)
"""tiffsave with pyramid and JPEG tiles, page= levels on tiffload (Debian 12 ships 8.14)."""


@functools.lru_cache(maxsize=1)
def pyvips():
    """The pyvips module; raises MissingDependencyError when libvips is missing or too old."""
    try:
        import pyvips as module
    except (ImportError, OSError) as exc:
        raise MissingDependencyError("libvips is not installed ({error}); {install_hint}", error=exc, install_hint=INSTALL_HINT) from exc
    found = (module.version(0), module.version(1))
    if found < MIN_VERSION:
        raise MissingDependencyError("libvips {found}.{found2} is too old (at least {min_version}.{min_version2}); {install_hint}", found=found[0], found2=found[1], min_version=MIN_VERSION[0], min_version2=MIN_VERSION[1], install_hint=INSTALL_HINT)
    return module


def version() -> str:
    module = pyvips()
    return f"{module.version(0)}.{module.version(1)}.{module.version(2)}"
