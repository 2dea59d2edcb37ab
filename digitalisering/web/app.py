"""The one web application: the portal (search, dossiers, viewer, downloads), the IIIF services,
the QA review pages and sign-in, made by ``create_app`` from ``WebSettings``.

Every request passes the guards of ``web.security`` first (Host allow-list, same origin and CSRF
token on POST, no framing), then flask-login finds who signs it (``web.auth``); views say which
role they need. The language is Dutch unless the reader asks for English (``web.i18n``). Pages
share one layout and one stylesheet (``web/templates/layout.html``, ``web/static/portal.css``).
Served by gunicorn (``digitalisering portal``, ``web.serve``) or, for ``qa review``, by waitress
(``web.server``); either way each worker process makes the app itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Flask, render_template, request, send_from_directory
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from digitalisering.errors import DigitaliseringError
from digitalisering.web import auth, i18n
from digitalisering.web.resources import Resources, Sources
from digitalisering.web.security import CrossOrigin, CSRFError, ForeignHost, protect
from digitalisering.workspace import Workspace

WEB_DIR = Path(__file__).resolve().parent
VENDOR_DIR = WEB_DIR / "static" / "node_modules"
"""npm packages the pages use (OpenSeadragon), installed by scripts/setup.sh, served by the app
itself: no CDN, works offline."""
OPENSEADRAGON = VENDOR_DIR / "openseadragon" / "build" / "openseadragon"


CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; img-src 'self' data: blob:; "
                           "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'none'")
"""Inline style attributes are allowed (the review page places its boxes with them); scripts only
from files of this server."""


@dataclass(frozen=True)
class WebSettings:
    store_target: str | Path
    """The state database: the workspace's SQLite file or a ``postgresql://`` URL."""
    workspace: Workspace
    allowed_hosts: tuple[str, ...]
    """``host:port`` values the app answers to (``web.security.allowed_hosts``)."""
    secret_key: str
    """Signs the session cookie; the same in every worker (``web.secret.secret_key``)."""
    qa_config_file: Path | None = None
    archive_config_file: Path | None = None
    gazetteer_file: Path | None = None
    """Historic street names for address search (as for ``run --gazetteer``)."""
    access_config_file: Path | None = None
    """The municipality's access settings (TOML over ``access/access_defaults.toml``, as for
    ``package --access-config``): the grounds the access review offers, shows and checks."""
    cookie_name: str = "digitalisering"
    secure_cookies: bool = False
    """Send the session cookie over HTTPS only (behind a TLS proxy)."""


def _review_batches(settings: WebSettings):
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.qa.config import load_qa_config
    from digitalisering.qa.inspection import open_inspection
    from digitalisering.qa.review import ReviewBatches
    from digitalisering.store import Store

    qa_config = load_qa_config(settings.qa_config_file)
    archive_config = load_archive_config(settings.archive_config_file)

    def opener(name: str, who: str):
        return open_inspection(Store(settings.store_target), settings.workspace, name, qa_config, archive_config,
                               who=who)

    def names() -> list[str]:
        from digitalisering.web.resources import store

        return [b.name for b in store().batches()]

    return ReviewBatches(opener, names)


