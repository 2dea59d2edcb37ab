"""Atomic writes and the path-traversal guard: every output is written to a temporary name and renamed.

File names made from untrusted text are ``naming``'s job."""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from digitalisering.errors import StateError
from digitalisering.i18n import Word


def current_umask() -> int:
    """The process's umask. Outputs get the permissions any program's new files get (``mkstemp``
    alone makes them 0600, unreadable for colleagues and an e-depot upload account). Read from
    /proc where it is shown (no change of process state), else set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_NO_MODES = (errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL)
"""What ``fchmod`` answers on a file system without Unix permissions (FAT and exFAT disks, some
network shares, FUSE file systems): their files get the mount's permissions."""


def chmod_if_supported(path, mode: int, *args, **kwargs) -> None:
    """``os.chmod``, on a file system that has modes: on one without (``_NO_MODES``) the file keeps
    the mount's permissions, which is all that disk can give."""
    try:
        os.chmod(path, mode, *args, **kwargs)
    except OSError as exc:
        if exc.errno not in _NO_MODES:
            raise


def _set_mode(fd: int, mode: int) -> None:
    try:
        os.fchmod(fd, mode)
    except OSError as exc:
        if exc.errno not in _NO_MODES:
            raise


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is fsynced and renamed onto ``target``.

    On any exception the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise StateError("cannot write in {parent}: {error}", parent=target.parent, error=exc.strerror or exc) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            _set_mode(fh.fileno(), 0o666 & ~current_umask())
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise StateError("cannot write {target}: {error}", target=target, error=exc.strerror or exc) from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


_TEMPORARY = re.compile(r"^\.(.+)\.[a-z0-9_]{8}\.part$")
"""The names ``atomic_path`` gives its temporary files (``mkstemp``: '.<name>.<8 random>.part')."""


def temporary_target(name: str) -> str | None:
    """The name of the file that the temporary file ``name`` of ``atomic_path`` was to become
    (None when ``name`` is not such a temporary file)."""
    match = _TEMPORARY.match(name)
    return match.group(1) if match else None


def remove_temporaries(folder: Path, *, recursive: bool = True,
                       targets: Callable[[str], bool] | None = None) -> list[Path]:
    """Remove the temporary files of atomic writes that never finished (the writer was killed) in
    ``folder`` (and below when ``recursive``); return them. Only for files no live process writes
    (the caller holds their folder's lock): ``targets`` says, from the name of the file a temporary
    was to become, which are the caller's. An output folder can hold another batch's output folder or
    a delivery, with a live run of their own; their temporaries are not ours to remove."""
    removed = []
    if not Path(folder).is_dir():
        return removed
    found = Path(folder).rglob(".*.part") if recursive else Path(folder).glob(".*.part")
    for path in found:
        target = temporary_target(path.name)
        if target is None or (targets is not None and not targets(target)):
            continue
        if path.is_file() and not path.is_symlink():
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StateError("cannot remove the unfinished file {path}: {error}", path=path, error=exc.strerror or exc) from exc
            removed.append(path)
    return removed


def empty_folder(folder: Path) -> None:
    """Remove everything in ``folder`` (a work folder this process holds), keeping the folder."""
    for child in Path(folder).iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


@contextmanager
def scratch_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A new folder ``parent/<prefix><random>`` to build something in and rename into place; what is
    left of it on leaving is removed. Its writer may be killed (SIGKILL, power cut) before it
    renamed or removed it: the folders it left (everything in ``parent`` whose name starts with
    ``prefix``) are removed by the next writer with the same prefix, before it starts. The writers
    of a prefix take turns by a lock file (``<prefix>lock``, removed on release; ``locks.FileLock``:
    the kernel drops it with a killed holder), so no live writer's folder is taken for a leftover.
    On a file system without locks nothing is removed that may be another's. In a folder shared by
    several users the lock file may be another user's (made with the umask's permissions, kept when
    its maker was killed): it is locked read-only, and one we may not open at all is left alone
    with the cleanup, never a reason to fail."""
    from digitalisering.locks import FileLock

    lock = FileLock(Path(parent) / f"{prefix}lock", remove=True)
    try:
        held = lock.acquire(wait_s=SCRATCH_WAIT_S)
        locks_work = True
    except PermissionError:
        # another user's lock file that we may not even read (a shared publication folder): theirs,
        # so their leftovers are theirs too; we go on without the cleanup
        held = locks_work = False
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise StateError("cannot write in {parent}: {error}", parent=parent, error=exc.strerror or exc) from exc
        held = locks_work = False
    try:
        if held:
            remove_abandoned_folders(parent, prefix, lock.path.name)
        elif locks_work:
            raise StateError("{parent} is in use by another command; run again when it is done", parent=parent)
        try:
            folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        except OSError as exc:
            raise StateError("cannot write in {parent}: {error}", parent=parent, error=exc.strerror or exc) from exc
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        lock.release()


SCRATCH_WAIT_S = 60
"""How long a writer waits for another writer of the same scratch folders (a model being saved)."""


def remove_abandoned_folders(parent: Path, prefix: str, keep: str | None = None) -> list[Path]:
    """Remove what killed writers left in ``parent`` under ``prefix`` (``scratch_folder``; the
    caller holds their lock); ``keep``: the lock file's name."""
    removed = []
    try:
        found = [p for p in Path(parent).iterdir() if p.name.startswith(prefix) and p.name != keep]
    except OSError:
        return removed
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink(missing_ok=True)
            except OSError:  # another user's, in a folder with the sticky bit: theirs to remove
                continue
        removed.append(path)
    return removed


