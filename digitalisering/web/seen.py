"""The ``seen`` token of an editing form (corrections, access decisions): what the archivist saw.

A form carries the highest id of the records (corrections of the dossier, decisions on the
document) stored when its page was shown, 0 when there were none. Ids only grow, so a record stored
meanwhile (another archivist, or the same form sent twice) always changes the highest id; a count
did not (a count can come back to the same number when the records it counts change). A value
that is neither 0 nor one of the ids was never sent by a page of the portal (tampered, or junk).
"""

from __future__ import annotations

from typing import Iterable

CURRENT, STALE, JUNK = "current", "stale", "junk"


def token(ids: Iterable[int]) -> int:
    """The token of a page that shows the records with ``ids``."""
    return max(ids, default=0)


def check(seen: int | None, ids: Iterable[int]) -> str:
    """CURRENT (or no token sent: a form of an older page), STALE (a record was stored since the
    page was shown: 409) or JUNK (a value no page sent: 400)."""
    ids = set(ids)
    if seen is None or seen == token(ids):
        return CURRENT
    return STALE if seen == 0 or seen in ids else JUNK
