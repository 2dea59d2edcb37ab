"""What every command shares: the context (workspace, store), one-line errors with documented exit
codes, and the common options."""

from __future__ import annotations

import functools
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable

import click

from digitalisering.errors import DigitaliseringError
from digitalisering.exitcodes import ExitCode
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
            rows.append((name, cmd.short_help or (cmd.help or "").strip().split("\n")[0]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (dates and paths as text)."""
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _fail(message: str, code: ExitCode) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
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
            click.echo("\ninterrupted; run the same command again to resume", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), ExitCode.STATE)
        except Exception as exc:  # a bug: one line for the operator, the traceback in the log file
            log_path = _write_crash_log()
            _fail(f"internal error: {type(exc).__name__}: {exc} (details in {log_path})", ExitCode.INTERNAL)

    return wrapper


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
