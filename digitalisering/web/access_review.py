"""The openbaarheid page: an archivist confirms, rejects or adds to the run's access proposals and
decides each document's access (issue 20, point 2) in the web application.

One page per dossier, ``/openbaarheid/<batch>/<folder>`` (linked from the dossier page), for
archivaris and beheerder only (the public is sent to sign in; a medewerker gets 403, and so does a
POST by anyone below archivaris). It lists each document's decision that counts now (state,
ground, end date, who and when), its history, and the run's proposals, each with its evidence: the
page picture (the IIIF Image API) with the proposal's word boxes drawn on it, placed by percent of
the page as the QA review page places its unread regions. Per document one form decides: open;
restricted (a ground of the access settings, Archiefwet 2021 art. 7.2, and an end year or date);
or redacted, with the proposals ticked as confirmed (their word boxes become the regions; an
unticked one is rejected) and more regions typed as ``blad:left,top,width,height`` (blad: the page
number in the document, pixels of the page as shown). Every POST passes the app's guards first
(same origin, CSRF token: ``web.security``); the decision is stored through
``access.policy.decide`` with the signed-in user as who (the database adds when).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from digitalisering.access.copies import remove_superseded
from digitalisering.access.detect import KIND_LABELS, Proposal
from digitalisering.access.policy import STATES, AccessDecision, Region, current, decide, history
from digitalisering.access.proposals import DocumentProposals
from digitalisering.catalog import DocumentEntry, DossierEntry, PageEntry
from digitalisering.errors import ConfigError, StateError
from digitalisering.web import seen, users
from digitalisering.web.auth import demand
from digitalisering.web.i18n import nice_datetime
from digitalisering.web.portal import find_dossier
from digitalisering.web.resources import catalog, store

bp = Blueprint("access_review", __name__)

PICTURE_WIDTH = 900
"""Width in pixels of the page picture asked from the IIIF Image API (legible, not the full scan)."""
REGION = re.compile(r"(\d+):(\d+),(\d+),(\d+),(\d+)")


class DecisionForm(FlaskForm):
    """One document's decision; the proposals ticked as confirmed come as ``confirm`` values."""

    document = HiddenField(validators=[DataRequired(), Length(max=200)])
    state = StringField(validators=[DataRequired(), AnyOf(STATES)])
    ground = StringField(validators=[Optional(), Length(max=64)])
    until = StringField(validators=[Optional(), Length(max=10)])
    regions = TextAreaField(validators=[Optional(), Length(max=4000)])
    reason = StringField(validators=[DataRequired(), Length(max=500)])
    seen = IntegerField(validators=[Optional()])
    """The highest id of the document's decisions when the page was shown (``web.seen``): a decision
    stored meanwhile (another archivist, or this form sent twice) is not silently replaced."""


@dataclass(frozen=True)
class Evidence:
    """One proposal with the page it stands on and its boxes as percentages of that page."""

    number: int
    proposal: Proposal
    page: PageEntry
    boxes: tuple[tuple[float, float, float, float], ...]

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.proposal.kind, self.proposal.kind)


@dataclass(frozen=True)
class DocumentAccess:
    doc: DocumentEntry
    decision: AccessDecision
    stored: bool
    history: list[AccessDecision]
    evidence: list[Evidence]
    objects: list
    """Vulnerable-object proposals (no boxes: their evidence is the BAG or the exclusion list)."""
    seen: int = 0
    """The form's token: the highest id of the document's stored decisions (``web.seen``)."""


def _percent(box, page: PageEntry) -> tuple[float, float, float, float]:
    w, h = page.width_px or 1, page.height_px or 1
    return (100 * box.left / w, 100 * box.top / h, 100 * box.width / w, 100 * box.height / h)


def _decision_ids(batch, document: str) -> list[int]:
    return [r.id for r in store().access_decisions(batch.id, document)]


def _proposals(doc: DocumentEntry) -> tuple[list[Evidence], list]:
    proposals = DocumentProposals.from_json(doc.access_proposals)
    pages = {p.seq: p for p in doc.pages}
    evidence = [Evidence(n, p, pages[p.seq], tuple(_percent(b, pages[p.seq]) for b in p.boxes))
                for n, p in enumerate(proposals.personal_data) if p.seq in pages]
    return evidence, list(proposals.objects)


def _batch(entry: DossierEntry):
    batch = store().find_batch(name=entry.batch)
    if batch is None:
        abort(404)
    return batch


def _documents(entry: DossierEntry) -> list[DocumentAccess]:
    batch = _batch(entry)
    out = []
    for doc in entry.documents:
        past = history(store(), batch, doc.id)
        evidence, objects = _proposals(doc)
        out.append(DocumentAccess(doc, current(store(), batch, doc.id), bool(past), list(reversed(past)),
                                  evidence, objects, seen.token(_decision_ids(batch, doc.id))))
    return out


def _picture(entry: DossierEntry, page: PageEntry) -> str | None:
    from digitalisering.web.iiiflinks import available

    if not available():
        return None
    return url_for("iiif.image", batch=entry.batch, seq=page.seq, region="full", size=f"{PICTURE_WIDTH},",
                   rotation="0", quality_format="default.jpg")


