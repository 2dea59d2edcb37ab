"""Who may see which published document: the one place the portal, its downloads and the IIIF
services ask (``may_view(batch, dossier_id, document_id)``, the signature the IIIF blueprint takes).
Every page and download of a document goes through it.

Which documents are restricted is the access decisions' work (the next issue: stored beside the
QA decisions, with who, when and why); until a document carries such a decision it is public, as
bouwdossiers are by default (Archiefwet: openbaar unless restricted). The reader's role is at hand
for that decision (``web.auth.role_of_current``).
"""

from __future__ import annotations


def may_view(batch: str, dossier_id: str, document_id: str) -> bool:
    """Whether the current reader may see the document (every published document, until access
    decisions restrict some)."""
    return True
