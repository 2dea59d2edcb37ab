import errno
from pathlib import Path

import pytest

from digitalisering.errors import StateError
from digitalisering.fileio import atomic_path, ensure_inside, write_bytes_atomic, write_text_atomic


def test_atomic_write_replaces_whole_file(tmp_path: Path):
    target = tmp_path / "out" / "a.pdf"
    write_bytes_atomic(target, b"first")
    write_bytes_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["a.pdf"]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path):
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_unwritable_folder_is_a_state_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError, match="cannot write"):
        write_bytes_atomic(blocker / "sub" / "a.txt", b"x")


def test_ensure_inside_refuses_traversal(tmp_path: Path):
    assert ensure_inside(tmp_path, tmp_path / "a" / "b.pdf") == (tmp_path / "a" / "b.pdf").resolve()
    with pytest.raises(StateError, match="outside"):
        ensure_inside(tmp_path / "out", tmp_path / "out" / ".." / "x.pdf")


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_get_the_permissions_of_the_umask(tmp_path: Path, umask: int, mode: int):
    """Issue 16, finding 7: every output used to be 0600 (mkstemp), whatever the umask."""
    import os
    import stat

    old = os.umask(umask)
    try:
        write_bytes_atomic(tmp_path / "a.pdf", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.pdf").stat().st_mode) == mode


def test_unfinished_temporaries_of_a_killed_writer_are_removed_and_nothing_else(tmp_path: Path):
    from digitalisering.fileio import remove_temporaries

    target = tmp_path / "pages" / "00000001" / "image.tif"
    ctx = atomic_path(target)
    tmp = ctx.__enter__()  # the writer is killed here: its temporary file stays
    tmp.write_bytes(b"half")
    keep = [tmp_path / "notes.part", tmp_path / ".hidden.part", tmp_path / "pages" / "a.pdf",
            tmp_path / ".qa-rapport.part" / "index.html"]
    for path in keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not ours")
    assert remove_temporaries(tmp_path) == [tmp]
    assert not tmp.exists() and all(p.read_text() == "not ours" for p in keep)
    assert remove_temporaries(tmp_path / "missing") == []


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.EPERM, errno.EOPNOTSUPP])
def test_a_disk_without_unix_permissions_is_written_all_the_same(tmp_path: Path, monkeypatch, code: int):
    """FAT and exFAT disks (fusefat: ENOSYS; the kernel's vfat: EPERM) have no chmod: before, every
    output write failed there ("Function not implemented")."""
    import os

    def no_modes(fd, mode):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(os, "fchmod", no_modes)
    write_text_atomic(tmp_path / "a.txt", "inhoud")
    assert (tmp_path / "a.txt").read_text() == "inhoud" and not list(tmp_path.glob(".*.part"))


def test_a_disk_that_loses_a_renamed_folders_contents_is_found_out(tmp_path: Path, monkeypatch):
    """fusefat loses a folder's contents when the folder is renamed: a package, QA report or
    publication built beside its place and renamed into it was empty there, reported as made."""
    import os

    from digitalisering.errors import StateError
    from digitalisering.fileio import check_folder_renames, folder_renames_keep_contents

    assert folder_renames_keep_contents(tmp_path)
    check_folder_renames(tmp_path, tmp_path / "pakket")
    real_rename = os.rename

    def loses_contents(src, dst):
        real_rename(src, dst)
        for child in Path(dst).iterdir():
            child.unlink()
    monkeypatch.setattr(os, "rename", loses_contents)
    assert not folder_renames_keep_contents(tmp_path)
    with pytest.raises(StateError, match="loses the contents"):
        check_folder_renames(tmp_path, tmp_path / "pakket")
    assert list(tmp_path.iterdir()) == []  # the probe leaves nothing