def access_settings() -> dict:
    """The access settings the portal was started with (``WebSettings.access_config_file`` over the
    shipped defaults): the grounds offered, shown and accepted."""
    return current_app.extensions["digitalisering.access_settings"]


def _page(entry: DossierEntry, form: DecisionForm, status: int = 200):
    settings = access_settings()
    return render_template("access_review.html", dossier=entry, documents=_documents(entry), form=form,
                           grounds=settings["grounds"], picture=_picture, states=_states()), status


def _states() -> dict[str, str]:
    return {"open": _("open"), "restricted": _("restricted"), "redacted": _("open as a redacted copy")}


def parse_until(text: str) -> date:
    """``2070`` (the restriction ends on 31 December 2070) or ``2070-06-30``."""
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(_("the end %(text)s is not a year (2070) or a date (2070-06-30)", text=text)) from None


def parse_regions(text: str, doc: DocumentEntry) -> list[Region]:
    """Lines ``blad:left,top,width,height`` (blad: page number in the document) as regions."""
    by_number = {p.number: p for p in doc.pages}
    out = []
    for line in (text or "").replace(";", "\n").splitlines():
        line = line.replace(" ", "")
        if not line:
            continue
        m = REGION.fullmatch(line)
        if not m or int(m.group(4)) == 0 or int(m.group(5)) == 0:
            raise ConfigError(_("the region %(text)s is not blad:left,top,width,height (e.g. 1:220,310,400,40)",
                                text=line))
        number, left, top, width, height = (int(g) for g in m.groups())
        page = by_number.get(number)
        if page is None:
            raise ConfigError(_("the document has no page %(n)s", n=number))
        if page.width_px and page.height_px and (left + width > page.width_px or top + height > page.height_px):
            raise ConfigError(_("the region %(text)s lies outside the page (%(w)s × %(h)s pixels)",
                                text=line, w=page.width_px, h=page.height_px))
        out.append(Region(page.seq, left, top, width, height, kind="manual"))
    return out


@bp.get("/openbaarheid/<batch>/<folder>")
def dossier(batch: str, folder: str):
    demand(users.ARCHIVARIS)
    return _page(find_dossier(batch, folder), DecisionForm())


@bp.post("/openbaarheid/<batch>/<folder>")
def decide_document(batch: str, folder: str):
    demand(users.ARCHIVARIS)
    entry = find_dossier(batch, folder)
    form = DecisionForm()
    if not form.validate():
        flash(_("Not stored: the decision was incomplete (a state and a reason are needed)."))
        return _page(entry, form, 400)
    doc = next((d for d in entry.documents if d.id == form.document.data), None)
    if doc is None:
        flash(_("Not stored: that document is not a document of this dossier."))
        return _page(entry, form, 400)
    state = form.state.data
    try:
        regions: list[Region] = []
        if state == "redacted":
            evidence, _objects = _proposals(doc)
            chosen = set(request.form.getlist("confirm"))
            regions = [Region(e.proposal.seq, b.left, b.top, b.width, b.height, e.proposal.kind)
                       for e in evidence if str(e.number) in chosen for b in e.proposal.boxes]
            regions += parse_regions(form.regions.data or "", doc)
        until = parse_until(form.until.data.strip()) if state != "open" and (form.until.data or "").strip() else None
        ground = (form.ground.data or None) if state != "open" else None
        settings = access_settings()
        if state == "restricted" and (ground not in settings["grounds"] or until is None):
            raise ConfigError(_("a restriction needs a ground from the list and an end year or date"))
        if state == "redacted" and not regions:
            raise ConfigError(_("a redacted copy needs at least one confirmed proposal or region"))
        decision = AccessDecision(doc.id, state, ground, until, tuple(regions), form.reason.data.strip(),
                                  current_user.name, source="archivist")
        batch_record = _batch(entry)
        with store().transaction():  # the check and the new decision together: no other decision between
            store().db.serialise(f"access:{batch_record.id}:{doc.id}")
            verdict = seen.check(form.seen.data, _decision_ids(batch_record, doc.id))
            if verdict == seen.JUNK:
                flash(_("Not stored: the form was not sent from this page. Reload the page and decide again."))
                return _page(entry, DecisionForm(formdata=None), 400)
            if verdict == seen.STALE:
                latest = history(store(), batch_record, doc.id)[-1]
                flash(_("Not stored: %(who)s decided on document %(n)s meanwhile (%(when)s: %(state)s). "
                        "Look at its decision and history and decide again.", who=latest.who, n=doc.index,
                        when=nice_datetime(latest.at), state=_states().get(latest.state, latest.state)))
                return _page(entry, DecisionForm(formdata=None), 409)
            decide(store(), batch_record, decision, settings, {d.id for d in entry.documents})
        remove_superseded(store(), catalog().workspace.root, batch, doc.id)
    except (ConfigError, StateError) as exc:
        flash(_("Not stored: %(why)s", why=str(exc)))
        return _page(entry, form, 400)
    flash(_("Decision stored for document %(n)s. Earlier decisions are kept in its history.", n=doc.index))
    return redirect(url_for("access_review.dossier", batch=batch, folder=folder) + f"#access-{doc.index}")
