"""Process exit codes of the ``digitalisering`` command (documented in README.md)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Everything asked for was done."""
    PAGES_FAILED = 1
    """The batch ran to the end, but some files or pages failed (listed by ``status``)."""
    USAGE = 2
    """Wrong command line (unknown option, missing argument, path that does not exist) or an operator
    file that cannot be used (settings, targets, overrides, gazetteer): ``FILE:LINE: ...``."""
    INPUT = 3
    """The delivery itself cannot be used (empty, unreadable, mixed layout, not a folder)."""
    MISSING_DEPENDENCY = 4
    """An external program (tesseract, a language pack, Java) is not installed."""
    FIXITY = 5
    """A checksum no longer matches what was recorded (changed or missing input or output)."""
    STATE = 6
    """The workspace or output folder cannot be used (locked by another run, not writable, disk full)."""
    INVALID = 7
    """A file checked by ``validate`` is not valid PDF/A (each reason is printed)."""
    QA_FAILED = 8
    """``qa check``: an automated check failed; ``qa report``: the lot was not accepted in review."""
    INTERNAL = 15
    """A bug: please report it with the log."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C; run the same command again to resume."""