def _killed_at_rename(code: str, cwd: Path) -> None:
    """Run ``code`` in a child process whose first ``os.rename``/``os.replace`` kills it (SIGKILL:
    nothing of its own clean-up runs), as a power cut or the OOM killer would."""
    import os
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import os, signal
        def killed(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        os.rename = os.replace = killed
    """) + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == -9, done.stderr[-500:]


def test_a_rename_probe_killed_midway_leaves_nothing_after_the_next_probe(tmp_path: Path):
    from digitalisering.fileio import folder_renames_keep_contents

    target = tmp_path / "schijf"
    target.mkdir()
    (target / "eigen.txt").write_text("van de gebruiker")
    _killed_at_rename(f"""
        from digitalisering.fileio import folder_renames_keep_contents
        folder_renames_keep_contents({str(target)!r})
    """, tmp_path)
    assert [p.name for p in target.iterdir() if p.name.startswith(".rename-probe.")]  # the kill left it
    assert folder_renames_keep_contents(target)
    assert sorted(p.name for p in target.iterdir()) == ["eigen.txt"]


def test_a_scratch_folder_in_use_is_not_taken_for_a_leftover(tmp_path: Path):
    from digitalisering.fileio import scratch_folder

    with scratch_folder(tmp_path, ".werk-") as first:
        (first / "half").write_text("x")
        with pytest.raises(StateError, match="in use"):
            import digitalisering.fileio as fileio

            wait, fileio.SCRATCH_WAIT_S = fileio.SCRATCH_WAIT_S, 0
            try:
                with scratch_folder(tmp_path, ".werk-"):
                    pass
            finally:
                fileio.SCRATCH_WAIT_S = wait
        assert (first / "half").is_file()
    assert list(tmp_path.iterdir()) == []


def _others_lock_file(monkeypatch, lock: Path, readable: bool) -> list[int]:
    """``lock`` as another user's lock file in a shared folder (as a killed probe of theirs left it,
    0644 under the usual umask, or 0600): the kernel refuses to open it for writing (and, when not
    ``readable``, at all). Simulated: the tests run as root, whom the kernel never refuses."""
    import os

    real_open = os.open
    read_only_opens: list[int] = []

    def guarded(path, flags, *args, **kwargs):
        if Path(path) == lock and lock.exists():
            if flags & (os.O_RDWR | os.O_WRONLY) or not readable:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            fd = real_open(path, flags, *args, **kwargs)
            read_only_opens.append(fd)
            return fd
        return real_open(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", guarded)
    return read_only_opens


@pytest.mark.parametrize("readable", [True, False])
def test_another_users_probe_lock_in_a_shared_folder_does_not_stop_a_publish(tmp_path: Path, monkeypatch,
                                                                              readable: bool):
    """Before: 'cannot write in ...: Permission denied' (exit 6) for every publish of a second user
    into a publication folder where the first one's probe was running or had been killed."""
    from digitalisering.fileio import RENAME_PROBE_PREFIX, check_folder_renames, folder_renames_keep_contents

    shared = tmp_path / "openbaar"
    shared.mkdir()
    lock = shared / f"{RENAME_PROBE_PREFIX}lock"
    lock.write_text("4242")  # the other user's probe, killed
    lock.chmod(0o644 if readable else 0o600)
    theirs = shared / f"{RENAME_PROBE_PREFIX}abc123"
    theirs.mkdir()
    read_only = _others_lock_file(monkeypatch, lock, readable)
    assert folder_renames_keep_contents(shared)
    check_folder_renames(shared, shared / "lot-1")  # what publish asks: no error
    if readable:  # locked read-only, so the leftovers were safely removed
        assert read_only and not theirs.exists()
    else:  # not ours to clean up: left as it was
        assert theirs.is_dir() and lock.read_text() == "4242"
    assert not [p for p in shared.iterdir() if p.name.startswith(RENAME_PROBE_PREFIX) and p not in (lock, theirs)]


def test_a_new_lock_file_gets_the_umasks_permissions(tmp_path: Path):
    """A lock file in a shared folder is usable by the group when the umask lets it (it was 0644)."""
    import os

    from digitalisering.locks import FileLock

    old = os.umask(0o002)
    try:
        lock = FileLock(tmp_path / "x.lock")
        assert lock.acquire()
        assert (tmp_path / "x.lock").stat().st_mode & 0o777 == 0o664
        lock.release()
    finally:
        os.umask(old)
