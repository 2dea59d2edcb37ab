"""Who may see which published document: the one place the portal, its downloads and the IIIF
services ask (``may_view``). Every page and download of a document goes through it.

Which documents are restricted is decided by the access decisions of the next issue (stored beside
the QA decisions); until a document carries one, every published document is public, as the
archive's default for bouwdossiers is (Archiefwet: openbaar unless restricted).
"""

from __future__ import annotations

from typing import Any

from digitalisering.web.auth import role_of_current
from digitalisering.web.users import at_least


def may_view(document: Any, role: str | None = None) -> bool:
    """Whether the current reader (or ``role``) may see ``document`` (a catalog ``DocumentEntry``):
    a document that names a ``restricted_to`` role needs at least that role."""
    needed = getattr(document, "restricted_to", None)
    if not needed:
        return True
    return at_least(role or role_of_current(), needed)
