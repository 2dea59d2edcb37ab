"""A throw-away PostgreSQL server for the tests, from Debian's postgresql package (no network: it
listens on a Unix socket in a temporary folder only)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: use the package's system user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip() or done.stdout.strip()}")


class PgServer:
    def __init__(self):
        initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not self.pg_ctl:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (scripts/setup.sh does)")
        # a folder of its own directly in /tmp: pytest's folders are private to root, and the server
        # runs as the postgres user when the tests run as root
        self.base = base = Path(tempfile.mkdtemp(prefix="digitalisering-pg-"))
        self.data, self.sock = base / "data", base / "sock"
        self.sock.mkdir()
        if os.geteuid() == 0:
            shutil.chown(base, "postgres")
            shutil.chown(self.sock, "postgres")
        self.port = 54000 + os.getpid() % 1000
        _run(_as_postgres([initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                           "-E", "UTF8", "--locale=C.UTF-8"]))
        opts = f"-c listen_addresses='' -k {self.sock} -p {self.port} -c fsync=off -c max_connections=60"
        _run(_as_postgres([self.pg_ctl, "-D", str(self.data), "-o", opts, "-w", "-l", str(base / "log"), "start"]))
        self.n = 0

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.sock}&port={self.port}"

    def new_database(self) -> str:
        """An empty database of its own (tests do not share state)."""
        import psycopg

        self.n += 1
        name = f"t{self.n}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_postgres([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
