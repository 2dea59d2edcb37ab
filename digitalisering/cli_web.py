"""``digitalisering user ...`` (the accounts that sign in to the web application) and
``digitalisering portal`` (the web application: search, dossiers, viewer, QA review)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from digitalisering.cli_common import Context, handle_errors
from digitalisering.i18n import _, ngettext, short_date
from digitalisering.ingest.register import operator_name


def _read_password(name: str, from_stdin: bool) -> str:
    """From standard input (one line) when asked or when it is not a terminal, else a prompt twice."""
    from digitalisering.web.users import UserError

    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise UserError("no password on standard input")
        return password
    return click.prompt(_("password for {name}", name=name), hide_input=True, confirmation_prompt=True)


ROLE_CHOICE = click.Choice(["medewerker", "archivaris", "beheerder"])
stdin_option = click.option("--password-stdin", "from_stdin", is_flag=True,
                            help="Read the password from standard input (one line) instead of a prompt.")


@click.group("user")
def user_group() -> None:
    """Accounts of the web application: medewerker (staff: looks), archivaris (also decides in QA
    review), beheerder (administrator). The public needs no account."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, required=True, help="What the account may do.")
@stdin_option
@click.pass_obj
@handle_errors
def user_add(obj: Context, name: str, role: str, from_stdin: bool) -> None:
    """Add the account NAME (the password is asked, or read from standard input)."""
    from digitalisering.web.users import add_user, check_name

    check_name(name)
    password = _read_password(name, from_stdin)
    with obj.store() as store:
        user = add_user(store, name, role, password, operator_name())
    click.echo(_("user {name} added ({role})", name=user.name, role=user.role))


@user_group.command("password")
@click.argument("name")
@stdin_option
@click.pass_obj
@handle_errors
def user_password(obj: Context, name: str, from_stdin: bool) -> None:
    """Give NAME a new password (NAME's sessions end)."""
    from digitalisering.web.users import check_name, set_password

    check_name(name)
    password = _read_password(name, from_stdin)
    with obj.store() as store:
        set_password(store, name, password, operator_name())
    click.echo(_("password of {name} changed; its sessions have ended", name=name))


@user_group.command("role")
@click.argument("name")
@click.argument("role", type=ROLE_CHOICE)
@click.pass_obj
@handle_errors
def user_role(obj: Context, name: str, role: str) -> None:
    """Give NAME another ROLE (NAME signs in again)."""
    from digitalisering.web.users import set_role

    with obj.store() as store:
        set_role(store, name, role, operator_name())
    click.echo(_("user {name} is now {role}", name=name, role=role))


@user_group.command("remove")
@click.argument("name")
@click.pass_obj
@handle_errors
def user_remove(obj: Context, name: str) -> None:
    """NAME can no longer sign in (the account is kept: its decisions name it)."""
    from digitalisering.web.users import remove_user

    with obj.store() as store:
        remove_user(store, name, operator_name())
    click.echo(_("user {name} removed", name=name))


@user_group.command("list")
@click.pass_obj
@handle_errors
def user_list(obj: Context) -> None:
    """The accounts that can sign in."""
    from digitalisering.web.users import list_users

    with obj.store() as store:
        accounts = list_users(store)
    for u in accounts:
        click.echo(f"{u.name:<24} {u.role:<11} " + _("since {date} (by {who})", date=short_date(u.created_at[:10]),
                                                        who=u.created_by))
    click.echo(ngettext("{n} account", "{n} accounts", len(accounts)))


def web_settings(obj: Context, hosts: list[str], *, qa_config: Path | None = None,
                 archive_config: Path | None = None, secure_cookies: bool = False, gazetteer: Path | None = None,
                 access_config: Path | None = None):
    from digitalisering.web.app import WebSettings
    from digitalisering.web.secret import secret_key

    return WebSettings(store_target=obj.state_target(), workspace=obj.workspace,
                       allowed_hosts=tuple(hosts), secret_key=secret_key(obj.workspace),
                       qa_config_file=qa_config, archive_config_file=archive_config, secure_cookies=secure_cookies,
                       gazetteer_file=gazetteer, access_config_file=access_config)


@click.command("portal")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes [default: 2 x cores + 1, at most 9].")
@click.option("--allowed-host", "extra_hosts", multiple=True, metavar="NAME[:PORT]",
              help="A further name the portal may be opened by (e.g. its name on the network, or the name a "
                   "reverse proxy passes on); repeatable. The address listened on and its loopback names always are.")
@click.option("--qa-config", "qa_config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="QA settings for the review pages (as for `qa review --config`).")
@click.option("--archive-config", "archive_config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Archive values for the review pages' MDTO check.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of historic street-name variants for address search (as for run).")
@click.option("--access-config", "access_config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Access settings (TOML) with the municipality's grounds for the access review pages "
                   "(as for `package --access-config`) [default: access_defaults.toml].")
@click.option("--secure-cookies", is_flag=True, help="Send the session cookie over HTTPS only (behind a TLS proxy).")
@click.option("--no-access-log", is_flag=True, help="Do not print a line per request.")
@click.pass_obj
@handle_errors
def portal(obj: Context, host: str, port: int, workers: int | None, extra_hosts: tuple[str, ...],
           qa_config: Path | None, archive_config: Path | None, gazetteer: Path | None, access_config: Path | None,
           secure_cookies: bool, no_access_log: bool) -> None:
    """Serve the portal: search, dossiers, the viewer, downloads and the QA review pages (Ctrl-C stops it)."""
    from digitalisering.access.policy import load_settings
    from digitalisering.errors import MissingDependencyError
    from digitalisering.metadata.config import load_archive_config
    from digitalisering.qa.config import load_qa_config
    from digitalisering.web.app import OPENSEADRAGON, create_app
    from digitalisering.web.security import WILDCARD_HOSTS, allowed_hosts, format_host
    from digitalisering.web.serve import PortalServer, default_workers
    from digitalisering.web.server import listen

    allowed_hosts(host, port, extra_hosts)  # a bad --allowed-host is a usage error before anything else
    load_qa_config(qa_config)  # and so is a bad settings file
    load_archive_config(archive_config)
    load_settings(access_config)
    if gazetteer:
        from digitalisering.bag.link import load_gazetteer

        load_gazetteer(gazetteer)
    if not (OPENSEADRAGON / "openseadragon.min.js").is_file():
        raise MissingDependencyError("the viewer's OpenSeadragon is not installed in {parent} (scripts/setup.sh installs it with npm; Debian package: npm)", parent=OPENSEADRAGON.parent.parent.parent)
    sock = listen(host, port)
    port = sock.getsockname()[1]
    hosts = allowed_hosts(host, port, extra_hosts)
    settings = web_settings(obj, hosts, qa_config=qa_config, archive_config=archive_config,
                            secure_cookies=secure_cookies, gazetteer=gazetteer, access_config=access_config)
    with obj.store():
        pass  # the state database opens (and is migrated) before the workers start
    shown = format_host("127.0.0.1" if host in WILDCARD_HOSTS else host.strip("[]"), port)
    n = workers or default_workers()
    click.echo(ngettext("portal: http://{address}/  ({n} worker; Ctrl-C to stop)",
                        "portal: http://{address}/  ({n} workers; Ctrl-C to stop)", n, address=shown), err=False)
    sys.stdout.flush()
    server = PortalServer(lambda: create_app(settings), sock, n, access_log=None if no_access_log else "-")
    server.run()
