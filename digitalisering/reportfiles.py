"""Files an operator names for a report (``progress --csv/--html``, ``qa rescan-list --csv``,
``events --premis``) never replace an archival file.

These commands write wherever they are told. Before this guard, ``progress --csv out/demo/results.json``
replaced a run's results, and a CSV named after a document's PDF replaced the PDF. A report target
is refused (StateError, exit 6, one line) when it is:

- a file some batch's run wrote (its path is recorded as an output in the store: a PDF, an ALTO
  file, results.json, failures.csv);
- ``results.json`` or ``failures.csv`` in a folder that holds a run's results;
- inside a delivery of a batch in the workspace (the next ingest would list or read it);
- inside a delivery package (a BagIt bag: its manifest no longer holds);
- inside the workspace, or the SQLite state database or one of its files (before,
  ``events B --premis WORKSPACE/state.sqlite`` replaced the whole state: batches, decisions,
  corrections and accounts);
- a folder, or a symbolic link (written through, it could land anywhere).

Anything else is written atomically (``fileio.write_*_atomic``), replacing an earlier report.
"""

from __future__ import annotations

from pathlib import Path

from digitalisering.errors import StateError
from digitalisering.fileio import is_within
from digitalisering.resultsfile import RESULTS_FILE
from digitalisering.store import Store

RUN_FILES = (RESULTS_FILE, "failures.csv")


def check_report_target(store: Store, target: Path, workspace_root: Path | None = None) -> Path:
    """``target`` as an absolute path when a report may be written there; StateError when not.
    ``workspace_root``: the workspace of the command (its state, models, work files)."""
    from digitalisering.metadata.package import enclosing_bag  # metadata sits above this module

    target = Path(target)
    if target.is_symlink():
        raise StateError("{target} is a symbolic link; name the file itself", target=target)
    if target.is_dir():
        raise StateError("{target} is a folder; name a file", target=target)
    path = target.resolve()
    if workspace_root is not None and is_within(path, Path(workspace_root)):
        raise StateError("{target} is inside the workspace {workspace_root} (its state and work files); write the report elsewhere", target=target, workspace_root=Path(workspace_root).resolve())
    if store.db.name == "sqlite":  # --db elsewhere: the database and its -wal, -shm and lock files
        database = Path(store.db.location).resolve()
        if path.parent == database.parent and path.name.startswith(database.name):
            raise StateError("{target} is the state database or one of its files; write the report elsewhere", target=target)
    owners = store.outputs_at(str(path))
    if owners:
        batch = store.batch_by_id(owners[0].batch_id)
        raise StateError("{target} is an output of batch {name}; write the report elsewhere", target=target, name=batch.name)
    if path.name in RUN_FILES and (path.parent / RESULTS_FILE).exists():
        raise StateError("{target} belongs to the run whose results are in {parent}; write the report elsewhere", target=target, parent=path.parent)
    for batch in store.batches():
        if is_within(path, Path(batch.delivery)):
            raise StateError("{target} is inside the delivery of batch {name}; write the report elsewhere", target=target, name=batch.name)
    bag = enclosing_bag(path.parent)
    if bag is not None:
        raise StateError("{target} is inside the delivery package {bag}; write the report elsewhere", target=target, bag=bag)
    return path
