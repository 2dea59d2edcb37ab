"""Exceptions that carry a one-line message for the operator and the exit code that goes with it."""

from __future__ import annotations

import json
import re

from digitalisering.exitcodes import ExitCode
from digitalisering.i18n import N_, Word


class DigitaliseringError(Exception):
    """An error the operator can act on; ``str(err)`` is a complete one-line explanation, in the
    reader's language.

    The message is an English catalogue entry (domain ``messages``) with ``{name}`` fields filled
    from ``values``: ``StateError("cannot write in {folder}: {error}", folder=out, error=reason)``.
    It is translated when shown (``str``), so the reader's language applies wherever the error is
    printed; numbers among the values are written the reader's way."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str = "", /, **values: object):
        super().__init__(message)
        self.msgid = message
        self.values = {k: v if isinstance(v, (int, float, str)) or v is None else str(v) for k, v in values.items()}

    def __str__(self) -> str:
        from digitalisering.i18n import translate

        return translate(self.msgid, {k: _one_line(v) for k, v in self.values.items()})

    def __reduce__(self):  # across processes (page workers) with its values
        return (_rebuild, (type(self), self.msgid, self.values))


def _rebuild(cls: type, msgid: str, values: dict) -> DigitaliseringError:
    return cls(msgid, **values)


class InputFileError(DigitaliseringError):
    """One input file or page cannot be used (the batch goes on without it)."""

    exit_code = ExitCode.PAGES_FAILED


class ExtractError(InputFileError):
    """A BAG extract that cannot be used (refused: hostile, damaged, not BAG 2.0): exit 3."""

    exit_code = ExitCode.INPUT


class OcrTimeoutError(InputFileError):
    """tesseract did not finish a page in the allowed time."""


class ConfigError(DigitaliseringError):
    """An operator file (targets, QA settings, archive values, overrides, gazetteer, manifest) cannot be
    used; the message is ``FILE:LINE: what was wrong; expected what``."""

    exit_code = ExitCode.USAGE


class DeliveryError(DigitaliseringError):
    """The delivery as a whole cannot be used."""

    exit_code = ExitCode.INPUT


class MissingDependencyError(DigitaliseringError):
    """An external program or language pack is not installed."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class FixityError(DigitaliseringError):
    """A recorded checksum does not match the file any more."""

    exit_code = ExitCode.FIXITY


class UnknownBatchError(DigitaliseringError):
    """A batch name the workspace does not have: a wrong command line (exit 2), the same for every
    command that takes a BATCH (``status``, ``qa ...``, ``events``)."""

    exit_code = ExitCode.USAGE


class StateError(DigitaliseringError):
    """The workspace, database or output folder cannot be used."""

    exit_code = ExitCode.STATE


def _one_line(value: object) -> object:
    """A value as it can stand in a one-line message: a file named with a line break (allowed on Linux
    and in XML) is shown with ``\\n``, so the error stays one line."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        return value.replace("\r", "\\r").replace("\n", "\\n")
    return value


LIBRARY_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"cannot identify image file", re.I), N_("the image's header is not recognised")),
    (re.compile(r"truncated", re.I), N_("the file is cut short")),
    (re.compile(r"broken data stream", re.I), N_("the image data is broken")),
    (re.compile(r"(decoder|encoder) \S+ not available", re.I), N_("its compression is not supported")),
    (re.compile(r"unable to find trailer|xref|damaged file|not a PDF|header not found", re.I),
     N_("the PDF's structure is damaged")),
    (re.compile(r"pages tree|/Kids", re.I), N_("the PDF's page tree is damaged")),
    (re.compile(r"password|encrypt", re.I), N_("the PDF is encrypted")),
)
"""Messages of Pillow and qpdf (pikepdf) as a reader can take them: the libraries speak English only,
so a Dutch line ended in "cannot identify image file <...>". Rules as data; an unknown message is
kept as the library wrote it."""


def library_reason(exc: BaseException) -> str:
    """Why an image or PDF library failed, in the reader's language where the message is a known one
    (a catalogue ``Word``), else the library's own first line."""
    text = first_line(exc)
    for pattern, word in LIBRARY_REASONS:
        if pattern.search(text):
            return Word(word)
    return text


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (library messages can run over several lines)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# -- failure reasons as they are stored ---------------------------------------------------------
# A page's or file's failure reason outlives the run that recorded it: an English reader later must
# not get the Dutch words of the run (nor the other way round). It is stored as its catalogue entry
# and values (JSON), and shown in the reader's language wherever it is read; a reason stored by an
# earlier version (plain text) is shown as it was written.

_REASON_KEYS = ("msgid", "values")


def stored_reason(msgid: str, /, **values: object) -> str:
    """The stored form of the failure reason ``msgid`` (an English catalogue entry) with ``values``;
    a catalogue ``Word`` among them stays a word (translated when shown)."""
    plain = {k: {"word": str(v)} if isinstance(v, Word) else
             (v if isinstance(v, (int, float, str)) or v is None else str(v)) for k, v in values.items()}
    return json.dumps({"msgid": msgid, "values": plain}, ensure_ascii=False, sort_keys=True)


def reason_of(exc: DigitaliseringError) -> str:
    """The stored form of an error's message (``stored_reason``)."""
    return stored_reason(exc.msgid, **exc.values)


def reason_message(stored: str | None) -> dict | None:
    """A stored reason as ``{"msgid": ..., "values": ...}`` (what results.json carries beside the
    text, so that a reader shows it in its own language); None for a reason stored as plain text."""
    if not stored or not stored.startswith("{"):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != set(_REASON_KEYS) or not isinstance(data["msgid"], str) \
            or not isinstance(data["values"], dict):
        return None
    return data


def shown_message(message: dict | None, lang: str | None = None) -> str | None:
    """A reason's ``{"msgid", "values"}`` in the reader's language (``lang``: another one)."""
    if not isinstance(message, dict) or not isinstance(message.get("msgid"), str):
        return None
    from digitalisering.i18n import translate

    values = {}
    for key, value in (message.get("values") or {}).items():
        if isinstance(value, dict) and set(value) == {"word"}:
            value = Word(str(value["word"]))
        values[key] = _one_line(value)
    return translate(message["msgid"], values, lang)


def shown_reason(stored: str | None, lang: str | None = None) -> str | None:
    """A stored failure reason in the reader's language; plain text of an earlier version as it is."""
    message = reason_message(stored)
    return stored if message is None else shown_message(message, lang)


def error_from_reason(stored: str | None, cls: type[DigitaliseringError]) -> DigitaliseringError:
    """The error of class ``cls`` a stored reason was made from (its message in the reader's language)."""
    message = reason_message(stored)
    if message is None:
        return cls(stored or "")
    values = {k: Word(v["word"]) if isinstance(v, dict) and "word" in v else v for k, v in message["values"].items()}
    return cls(message["msgid"], **values)
