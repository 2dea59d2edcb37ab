"""jbig2dec: the decoder pikepdf calls for JBIG2 images, the usual compression of bitonal scans in
PDFs from document scanners. Probe and the Debian package.

Without it a JBIG2 page failed as a damaged input ("cannot decode the image on PDF page 1: jbig2dec -
not installed or not found", exit 1), so the operator would ask the scanner firm for a rescan of a
good file. A missing program is the machine's fault: exit 4 naming the package, the pages stay to be
read by the next run once it is installed."""

from __future__ import annotations

import functools

from digitalisering.errors import MissingDependencyError

INSTALL_HINT = "apt-get install jbig2dec"


@functools.lru_cache(maxsize=1)
def require() -> None:
    """Raises MissingDependencyError when jbig2dec is missing or too old for pikepdf."""
    from pikepdf import DependencyError
    from pikepdf.jbig2 import get_decoder

    try:
        get_decoder().check_available()
    except DependencyError as exc:
        raise MissingDependencyError("jbig2dec is not installed or does not work; PDF pages with JBIG2 images "
                                     "need it: {install_hint}", install_hint=INSTALL_HINT) from exc
