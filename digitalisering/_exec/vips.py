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
        raise MissingDependencyError(f"libvips is not installed ({exc}); {INSTALL_HINT}") from exc
    found = (module.version(0), module.version(1))
    if found < MIN_VERSION:
        raise MissingDependencyError(f"libvips {found[0]}.{found[1]} is too old (at least "
                                     f"{MIN_VERSION[0]}.{MIN_VERSION[1]}); {INSTALL_HINT}")
    return module


def version() -> str:
    module = pyvips()
    return f"{module.version(0)}.{module.version(1)}.{module.version(2)}"
