"""The people who sign in to the web application, and what their role lets them do.

Roles, from least to most: the public (no account: search, dossiers and the viewer), ``medewerker``
(staff: also the QA overview and review pages, read only), ``archivaris`` (also decides on pages in
review) and ``beheerder`` (administrator: everything an archivist may, and the list of accounts).
Which documents each role may see is decided per document elsewhere (``may_view``); this module
only ranks the roles.

Passwords are stored only as salted hashes made by ``werkzeug.security`` (scrypt); checking one
takes as long whether or not the name exists, so a wrong name and a wrong password look the same.
No Flask here: the command line (``digitalisering user ...``) and the app both call it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from digitalisering.errors import ConfigError
from digitalisering.store import Store, UserRecord

PUBLIC, MEDEWERKER, ARCHIVARIS, BEHEERDER = "public", "medewerker", "archivaris", "beheerder"
ROLES = (MEDEWERKER, ARCHIVARIS, BEHEERDER)
"""The roles an account can have (the public has no account)."""
RANK = {PUBLIC: 0, MEDEWERKER: 1, ARCHIVARIS: 2, BEHEERDER: 3}

MIN_PASSWORD = 10
"""Characters at least: length is what makes a password hard to guess (NIST SP 800-63B asks 8 at
least; 10 because these accounts decide on an archive's quality)."""
MAX_PASSWORD = 200
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")

_DUMMY_HASH = generate_password_hash("not a password of anyone")
"""Checked against when the name is unknown, so that both answers take as long."""


class UserError(ConfigError):
    """A user command that cannot be done as asked (bad name, role or password: exit code 2)."""


def at_least(role: str, needed: str) -> bool:
    """Whether ``role`` ranks at least as high as ``needed``."""
    return RANK.get(role, 0) >= RANK[needed]


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise UserError("user name {name!r}: use 1 to 64 letters, digits and . _ @ - (starting with a letter or digit)", name=name)
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError("role {role!r} does not exist; expected one of {items}", role=role, items=', '.join(ROLES))
    return role


def check_password(password: str, name: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError("the password is too short: at least {min_password} characters", min_password=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise UserError("the password is too long: at most {max_password} characters", max_password=MAX_PASSWORD)
    if password.strip().lower() == name.lower():
        raise UserError("the password must not be the user name")
    return password


def _get(store: Store, name: str) -> UserRecord:
    user = store.user_by_name(name)
    if user is None or not user.active:
        raise UserError("no user {name!r} (see: digitalisering user list)", name=name)
    return user


def add_user(store: Store, name: str, role: str, password: str, who: str) -> UserRecord:
    """A new account; a removed account of the same name is given back with the new role and password."""
    check_name(name)
    check_role(role)
    check_password(password, name)
    with store.transaction():
        store.db.serialise("users")  # two stations adding `bob` and `Bob` at once
        existing = store.user_by_name(name)
        if existing is not None and existing.active:
            raise UserError("user {name!r} exists already (change it with: digitalisering user role/password)", name=name)
        alike = next((u for u in store.users() if u.name.casefold() == name.casefold() and u.name != name), None)
        if alike is not None:  # `Anna` beside `anna`: two people the event log and the decisions cannot tell apart
            if alike.active:
                raise UserError("user {name!r} would differ from the account {alike!r} only in case; choose another "
                                "name", name=name, alike=alike.name)
            raise UserError("user {name!r} would differ from the account {alike!r} only in case; choose another "
                            "name (or add {alike!r} again)", name=name, alike=alike.name)
        hashed = generate_password_hash(password)
        if existing is not None:
            user = store.update_user(existing.id, role=role, password_hash=hashed, active=True)
        else:
            user = store.add_user(name, role, hashed, who)
        store.log(None, who, "user.add", user=name, role=role)
    return user


def set_password(store: Store, name: str, password: str, who: str) -> UserRecord:
    """A new password; the user's sessions end."""
    user = _get(store, name)
    check_password(password, name)
    with store.transaction():
        user = store.update_user(user.id, password_hash=generate_password_hash(password))
        store.log(None, who, "user.password", user=name)
    return user


def set_role(store: Store, name: str, role: str, who: str) -> UserRecord:
    """Another role; the user's sessions end (they sign in again with the new role)."""
    user = _get(store, check_name(name))
    check_role(role)
    with store.transaction():
        user = store.update_user(user.id, role=role)
        store.log(None, who, "user.role", user=name, role=role)
    return user


def remove_user(store: Store, name: str, who: str) -> UserRecord:
    """The account can no longer sign in and its sessions end; it is kept (decisions name it)."""
    user = _get(store, check_name(name))
    with store.transaction():
        user = store.update_user(user.id, active=False)
        store.log(None, who, "user.remove", user=name)
    return user


def list_users(store: Store) -> list[UserRecord]:
    """Every account that can sign in, by name."""
    return [u for u in store.users() if u.active]


MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
"""At most 10 wrong passwords per name in 15 minutes, counted in the state database (so across
every worker and machine): guessing a password online takes years; the cost, that someone can keep
an account from signing in for a quarter of an hour, is the usual one (NIST SP 800-63B 5.2.2)."""


class TooManyAttempts(Exception):
    """The name has had MAX_FAILURES wrong passwords within FAILURE_WINDOW."""


def authenticate(store: Store, name: str, password: str) -> UserRecord | None:
    """The account when ``password`` is its password, else None (unknown, removed or wrong; the
    failure is logged under the name tried). TooManyAttempts while the name is locked."""
    valid = bool(_NAME.fullmatch(name or ""))
    who = name if valid else "?"
    since = (datetime.now(timezone.utc) - FAILURE_WINDOW).isoformat(timespec="seconds")
    if store.count_events(who, "web.sign_in_failed", since) >= MAX_FAILURES:
        raise TooManyAttempts(who)
    user = store.user_by_name(name) if valid else None
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        ok = None
    else:
        ok = user if check_password_hash(user.password_hash, password or "") else None
    if ok is None:
        store.log(None, who, "web.sign_in_failed")
    return ok


@dataclass(frozen=True)
class SignedIn:
    """Who makes a request, as the app needs it (flask-login's user object)."""

    id: int
    name: str
    role: str
    session_version: int

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """What the session remembers: the id and the session version (a changed password, role or
        removal makes an old session name a version that no longer exists)."""
        return f"{self.id}:{self.session_version}"

    def may(self, needed: str) -> bool:
        return at_least(self.role, needed)

    @classmethod
    def of(cls, user: UserRecord) -> "SignedIn":
        return cls(user.id, user.name, user.role, user.session_version)


def load_session_user(store: Store, session_id: str) -> SignedIn | None:
    """The signed-in user a session names, or None when that session has ended."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = store.user_by_id(user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return SignedIn.of(user)
