"""Who may see which published document: the one question the portal's pages, its downloads and the
IIIF services ask (``may_view(batch, dossier_id, document_id)``, the signature the IIIF blueprint
takes), answered by the access decisions (``digitalisering.access.policy``: the latest stored
decision counts; a document nobody decided on is not public) for the role of whoever makes the
request (``web.auth.role_of_current``: public, medewerker, archivaris, beheerder).

Only the original is served here; a document whose public face is a redacted copy is refused to
the public like a restricted one, and its notice says why (``notices``).
"""

from __future__ import annotations

from datetime import date

from digitalisering.access.policy import AccessDecision, current, may_see, original_viewer
from digitalisering.web.auth import role_of_current
from digitalisering.web.resources import store


def may_view(batch: str, dossier_id: str, document_id: str) -> bool:
    """Whether the current reader may see the document's pages, text, PDF and ALTO."""
    return original_viewer(store(), role_of_current)(batch, dossier_id, document_id)


def notices(batch: str, documents) -> dict[str, AccessDecision]:
    """The documents (catalog ``DocumentEntry``) the current reader may not see but may know of, with
    the decision that closes them (its ground and end date are shown)."""
    found = store().find_batch(name=batch)
    if found is None:
        return {}
    role = role_of_current()
    out = {}
    for doc in documents:
        decision = current(store(), found, doc.id)
        view = may_see(role, decision, date.today())
        if not view.sees_content and view.notice:
            out[doc.id] = decision
    return out
