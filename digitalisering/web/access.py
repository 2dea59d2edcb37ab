"""Who may see which published document: the one question the portal's pages, its downloads and the
IIIF services ask (``may_view(batch, dossier_id, document_id)``, the signature the IIIF blueprint
takes), answered by the access decisions (``digitalisering.access.policy``: the latest stored
decision counts; a document nobody decided on is not public) for the role of whoever makes the
request (``web.auth.role_of_current``: public, medewerker, archivaris, beheerder).

``may_view`` answers for the original only. A reader whose role sees a document only as its
redacted copy (``Content.REDACTED``) gets that copy from ``public_copy`` (``access.copies``): the
IIIF services and the portal's downloads serve its burned images, redacted words, public PDF and
ALTO instead. A restricted document the reader may not see gets a notice saying why (``notices``).
"""

from __future__ import annotations

from datetime import date

from digitalisering.access.copies import RedactedDocument
from digitalisering.access.policy import AccessDecision, Content, current, may_see, original_viewer
from digitalisering.web.auth import role_of_current
from digitalisering.web.resources import store


def may_view(batch: str, dossier_id: str, document_id: str) -> bool:
    """Whether the current reader may see the document's pages, text, PDF and ALTO."""
    return original_viewer(store(), role_of_current)(batch, dossier_id, document_id)


def public_copy(batch: str, dossier_id: str, document_id: str) -> RedactedDocument | None:
    """The redacted copy of the document when that is all the current reader may see of it, else
    None (the original may be seen: ``may_view``; or nothing)."""
    from digitalisering.web.resources import catalog

    found = store().find_batch(name=batch)
    if found is None:
        return None
    decision = current(store(), found, document_id)
    if may_see(role_of_current(), decision, date.today()).content is not Content.REDACTED:
        return None
    cat = catalog()
    return RedactedDocument(cat, batch, cat.dossier(batch, dossier_id).document(document_id), decision)


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