def folder_renames_keep_contents(parent: Path) -> bool:
    """Whether a folder renamed on the disk of ``parent`` keeps its contents. fusefat (a FUSE driver
    for FAT) loses them: a package, QA report or publication built beside its place and renamed
    into it was put there empty and reported as made. Probed with a folder holding one file, made
    under a unique hidden name in ``parent`` and removed (``scratch_folder``: what a killed probe
    left is removed by the next); raises StateError when ``parent`` cannot be written."""
    with scratch_folder(Path(parent), RENAME_PROBE_PREFIX) as probe:
        moved = probe.with_name(probe.name + ".moved")
        try:
            (probe / "probe").write_bytes(b"x")
            os.rename(probe, moved)
            return (moved / "probe").is_file()
        except OSError as exc:
            raise StateError("cannot write in {parent}: {error}", parent=parent, error=exc.strerror or exc) from exc
        finally:
            shutil.rmtree(moved, ignore_errors=True)


RENAME_PROBE_PREFIX = ".rename-probe."
"""The probe's folders (and its lock file); a probe killed midway leaves them to the next probe."""


def check_folder_renames(parent: Path, target: Path) -> None:
    """Refuse (StateError) to build ``target`` in a work folder in ``parent`` and rename it into
    place on a disk that loses a renamed folder's contents (``folder_renames_keep_contents``)."""
    if not folder_renames_keep_contents(parent):
        raise StateError("the disk of {target} loses the contents of a folder that is renamed (as fusefat does), "
                         "so {target} cannot be put in place whole: make it on another disk and copy it",
                         target=target)


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


def require_text_path(path: Path) -> Path:
    """``path`` when it is valid UTF-8; else StateError (exit 6). A folder name with bytes that are
    not UTF-8 (``--out`` of an old system's share) comes back as lone surrogates, which the state
    database, the event log and results.json cannot hold: the run stopped with an internal error
    (exit 15) after processing every page."""
    from digitalisering.naming import is_text, printable

    if not is_text(str(path)):
        raise StateError("the path {path} is not valid UTF-8 or holds a control character; rename the folder "
                         "or choose another", path=printable(str(path)))
    return Path(path)


def ensure_inside(base: Path, candidate: Path) -> Path:
    """Return ``candidate`` resolved, or raise if it lies outside ``base`` (path traversal guard)."""
    base_r = Path(base).resolve()
    cand_r = Path(candidate).resolve()
    if cand_r != base_r and base_r not in cand_r.parents:
        raise StateError("refusing to write outside {base_r}: {candidate}", base_r=base_r, candidate=candidate)
    return cand_r


def is_within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it, both resolved (symbolic links followed)."""
    path_r, folder_r = Path(path).resolve(), Path(folder).resolve()
    return path_r == folder_r or folder_r in path_r.parents


def ensure_outside(candidate: Path, protected: dict[str, Path]) -> Path:
    """Return ``candidate`` resolved, or raise when it is in one of the ``protected`` folders (name ->
    folder): a run never writes into the scanner's delivery or the workspace, even when the output
    folder contains them (``--out /data`` with the delivery in ``/data/levering``)."""
    cand_r = Path(candidate).resolve()
    for what, folder in protected.items():
        if is_within(cand_r, folder):
            raise StateError("refusing to write {cand_r}: it is inside the {what} {folder}; choose an output folder outside it", cand_r=cand_r, what=Word(what), folder=Path(folder).resolve())
    return cand_r
