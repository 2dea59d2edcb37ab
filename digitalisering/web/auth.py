"""Sign-in and roles (flask-login): the sign-in form, signing out, and ``require(role)`` for views.

A signed-in session remembers the account's id and session version (``users.SignedIn.get_id``),
so a changed password or role, or a removed account, ends the sessions signed in before. The
session cookie is signed with the workspace's key (``web.secret``), shared by every worker; it is
HttpOnly and SameSite=Strict, and the sign-in form (like every POST) carries a CSRF token and must
come from this server (``web.security``). Signing in starts a fresh session (nothing from before
survives); signing out is a POST, so another site cannot sign anyone out.
"""

from __future__ import annotations

import functools
from typing import Callable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from digitalisering.web import users
from digitalisering.web.resources import store

bp = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    name = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)],
                       render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=users.MAX_PASSWORD)],
                             render_kw={"autocomplete": "current-password"})


def role_of_current() -> str:
    return current_user.role if current_user.is_authenticated else users.PUBLIC


def may(role: str) -> bool:
    """Whether the current reader ranks at least ``role`` (public: everyone)."""
    return users.at_least(role_of_current(), role)


def require(role: str) -> Callable:
    """A view for ``role`` and up: the public is sent to the sign-in page (401 for non-GET),
    a signed-in user of a lower role gets 403."""

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.method == "GET":
                    return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
                abort(401)
            if not may(role):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return wrap


def demand(role: str) -> None:
    """Inside a view: go on only for ``role`` and up. The public is sent to sign in on a GET; anyone
    else below ``role`` (the public's POST included) is refused with 403 (the archivists' forms:
    corrections, access decisions)."""
    if may(role):
        return
    if request.method == "GET" and not current_user.is_authenticated:
        abort(redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"))))
    abort(403)


def _safe_next(target: str | None) -> str:
    """Only a path on this server (no scheme, no host, no '//'), else the home page."""
    if not target:
        return url_for("portal.search")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("portal.search")
    return target


@bp.route("/aanmelden", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    failed = locked = False
    if form.validate_on_submit():
        try:
            user = users.authenticate(store(), form.name.data.strip(), form.password.data)
        except users.TooManyAttempts:
            return render_template("sign_in.html", form=form, failed=False, locked=True), 429
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session: nothing from before signing in carries over
            if lang:
                session["lang"] = lang
            login_user(users.SignedIn.of(user))
            store().log(None, user.name, "web.sign_in")
            flash(_("Signed in as %(name)s (%(role)s).", name=user.name, role=role_label(user.role)))
            return redirect(_safe_next(request.args.get("next")))
        failed = True
    status = 401 if failed else 200
    return render_template("sign_in.html", form=form, failed=failed, locked=locked), status


@bp.post("/afmelden")
def sign_out():
    if current_user.is_authenticated:
        store().log(None, current_user.name, "web.sign_out")
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are signed out."))
    return redirect(url_for("portal.search"))


@bp.get("/beheer/gebruikers")
@require(users.BEHEERDER)
def accounts():
    """The accounts that can sign in (beheerder only); they are managed with `digitalisering user`."""
    return render_template("accounts.html", accounts=users.list_users(store()))



def role_label(role: str) -> str:
    labels = {users.PUBLIC: _("public"), users.MEDEWERKER: _("staff member"),
              users.ARCHIVARIS: _("archivist"), users.BEHEERDER: _("administrator")}
    return labels.get(role, role)


def install(app: Flask) -> LoginManager:
    manager = LoginManager(app)
    manager.session_protection = "basic"

    @manager.user_loader
    def load(session_id: str):
        return users.load_session_user(store(), session_id)

    app.register_blueprint(bp)
    app.jinja_env.globals.update(may=may, role_label=role_label, role_of_current=role_of_current)
    return manager
