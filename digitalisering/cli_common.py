"""What every command shares: the context (workspace, store), one-line errors with documented exit
codes, and the common options."""

from __future__ import annotations

import functools
import sqlite3
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable

import click

from digitalisering.errors import DigitaliseringError
from digitalisering.exitcodes import ExitCode
from digitalisering.i18n import (
    LANGS, _, click_gettext, language, set_language, translate, translate_help, use_for_click,
)
from digitalisering.store import Store
from digitalisering.workspace import Workspace, default_workspace

operator_option = click.option("--operator", help="Who does this (for the event log) [default: login name].")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (for scripts) instead of text.")


class OrderedGroup(click.Group):
    """A command group that lists its commands in ``order`` (the order of the work) with their whole
    first sentence, not cut off with "..."."""

    order: tuple[str, ...] = ()

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return [n for n in self.order if n in names] + [n for n in names if n not in self.order]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            # the whole first paragraph (a translation wraps its lines elsewhere than the English)
            first = (cmd.help or "").strip().split("\n\n")[0]
            rows.append((name, cmd.short_help or " ".join(first.split())))
        if rows:
            with formatter.section(click_gettext("Commands")):
                formatter.write_dl(rows)


LANGUAGE_OPTIONS = ("--taal", "--language")


def language_in(args: list[str]) -> str | None:
    """The language a command line asks for (``--taal en``, ``--language=nl``, anywhere before ``--``),
    read before click parses it, so that click's own messages about that command line (a usage error)
    are in it too."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if name in LANGUAGE_OPTIONS:
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            if value in LANGS:
                return value
    return None


_ORIGINAL = "_digitalisering_original"


def localise_commands(command: click.Command, lang: str) -> None:
    """Every help text of ``command`` and its subcommands (their docstrings, epilogs and options' help,
    English in the code) in ``lang``, from the ``messages`` catalogue; click's own texts (the help
    option, "Usage:", errors) follow :func:`digitalisering.i18n.use_for_click`. The English texts are
    kept, so that the language can change between invocations in one process (tests)."""
    for cmd in walk_commands(command):
        for obj, attr in [(cmd, "help"), (cmd, "short_help"), (cmd, "epilog"),
                          *((p, "help") for p in cmd.params if isinstance(p, click.Option))]:
            originals = obj.__dict__.setdefault(_ORIGINAL, {})
            english = originals.setdefault(attr, getattr(obj, attr))
            if english:
                setattr(obj, attr, translate_help(english, lang))
        cmd._help_option = None  # click makes it again, with its help text in the language now set
        originals = cmd.__dict__.setdefault(_ORIGINAL, {})
        for attr in ("options_metavar", "subcommand_metavar"):
            english = originals.setdefault(attr, getattr(cmd, attr, None))
            if english:
                setattr(cmd, attr, translate(english, lang=lang))
        for param in cmd.params:
            _localise_metavar(param, lang)


def _default_metavar(param: click.Parameter) -> str | None:
    """The placeholder click shows for ``param`` without a metavar of its own, undecorated (``DELIVERY``,
    ``DIRECTORY``, ``INTEGER RANGE``); None where the type shows its values (``[nl|en]``)."""
    if isinstance(param.type, (click.Choice, click.DateTime)):
        return None
    if isinstance(param, click.Argument):
        return (param.name or "").upper() or None
    return param.type.__dict__.get(_ORIGINAL, {}).get("name", param.type.name).upper()


def _localise_metavar(param: click.Parameter, lang: str) -> None:
    """``param``'s placeholder in ``lang`` (``LEVERING`` for ``DELIVERY``, ``MAP`` for ``DIRECTORY``),
    decorated as click decorates its own (``[BATCH]`` when optional, ``...`` for several values)."""
    if isinstance(param.type, click.Path):  # "Map '/x' bestaat niet.": click names the kind of path
        kinds = param.type.__dict__.setdefault(_ORIGINAL, {})
        param.type.name = click_gettext(kinds.setdefault("name", param.type.name))
    originals = param.__dict__.setdefault(_ORIGINAL, {})
    english = originals.setdefault("metavar", param.metavar)
    if english is not None:
        param.metavar = translate(english, lang=lang)
        return
    param.metavar = None
    base = _default_metavar(param)
    if base is None:
        return
    text = translate(base, lang=lang)
    if text == base:
        return
    if isinstance(param, click.Argument) and not param.required:
        text = f"[{text}]"
    if param.nargs != 1:
        text += "..."
    param.metavar = text


def english_metavars(command: click.Command) -> list[str]:
    """The English placeholders of ``command`` and its subcommands, for the catalogue script."""
    found = []
    for cmd in walk_commands(command):
        for attr in ("options_metavar", "subcommand_metavar"):
            english = cmd.__dict__.get(_ORIGINAL, {}).get(attr, getattr(cmd, attr, None))
            if english:
                found.append(english)
        for param in cmd.params:
            english = param.__dict__.get(_ORIGINAL, {}).get("metavar", param.metavar)
            found.append(english if english is not None else _default_metavar(param))
    return sorted({m for m in found if m})


def walk_commands(command: click.Command):
    """``command`` and all its subcommands."""
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from walk_commands(sub)


def english_help_texts(command: click.Command) -> list[str]:
    """The English help texts of ``command`` and its subcommands, for the catalogue script."""
    texts = []
    for cmd in walk_commands(command):
        for obj, attr in [(cmd, "help"), (cmd, "short_help"), (cmd, "epilog"),
                          *((p, "help") for p in cmd.params if isinstance(p, click.Option))]:
            english = obj.__dict__.get(_ORIGINAL, {}).get(attr, getattr(obj, attr))
            if english:
                texts.append(english)
    return texts


class LocalisedMain(OrderedGroup):
    """The top-level command in the reader's language, also for click's own texts and for usage errors,
    which are one line (``fout: ...``, exit 2) like every other error."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        args = list(sys.argv[1:] if args is None else args)
        set_language(language_in(args))
        lang = language()
        use_for_click(lang)
        localise_commands(self, lang)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.UsageError as exc:
            hint = ""
            if exc.ctx is not None:
                hint = " " + _("(help: {command} -h)", command=exc.ctx.command_path)
            _fail(exc.format_message() + hint, ExitCode.USAGE)
        except click.ClickException as exc:
            _fail(exc.format_message(), ExitCode(exc.exit_code) if exc.exit_code in
                  {int(c) for c in ExitCode} else ExitCode.USAGE)
        except click.exceptions.Abort:
            click.echo(click_gettext("Aborted!"), err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        sys.exit(rv if isinstance(rv, int) else 0)


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (dates and paths as text)."""
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _fail(message: str, code: ExitCode) -> None:
    click.secho(_("error: {message}", message=message), fg="red", err=True)
    sys.exit(int(code))


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every expected error into a one-line message and its documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DigitaliseringError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            click.echo("\n" + _("interrupted; run the same command again to resume"), err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        except BrokenPipeError:  # the reader stopped reading (``| head``): nothing to tell anyone
            _quiet_stdout()
            sys.exit(int(ExitCode.OK))
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), ExitCode.STATE)
        except sqlite3.Error as exc:
            trouble = _database_disk_trouble(exc)
            if trouble is None:
                _fail(_("internal error: {error} (details in {path})", error=f"{type(exc).__name__}: {exc}",
                        path=_write_crash_log()), ExitCode.INTERNAL)
            _fail(str(trouble), trouble.exit_code)
        except Exception as exc:  # a bug: one line for the operator, the traceback in the log file
            log_path = _write_crash_log()
            _fail(_("internal error: {error} (details in {path})", error=f"{type(exc).__name__}: {exc}", path=log_path),
                  ExitCode.INTERNAL)

    return wrapper


def _database_disk_trouble(exc: sqlite3.Error) -> DigitaliseringError | None:
    """A full disk or a disk error under one of the workspace's SQLite files (the search index, the
    BAG index) that no layer turned into a StateError (the state database's are:
    ``store.backend.disk_trouble``), as one line with the workspace's folder and the room left
    there; None for any other database error (a bug)."""
    import shutil

    from digitalisering.errors import StateError

    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return None
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Context) if ctx else None
    folder = obj.workspace_path if obj is not None else default_workspace()
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return StateError("a database in {folder} cannot be written: {error}; is its disk full?", folder=folder,
                          error=exc)
    from digitalisering.store.backend import FULL_BELOW_BYTES, sqlite_temp_folder

    if free >= FULL_BELOW_BYTES:  # room there: not that disk ("make room" sent operators to the wrong one)
        if code & 0xFF == sqlite3.SQLITE_FULL:
            return StateError("a database in {folder} cannot be written: {error} ({free_mb:.1f} MB free there); "
                              "is the disk of the temporary folder {tmp} full?", folder=folder, error=exc,
                              free_mb=free / 1e6, tmp=sqlite_temp_folder())
        return StateError("a database in {folder} cannot be written: {error} ({free_mb:.1f} MB free there); check "
                          "the disk", folder=folder, error=exc, free_mb=free / 1e6)
    return StateError("a database in {folder} cannot be written: {error} ({free_mb:.1f} MB free there); make "
                      "room there and run again", folder=folder, error=exc, free_mb=free / 1e6)


def _quiet_stdout() -> None:
    """Standard output to /dev/null, so that Python's own flush at exit finds no closed pipe."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _write_crash_log() -> Path:
    """Append the traceback to crash.log in the workspace (or the temp folder) and return its path."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Context) if ctx else None
    try:
        folder = obj.workspace.root if obj is not None else Path(tempfile.gettempdir())
    except DigitaliseringError:
        folder = Path(tempfile.gettempdir())
    path = folder / "crash.log"
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc() + "\n")
    except OSError:
        path = Path("/dev/stderr")
        traceback.print_exc()
    return path


class Context:
    def __init__(self, workspace: Path | None, db: str | None = None):
        self._workspace_path = workspace
        self.db = db
        """A ``postgresql://`` URL for a shared state database; None: SQLite in the workspace."""

    @functools.cached_property
    def workspace(self) -> Workspace:
        return Workspace.open(self._workspace_path)

    @property
    def workspace_path(self) -> Path:
        """Where the workspace is (or will be), without creating it."""
        return Path(self._workspace_path) if self._workspace_path is not None else default_workspace()

    def state_target(self) -> str | Path:
        """``--db``, else the workspace's SQLite file, refused when ``db move`` moved its state
        (``store.move.refuse_moved``: naming the file with ``--db`` uses it anyway)."""
        if self.db:
            return self.db
        from digitalisering.store.move import refuse_moved

        refuse_moved(self.workspace.database)
        return self.workspace.database

    def store(self) -> Store:
        return Store(self.state_target())
