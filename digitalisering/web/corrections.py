"""The correction form: an archivist corrects a dossier's split (split here, merge with the previous
document), its documents' types and its address links in the web application.

One page per dossier, ``/correcties/<batch>/<folder>`` (linked from the dossier page and from the
decision form of the QA review page), for archivaris and beheerder only (the
public is sent to sign in; a medewerker gets 403; a POST by anyone below archivaris is refused 403).
Every POST passes the app's guards first (same origin, CSRF token: ``web.security``). A correction is
stored through ``digitalisering.corrections.record_correction`` with the signed-in user as who (the
database adds when); nothing is decided here: the next ``digitalisering run`` applies the current
corrections without reading a page again. The page shows each document's decision as the last run
made it (type, confidence, what needs review), whether a correction counts for it, and the
dossier's history of corrections (every one is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from digitalisering.catalog import DocumentEntry, DossierEntry
from digitalisering.corrections import ACTIONS, current, record_correction
from digitalisering.documents.vocabulary import default_vocabulary
from digitalisering.errors import ConfigError
from digitalisering.store.records import CorrectionRecord
from digitalisering.web import seen, users
from digitalisering.web.auth import demand
from digitalisering.web.i18n import nice_datetime
from digitalisering.web.portal import find_dossier
from digitalisering.web.resources import catalog, store

bp = Blueprint("corrections", __name__)


class CorrectionForm(FlaskForm):
    """One correction; each small form on the page fills the fields its action needs."""

    action = StringField(validators=[DataRequired(), AnyOf(ACTIONS)])
    page = IntegerField(validators=[Optional()])
    value = StringField(validators=[Optional(), Length(max=64)])
    document = HiddenField(validators=[Optional(), Length(max=200)])
    seen = IntegerField(validators=[Optional()])
    """The highest id of the dossier's corrections when the page was shown (``web.seen``): one
    stored meanwhile (another archivist, or this form sent twice) is not silently replaced."""


@dataclass(frozen=True)
class DocumentState:
    """A document as the last run decided it, and the corrections that count for it now."""

    doc: DocumentEntry
    type_correction: CorrectionRecord | None
    boundaries: dict[int, CorrectionRecord]
    """page seq -> the boundary correction that counts at that page."""

    @property
    def corrected(self) -> bool:
        return self.type_correction is not None or bool(self.boundaries)

    def boundary_waiting(self, seq: int) -> bool:
        """A split or merge at this page that the last run has not applied yet."""
        c = self.boundaries.get(seq)
        if c is None:
            return False
        first = seq == self.doc.pages[0].seq
        return (c.value == "split") != first

    @property
    def waiting(self) -> bool:
        """A type correction the last run has not applied yet (it counts from the next run)."""
        return self.type_correction is not None and self.type_correction.value != self.doc.type


def _dossier_corrections(entry: DossierEntry) -> list[CorrectionRecord]:
    batch = store().find_batch(name=entry.batch)
    if batch is None:
        abort(404)
    seqs = {p.seq for p in entry.pages}
    return [c for c in store().corrections(batch.id)
            if (c.page_seq in seqs and c.kind in ("boundary", "type")) or (c.kind == "address" and c.dossier == entry.id)]


def _states(entry: DossierEntry, history: list[CorrectionRecord]) -> list[DocumentState]:
    counting = current(history)
    out = []
    for doc in entry.documents:
        seqs = {p.seq for p in doc.pages}
        types = [c for c in counting if c.kind == "type" and c.page_seq in seqs]
        out.append(DocumentState(doc, max(types, key=lambda c: c.id) if types else None,
                                 {c.page_seq: c for c in counting if c.kind == "boundary" and c.page_seq in seqs}))
    return out


def _describe(c: CorrectionRecord, pages: dict[int, tuple[int, int]]) -> str:
    """What a correction says, for the history."""
    from digitalisering.web.portal import type_label

    where = pages.get(c.page_seq) if c.page_seq is not None else None
    at = _("document %(d)s, page %(n)s", d=where[0], n=where[1]) if where else ""
    if c.kind == "boundary":
        what = {"split": _("split: a new document starts here"),
                "merge": _("merge: this page continues the previous document")}.get(c.value, _("split: back to the model"))
        return f"{what} ({at})"
    if c.kind == "type":
        what = _("type: back to the model") if c.value == "auto" else _("type: %(type)s", type=type_label(c.value))
        return f"{what} ({at})"
    return {"object": _("address %(id)s is the dossier's object", id=c.target),
            "not_object": _("address %(id)s is not the dossier's object", id=c.target)}.get(
        c.value, _("address %(id)s: back to the model", id=c.target))


def _page(entry: DossierEntry, form: CorrectionForm, status: int = 200):
    from digitalisering.web.iiiflinks import thumbnail_url

    history = _dossier_corrections(entry)
    pages = {p.seq: (doc.index, p.number) for doc in entry.documents for p in doc.pages}
    addresses = {c.target: c for c in current(history) if c.kind == "address"}
    return render_template("corrections.html", dossier=entry, states=_states(entry, history), form=form,
                           seen=seen.token(c.id for c in history),
                           history=[(c, _describe(c, pages)) for c in reversed(history)],
                           address_corrections=addresses, types=default_vocabulary().type_names,
                           linked=[a for a in entry.addresses if a.num_id], thumb=thumbnail_url), status


@bp.get("/correcties/<batch>/<folder>")
def dossier(batch: str, folder: str):
    demand(users.ARCHIVARIS)
    return _page(find_dossier(batch, folder), CorrectionForm())


@bp.get("/correcties/<batch>/id/<path:dossier_id>")
def by_id(batch: str, dossier_id: str):
    """The correction page of a dossier named by its id (the QA review page knows the id, not the
    folder); the anchor of the page reviewed is kept by the browser."""
    demand(users.ARCHIVARIS)
    for entry in catalog().dossiers(batch):
        if entry.id == dossier_id:
            return redirect(url_for("corrections.dossier", batch=batch, folder=entry.folder))
    abort(404)


@bp.post("/correcties/<batch>/<folder>")
def correct(batch: str, folder: str):
    demand(users.ARCHIVARIS)
    entry = find_dossier(batch, folder)
    form = CorrectionForm()
    if not form.validate():
        flash(_("Not stored: the correction was incomplete."))
        return _page(entry, form, 400)
    action, page = form.action.data, form.page.data
    if action in ("split", "merge", "clear_boundary", "type", "clear_type"):
        if page not in {p.seq for p in entry.pages}:
            flash(_("Not stored: that page is not a page of this dossier."))
            return _page(entry, form, 400)
    value = (form.value.data or "").strip()
    if action == "type" and value not in default_vocabulary().type_names:
        flash(_("Not stored: %(value)s is not a document type.", value=value))
        return _page(entry, form, 400)
    if action in ("address_add", "address_remove", "clear_address"):
        if not (value.isdigit() and len(value) == 16):
            flash(_("Not stored: a nummeraanduiding id has 16 digits."))
            return _page(entry, form, 400)
    try:
        with store().transaction():  # the check and the new correction together: no other one between
            batch_record = store().find_batch(name=entry.batch)
            store().db.serialise(f"corrections:{batch_record.id}")
            past = _dossier_corrections(entry)
            verdict = seen.check(form.seen.data, (c.id for c in past))
            if verdict == seen.JUNK:
                flash(_("Not stored: the form was not sent from this page. Reload the page and correct again."))
                return _page(entry, CorrectionForm(formdata=None), 400)
            if verdict == seen.STALE:
                latest = max(past, key=lambda c: c.id)
                flash(_("Not stored: %(who)s corrected this dossier meanwhile (%(when)s). Look at the "
                        "history and correct again.", who=latest.who, when=nice_datetime(latest.at)))
                return _page(entry, CorrectionForm(formdata=None), 409)
            record_correction(store(), batch_record, action, who=current_user.name, page=page,
                              value=value, dossier=entry.id,
                              document=form.document.data or None)
    except ConfigError as exc:
        flash(_("Not stored: %(why)s", why=str(exc)))
        return _page(entry, form, 400)
    flash(_("Correction stored. It counts from the next run of the batch; no page is read again."))
    return redirect(url_for("corrections.dossier", batch=batch, folder=folder) + "#history")
