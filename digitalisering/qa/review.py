"""The review pages of the web application (a Flask blueprint, mounted at ``/qa``): the archivist
judges the sampled pages and the always-reviewed pages one by one: the page beside its OCR text,
metadata and findings, approve or reject with a reason. Every decision is stored with who (the
signed-in archivist) and when; the lot's verdict follows from the plan's acceptance number;
rejected pages go into state 'rescan' and onto the rescan list.

Only ``archivaris`` and ``beheerder`` may look and decide: the pages show the originals whatever
their access decision (``access.policy.may_see``: a medewerker sees a restricted document not at
all and a redacted one only as its copy), so a ``medewerker`` is refused (403) and the public is sent
to the sign-in page. The guards against other web sites (Host allow-list, same origin, CSRF
token) are the app's (``digitalisering.web.security``).

A batch under review is opened once per process (``ReviewBatches``: its checks are run then) and
again when its run's results change. Its store connection is its own and is used by one request at
a time (a lock around each request's reads and writes), so the embedded database sees one writer
per process; page pictures are made outside the lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from digitalisering.errors import DigitaliseringError
from digitalisering.qa.images import THUMB_PX, VIEW_PX, page_jpeg
from digitalisering.qa.inspection import Inspection, ReviewError
from digitalisering.qa.messages import check_label, page_failure, ui
from digitalisering.qa.report import extra_reasons, number_filter, plan_values, verdict_text
from digitalisering.resultsfile import RESULTS_FILE
from digitalisering.store.records import PageStatus
from digitalisering.web.auth import may, require
from digitalisering.web.i18n import current_lang
from digitalisering.web.users import ARCHIVARIS

SIZES = {"thumb": THUMB_PX, "view": VIEW_PX}


@dataclass
class Reviewing:
    """One batch under review in this process."""

    insp: Inspection
    stamp: tuple[int, int] | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    documents: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.documents = {d["id"]: d for d in self.insp.results["documents"]}
        self.jpeg = lru_cache(maxsize=256)(self._jpeg)

    def _jpeg(self, seq: int, size: str, sha: str) -> bytes:
        with self.lock:
            source = self.insp.jpeg_source(seq)
        return page_jpeg(*source, SIZES[size])  # decoding a large scan holds up no other request


def _stamp(insp: Inspection) -> tuple[int, int] | None:
    try:
        st = (insp.out_dir / RESULTS_FILE).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class ReviewBatches:
    """The batches this process reviews, each opened on first use by ``opener(batch name, who)``
    (``open_inspection`` on a store of its own) and opened again when its results.json changed."""

    def __init__(self, opener: Callable[[str, str], Inspection], names: Callable[[], list[str]]):
        self._opener = opener
        self._names = names
        self._open: dict[str, Reviewing] = {}
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, insp: Inspection) -> "ReviewBatches":
        """Only ``insp``, already open (``qa review BATCH`` and the tests)."""
        batches = cls(lambda name, who: insp, lambda: [insp.batch.name])
        batches._open[insp.batch.name] = Reviewing(insp, _stamp(insp))
        return batches

    def names(self) -> list[str]:
        return self._names()

    def get(self, name: str, who: str) -> Reviewing:
        with self._lock:
            current = self._open.get(name)
            if current is not None and current.stamp == _stamp(current.insp):
                return current
            if current is None and name not in self._names():
                abort(404)
            insp = self._opener(name, who)
            if current is not None and insp is current.insp:
                current.stamp = _stamp(insp)
                return current
            current = self._open[name] = Reviewing(insp, _stamp(insp))
            return current


def review_blueprint(batches: ReviewBatches) -> Blueprint:
    bp = Blueprint("review", __name__, template_folder="templates")

    def t(key: str, **kw) -> str:
        return ui(key, current_lang(), **kw)

    @bp.context_processor
    def texts():
        lang = current_lang()
        return {"t": t, "label": lambda n: check_label(n, lang), "lang": lang, "num": number_filter(lang),
                "failure": lambda page: page_failure(page, lang)}

    def reviewing(batch: str) -> Reviewing:
        return batches.get(batch, current_user.name)

    def common(r: Reviewing) -> dict:
        """What every page shows; the decisions are read once per request."""
        insp = r.insp
        decisions = insp.current_decisions()
        verdict = insp.verdict(decisions)
        text, _ = verdict_text(verdict, current_lang())
        name = insp.batch.name
        return {"batch": insp.batch, "pages": insp.pages_by_seq,
                "decisions": decisions, "verdict": verdict, "verdict_text": text,
                "plan_values": plan_values(insp.plan), "may_decide": may(ARCHIVARIS),
                "where": lambda s: insp.page_label(s, current_lang()),
                "where_finding": lambda f: insp.where(f, current_lang()),
                "page_href": lambda s: url_for("review.page", batch=name, seq=s),
                "thumb_href": lambda s: url_for("review.image", batch=name, seq=s, size="thumb")}

    @bp.get("/")
    @require(ARCHIVARIS)
    def batches_list():
        return render_template("review_batches.html", names=batches.names())

    @bp.get("/<batch>/")
    @require(ARCHIVARIS)
    def overview(batch: str):
        r = reviewing(batch)
        with r.lock:
            ctx = common(r)
            card = bp_env().get_template("_card.html").make_module({**ctx, **texts()}).card
            return render_template("review.html", sample_seqs=r.insp.sample_seqs,
                                   extra=extra_reasons(r.insp, current_lang()), card=card,
                                   rescan_count=len(r.insp.rescan_rows()), **ctx)

    def render_page(r: Reviewing, seq: int, error: str | None = None, status: int = 200):
        insp = r.insp
        if seq not in insp.pages_by_seq:
            abort(404)
        ctx = common(r)
        order = insp.review_list()
        pos = order.index(seq) if seq in order else None
        pid = insp.page_ids[seq]
        history = [d for d in insp.store.decisions(insp.batch.id) if d.page_id == pid]
        p = insp.pages_by_seq[seq]
        html = render_template(
            "review_page.html", p=p, doc=r.documents.get(p.get("document")), findings=insp.findings_for(seq),
            text=insp.ocr_text(seq), review=True, current=ctx["decisions"].get(seq), history=history[::-1],
            in_sample=seq in insp.sample_seqs, error=error, reviewer=current_user.name,
            prev_seq=order[pos - 1] if pos else None,
            next_seq=order[pos + 1] if pos is not None and pos + 1 < len(order) else None, **ctx)
        return html, status

    def bp_env():
        from flask import current_app

        return current_app.jinja_env

    @bp.get("/<batch>/page/<int:seq>")
    @require(ARCHIVARIS)
    def page(batch: str, seq: int):
        r = reviewing(batch)
        with r.lock:
            return render_page(r, seq)

    @bp.post("/<batch>/page/<int:seq>")
    @require(ARCHIVARIS)
    def decide(batch: str, seq: int):
        r = reviewing(batch)
        insp = r.insp
        with r.lock:
            if seq not in insp.pages_by_seq:
                abort(404)
            try:
                insp.decide(seq, request.form.get("decision", ""), request.form.get("reason"), current_user.name)
            except ReviewError as exc:
                message = t("error_reason") if "reason" in exc.msgid else str(exc)
                return render_page(r, seq, message, 400)
            decided = insp.current_decisions()
            order = insp.review_list()
            later = [s for s in order if s > seq and s not in decided] or [s for s in order if s not in decided]
            return redirect(url_for("review.page", batch=batch, seq=later[0]) if later
                            else url_for("review.overview", batch=batch))

    @bp.get("/<batch>/img/<int:seq>/<size>.jpg")
    @require(ARCHIVARIS)
    def image(batch: str, seq: int, size: str):
        r = reviewing(batch)
        if seq not in r.insp.pages_by_seq or size not in SIZES:
            abort(404)
        try:
            with r.lock:
                sha = r.insp.current_sha(seq)
            data = r.jpeg(seq, size, sha)
        except (DigitaliseringError, OSError, ValueError):
            abort(404)
        return Response(data, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=300"})

    @bp.get("/<batch>/rescan.csv")
    @require(ARCHIVARIS)
    def rescan_csv(batch: str):
        r = reviewing(batch)
        with r.lock:
            body = r.insp.rescan_csv()
        return Response(body, mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=herscan-{r.insp.batch.name}.csv"})

    @bp.get("/<batch>/api/state")
    @require(ARCHIVARIS)
    def state(batch: str):
        r = reviewing(batch)
        insp = r.insp
        with r.lock:
            decided = insp.current_decisions()
            v = insp.verdict(decided)
            return {"verdict": v.__dict__, "sample": insp.sample_seqs, "extra": list(insp.extra_pages()),
                    "decisions": {str(s): {"decision": d.decision, "reason": d.reason, "who": d.who, "at": d.at}
                                  for s, d in decided.items()},
                    "rescan": [p.seq for p in insp.store.pages(insp.batch.id, [PageStatus.RESCAN])]}

    def refused_decision(batch: str, seq: int):
        """The page again after a refused form (expired token), with a fresh token: one more click
        stores the decision."""
        r = reviewing(batch)
        if seq not in r.insp.pages_by_seq:
            return None
        with r.lock:
            return render_page(r, seq, t("error_csrf"), 400)

    bp.refused_decision = refused_decision  # used by the app's CSRF error handler
    return bp