def create_app(settings: WebSettings, *, review=None, may_view: Callable | None = None,
               public_copy: Callable | None = None) -> Flask:
    """The app. ``review``: the batches the review pages serve (``qa.review.ReviewBatches``; default:
    every batch of the workspace, opened when first asked for). ``may_view``: who may see which
    document's original (default ``web.access.may_view``); ``public_copy``: the redacted copy a
    reader sees of a document whose original is refused (default ``web.access.public_copy`` with the
    default ``may_view``, none with a ``may_view`` of the caller's)."""
    from digitalisering.access.policy import load_settings
    from digitalisering.qa.review import review_blueprint
    from digitalisering.web import access, access_review, corrections, portal

    app = Flask("digitalisering.web", template_folder=str(WEB_DIR / "templates"),
                static_folder=str(WEB_DIR / "static"), static_url_path="/static")
    app.config.update(SECRET_KEY=settings.secret_key, SESSION_COOKIE_SECURE=settings.secure_cookies,
                      MAX_CONTENT_LENGTH=1 << 20, SEND_FILE_MAX_AGE_DEFAULT=3600)
    protect(app, settings.allowed_hosts, session_cookie=settings.cookie_name)
    gazetteer = None
    if settings.gazetteer_file:
        from digitalisering.bag.link import load_gazetteer

        gazetteer = load_gazetteer(settings.gazetteer_file)
    app.extensions["digitalisering.resources"] = Resources(Sources(settings.store_target, settings.workspace,
                                                                   gazetteer))
    app.extensions["digitalisering.settings"] = settings
    app.extensions["digitalisering.access_settings"] = load_settings(settings.access_config_file)
    app.extensions["digitalisering.may_view"] = may_view or access.may_view
    app.extensions["digitalisering.public_copy"] = public_copy or (access.public_copy if may_view is None
                                                                   else lambda batch, dossier, document: None)
    i18n.install(app)
    auth.install(app)
    app.register_blueprint(portal.bp)
    app.register_blueprint(corrections.bp)
    app.register_blueprint(access_review.bp)
    review_bp = review_blueprint(review if review is not None else _review_batches(settings))
    app.register_blueprint(review_bp, url_prefix="/qa")
    _install_iiif(app, settings)

    @app.get("/vendor/openseadragon/<path:name>")
    def openseadragon(name: str):
        return send_from_directory(OPENSEADRAGON, name, max_age=86400)

    @app.after_request
    def content_policy(response):
        """Only this server's own scripts, styles and images (no CDN, nothing injected runs)."""
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.endpoint not in ("static", "openseadragon"):
            # what a response holds depends on who signs the request (an original or its redacted
            # copy at the same URL): a browser must not show one reader's cached answer to the next
            response.vary.add("Cookie")
        return response

    def refused(message: str, status: int, bare: bool = False):
        return render_template("error.html", message=message, status=status, bare=bare), status

    @app.errorhandler(ForeignHost)
    def foreign_host(exc):  # nothing of the site (names, links, who is signed in) for a foreign name
        return refused(_("Unknown address: open this site at the address its server was started on."), 400, True)

    @app.errorhandler(CrossOrigin)
    def cross_origin(exc):
        return refused(_("Refused: this request did not come from a page of this site. Nothing was stored."), 403)

    @app.errorhandler(CSRFError)
    def no_token(exc):
        if request.endpoint == "review.decide":
            again = review_bp.refused_decision(**(request.view_args or {}))
            if again is not None:
                return again
        return refused(_("Not stored: the form had expired or did not come from this page (for instance after "
                         "the server was restarted). Please try again."), 400)

    @app.errorhandler(DigitaliseringError)
    def not_available(exc):
        from digitalisering.web.portal import CATALOG_ERRORS

        if isinstance(exc, CATALOG_ERRORS):
            return refused(_("Not found: %(what)s", what=str(exc)), 404)
        app.logger.error("%s", exc)
        return refused(_("This page cannot be shown now: %(what)s", what=str(exc)), 503)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {401: _("Sign in to do this."), 403: _("Your role does not allow this."),
                    404: _("This page does not exist."), 405: _("This is not possible here."),
                    413: _("Too much was sent.")}
        return refused(messages.get(exc.code, exc.name), exc.code or 500)

    return app


def _install_iiif(app: Flask, settings: WebSettings) -> None:
    """The IIIF Image, Presentation and Content Search services (``digitalisering.iiif``) at ``/iiif``,
    reading the same catalog and asking the same ``may_view`` as the portal's pages."""
    from digitalisering.iiif.web import iiif_blueprint
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.web.resources import catalog

    may_view = app.extensions["digitalisering.may_view"]
    archive = load_archive_config(settings.archive_config_file)
    app.register_blueprint(iiif_blueprint(catalog, may_view, archive=archive,
                                          public_copy=app.extensions["digitalisering.public_copy"]),
                           url_prefix="/iiif")
    app.extensions["digitalisering.iiif"] = True


__all__ = ["WebSettings", "create_app"]
