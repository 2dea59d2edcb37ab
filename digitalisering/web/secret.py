"""The key that signs the web application's session cookies: the same for every worker process and
kept across restarts (so a restart signs nobody out), unique per workspace. Taken from the
environment variable ``DIGITALISERING_SECRET_KEY`` when set (several portal machines sharing one
PostgreSQL state database must share it), else from ``web-secret.key`` in the workspace, made with
``secrets`` on first use and readable only by its owner."""

from __future__ import annotations

import os
import secrets

from digitalisering.errors import StateError
from digitalisering.workspace import Workspace

ENV_VAR = "DIGITALISERING_SECRET_KEY"
FILE_NAME = "web-secret.key"
MIN_LENGTH = 32


def secret_key(workspace: Workspace) -> str:
    env = os.environ.get(ENV_VAR)
    if env:
        if len(env) < MIN_LENGTH:
            raise StateError("{env_var} is too short: at least {min_length} characters", env_var=ENV_VAR, min_length=MIN_LENGTH)
        return env
    path = workspace.root / FILE_NAME
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StateError("cannot read {path}: {error}", path=path, error=exc.strerror or exc) from exc
    key = secrets.token_hex(32)
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # the first one made wins; a second process reads that one
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise StateError("cannot write {path}: {error}", path=path, error=exc.strerror or exc) from exc
