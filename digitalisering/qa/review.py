"""``digitalisering qa review BATCH``: a local web page (Flask) where the archivist judges the sampled
pages and the always-reviewed pages one by one: the page beside its OCR text, metadata and findings,
approve or reject with a reason. Every decision is stored with who and when; the lot's verdict follows
from the plan's acceptance number; rejected pages go into state 'rescan' and onto the rescan list.

The app serves one reviewer on one machine. It is guarded against other web sites by
``digitalisering.web.security``: it answers only to the hosts it is served on (``allowed_hosts``),
and a decision must come from its own form (same origin, CSRF token). The server
(``digitalisering.web.server``) handles requests in worker threads; the store's one connection is
used by one request at a time (a lock around each request's reads and writes), so the embedded
database sees a single writer; page pictures are made outside the lock.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Iterable

from flask import Flask, Response, abort, redirect, render_template, request, url_for
from jinja2 import PackageLoader

from digitalisering.errors import DigitaliseringError
from digitalisering.qa.images import THUMB_PX, VIEW_PX, page_jpeg
from digitalisering.qa.inspection import Inspection, ReviewError
from digitalisering.qa.messages import check_label, ui
from digitalisering.store.records import PageStatus
from digitalisering.qa.report import extra_reasons, number_filter, plan_values, verdict_text
from digitalisering.web.security import CrossOrigin, CSRFError, ForeignHost, protect

SIZES = {"thumb": THUMB_PX, "view": VIEW_PX}


def create_app(insp: Inspection, reviewer: str, lang: str = "nl", *, allowed_hosts: Iterable[str]) -> Flask:
    """The review app of ``insp``; ``allowed_hosts``: the ``host:port`` values it answers to
    (``digitalisering.web.security.allowed_hosts`` of the address it is served on)."""
    app = Flask("digitalisering.qa.review")
    protect(app, allowed_hosts, session_cookie=f"digitalisering-review-{insp.batch.id}")
    app.jinja_loader = PackageLoader("digitalisering.qa", "templates")
    app.jinja_env.globals.update(t=lambda key, **kw: ui(key, lang, **kw), label=lambda n: check_label(n, lang),
                                 lang=lang, num=number_filter(lang))
    lock = threading.Lock()
    documents = {d["id"]: d for d in insp.results["documents"]}

    @lru_cache(maxsize=256)
    def jpeg(seq: int, size: str, sha: str) -> bytes:
        with lock:
            source = insp.jpeg_source(seq)
        return page_jpeg(*source, SIZES[size])  # decoding a large scan holds up no other request

    def review_list() -> list[int]:
        return insp.review_list()

    def common() -> dict:
        """What every page shows; the decisions are read once per request."""
        decisions = insp.current_decisions()
        verdict = insp.verdict(decisions)
        text, _ = verdict_text(verdict, lang)
        return {"batch": insp.batch, "reviewer": reviewer, "pages": insp.pages_by_seq,
                "decisions": decisions, "verdict": verdict, "verdict_text": text,
                "plan_values": plan_values(insp.plan),
                "where": lambda s: insp.page_label(s, lang), "where_finding": lambda f: insp.where(f, lang),
                "page_href": lambda s: url_for("page", seq=s),
                "thumb_href": lambda s: url_for("image", seq=s, size="thumb")}

    @app.get("/")
    def overview():
        with lock:
            ctx = common()
            card = app.jinja_env.get_template("_card.html").make_module(ctx).card
            return render_template("review.html", sample_seqs=insp.sample_seqs, extra=extra_reasons(insp, lang),
                                   card=card,
                                   rescan_count=len(insp.rescan_rows()), **ctx)

    def render_page(seq: int, error: str | None = None, status: int = 200):
        if seq not in insp.pages_by_seq:
            abort(404)
        ctx = common()
        order = review_list()
        pos = order.index(seq) if seq in order else None
        pid = insp.page_ids[seq]
        history = [d for d in insp.store.decisions(insp.batch.id) if d.page_id == pid]
        p = insp.pages_by_seq[seq]
        html = render_template(
            "review_page.html", p=p, doc=documents.get(p.get("document")), findings=insp.findings_for(seq),
            text=insp.ocr_text(seq), review=True, current=ctx["decisions"].get(seq), history=history[::-1],
            in_sample=seq in insp.sample_seqs, error=error,
            prev_seq=order[pos - 1] if pos else None,
            next_seq=order[pos + 1] if pos is not None and pos + 1 < len(order) else None, **ctx)
        return html, status

    @app.get("/page/<int:seq>")
    def page(seq: int):
        with lock:
            return render_page(seq)

    @app.post("/page/<int:seq>")
    def decide(seq: int):
        with lock:
            if seq not in insp.pages_by_seq:
                abort(404)
            try:
                insp.decide(seq, request.form.get("decision", ""), request.form.get("reason"), reviewer)
            except ReviewError as exc:
                message = ui("error_reason", lang) if "reason" in str(exc) else str(exc)
                return render_page(seq, message, 400)
            decided = insp.current_decisions()
            order = review_list()
            later = [s for s in order if s > seq and s not in decided] or [s for s in order if s not in decided]
            return redirect(url_for("page", seq=later[0]) if later else url_for("overview"))

    @app.get("/img/<int:seq>/<size>.jpg")
    def image(seq: int, size: str):
        if seq not in insp.pages_by_seq or size not in SIZES:
            abort(404)
        try:
            with lock:
                sha = insp.current_sha(seq)
            data = jpeg(seq, size, sha)
        except (DigitaliseringError, OSError, ValueError):
            abort(404)
        return Response(data, mimetype="image/jpeg", headers={"Cache-Control": "max-age=300"})

    @app.get("/rescan.csv")
    def rescan_csv():
        with lock:
            body = insp.rescan_csv()
        return Response(body, mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=herscan-{insp.batch.name}.csv"})

    @app.get("/api/state")
    def state():
        with lock:
            decided = insp.current_decisions()
            v = insp.verdict(decided)
            return {"verdict": v.__dict__, "sample": insp.sample_seqs, "extra": list(insp.extra_pages()),
                    "decisions": {str(s): {"decision": d.decision, "reason": d.reason, "who": d.who, "at": d.at}
                                  for s, d in decided.items()},
                    "rescan": [p.seq for p in insp.store.pages(insp.batch.id, [PageStatus.RESCAN])]}

    def refused(key: str, status: int):
        return render_template("error.html", message=ui(key, lang)), status

    @app.errorhandler(ForeignHost)
    def foreign_host(exc):
        return refused("error_host", 400)

    @app.errorhandler(CrossOrigin)
    def cross_origin(exc):
        return refused("error_origin", 403)

    @app.errorhandler(CSRFError)
    def no_token(exc):
        seq = (request.view_args or {}).get("seq")
        if request.endpoint == "decide" and seq in insp.pages_by_seq:
            with lock:  # the page again, with a fresh token in its form: one more click stores it
                return render_page(seq, ui("error_csrf", lang), 400)
        return refused("error_csrf", 400)

    return app
