"""The base document model shipped with the product: trained on the generated corpus (``corpus``).

Used by ``run`` while the municipality has learned nothing yet (no version in ``<workspace>/model``);
``learn`` trains the municipality's model on its corrections with this corpus underneath
(``corpus_training``). The model is not shipped as a pickle (scikit-learn pickles are tied to the
library's version): it is built from the corpus rules at first use, offline and deterministically
(the same rules, seed and library give the same model), and cached in the workspace
(``model/base-<key>/``), in the process and for every workspace of the machine's user
(``machine_cache``): training costs about 17 CPU seconds (a minute on a loaded 2-core machine),
which a new workspace would otherwise pay before its first documents (on the 44 pages of
``bench/ocr_pdfa.py --dossiers 4`` that was a sixth of the run's CPU time). bench/split.py scores it on every dev template as
held out ("base": it never saw a dev document).
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from pathlib import Path

from digitalisering.documents.vocabulary import Vocabulary, default_vocabulary
from digitalisering.errors import StateError
from digitalisering.fileio import chmod_if_supported, current_umask, remove_abandoned_folders, scratch_folder
from digitalisering.learning import corpus
from digitalisering.learning.model import FORMAT, VOCABULARY_WEIGHT, DocumentModel, LabelledDossier, load, save, train

BASE_DOSSIERS = 200
"""Dossiers generated for the base model (about 1,300 documents, 2,000 pages). bench/split.py
--base-only, blind (no vocabulary): dev types 0.988 with 200 dossiers; earlier corpus versions
gave 0.982 with 250 and 0.976 with 400, so more does not help; training time grows with it (about
a minute on a loaded 2-core machine at 200, once per workspace, then cached)."""
BASE_SEED = 0
BASE_DIR_PREFIX = "base-"
CORPUS_WEIGHT = 0.3
"""Weight of a corpus dossier under the municipality's corrections in ``learn`` (a corrected
dossier weighs ``learn.CORRECTED_WEIGHT``, a trusted one 1): the corpus keeps the types and forms
the archive has not corrected yet, the corrections weigh more on the archive's own forms.
bench/learn.py --blind, dev-folders, k = 1: 0.3 and 1.0 both give types 64/64 (vocabulary weight
0), boundaries F1 0.985 both; not tuned further."""

CACHE_ENV = "DIGITALISERING_CACHE"
"""Folder for what every workspace of this user may share (the base model); empty: no such cache."""

_lock = threading.Lock()
_memory: dict[str, DocumentModel] = {}


def vocabulary_fingerprint(vocab: Vocabulary) -> str:
    parts = [f"{vocab.version}|{vocab.min_score}|{vocab.title_lines}|{vocab.few_words}"]
    for t in vocab.types.values():
        parts += [f"{t.name}:t:{c.pattern.pattern}:{c.weight}" for c in t.title]
        parts += [f"{t.name}:b:{c.pattern.pattern}:{c.weight}" for c in t.body]
    parts += [p.pattern for p in vocab.continuation]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def base_key(vocab: Vocabulary, cues: bool = True, n: int = BASE_DOSSIERS, seed: int = BASE_SEED) -> str:
    """What the base model is made of: corpus rules, generator, model format, scikit-learn, the
    code that makes the corpus, the features and the model (``_code_digest``), the vocabulary (its
    cue features), size and seed."""
    import sklearn

    parts = [corpus.default_rules().digest, str(corpus.GENERATOR_VERSION), str(FORMAT), sklearn.__version__,
             _code_digest(),
             str(cues), vocabulary_fingerprint(vocab) if cues else "-", str(n), str(seed)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """The source of the modules that make the corpus, the features and the model: a copy cached
    for the machine (``machine_cache``) is not taken by a version of the code that would train
    another model (a feature changed without FORMAT raised)."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("corpus.py", "features.py", "model.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def corpus_dossiers(n: int = BASE_DOSSIERS, seed: int = BASE_SEED, weight: float = 1.0) -> list[LabelledDossier]:
    dossiers = corpus.generate(n, seed)
    for d in dossiers:
        d.weight = weight
    return dossiers


def train_base(vocab: Vocabulary, cues: bool = True, vocabulary_weight: float = VOCABULARY_WEIGHT,
               n: int = BASE_DOSSIERS, seed: int = BASE_SEED, extra: list[LabelledDossier] | None = None) -> DocumentModel:
    """A model of the corpus alone (``extra``: labelled dossiers added to it, e.g. the bench's
    training templates)."""
    model = train(corpus_dossiers(n, seed) + list(extra or []), vocab, cues=cues, vocabulary_weight=vocabulary_weight)
    model.summary.update({"version": f"{BASE_DIR_PREFIX}{base_key(vocab, cues, n, seed)}", "base": True,
                          "corpus": {"dossiers": n, "seed": seed, "generator": corpus.GENERATOR_VERSION,
                                     "rules_sha256": corpus.default_rules().digest}})
    return model


def machine_cache() -> Path | None:
    """Where base models are kept for every workspace of this user: ``$DIGITALISERING_CACHE/models``,
    else ``$XDG_CACHE_HOME/digitalisering/models`` (``~/.cache``); None when DIGITALISERING_CACHE is
    set empty (off). The key names everything the model is made of, so a cached one is the one
    that would be trained."""
    root = os.environ.get(CACHE_ENV)
    if root is not None:
        return Path(root) / "models" if root else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "digitalisering" / "models"


def _load(folder: Path | None) -> DocumentModel | None:
    if folder is None:
        return None
    try:
        model = load(folder)
    except (OSError, ValueError, EOFError, KeyError, AttributeError, ImportError):
        return None  # a damaged or foreign cache: made again
    if model is None or model.summary.get("base") is not True:
        return None  # a learned model put under a base model's name is not the base model: made again
    return model


def base_model(vocab: Vocabulary | None = None, cache_root: Path | None = None) -> DocumentModel:
    """The base model for ``vocab`` (the shipped vocabulary): from this process's memory, else from
    ``cache_root/base-<key>/`` (a workspace's ``model`` folder), else from the machine's cache
    (``machine_cache``), else trained now; saved in each of those folders that lacks it."""
    vocab = vocab or default_vocabulary()
    key = base_key(vocab)
    name = f"{BASE_DIR_PREFIX}{key}"
    with _lock:
        folder = cache_root / name if cache_root is not None else None
        if cache_root is not None:
            remove_leftovers(cache_root)
        shared_root = machine_cache()
        shared = shared_root / name if shared_root is not None else None
        if shared_root is not None:
            remove_leftovers(shared_root)
        model = _memory.get(key) or _load(folder) or _load(shared)
        if model is None:
            model = train_base(vocab)
        for place in (folder, shared):
            if place is not None and not place.exists():
                _save_atomic(model, place)  # a later process (or workspace) loads it
        _memory[key] = model
        return model


def _save_atomic(model: DocumentModel, folder: Path) -> None:
    """Saved beside ``folder`` in a scratch folder (``fileio.scratch_folder``: ``.base-...``) and
    renamed into place: a killed run leaves no half model, and the scratch folder it left is removed
    by the next save (``remove_leftovers`` by the next run that finds the model saved)."""
    try:
        parent = folder.parent if folder.parent.exists() else _mkdir(folder.parent)
    except OSError:
        return  # no right to make the folder (a read-only cache): the model is used without this copy
    try:
        with scratch_folder(parent, SCRATCH_PREFIX) as tmp:
            save(model, tmp)
            chmod_if_supported(tmp, 0o777 & ~current_umask())  # (mkdtemp makes it 0700: the umask's, as any folder)
            os.replace(tmp, folder)
    except (OSError, StateError):
        pass  # another process put it there first, or no room: used from memory, made again next time


SCRATCH_PREFIX = f".{BASE_DIR_PREFIX}"


def remove_leftovers(cache_root: Path) -> None:
    """Scratch folders of a save that was killed (``_save_atomic``), when no save is going on."""
    if not any(p.name.startswith(SCRATCH_PREFIX) for p in _listing(cache_root)):
        return
    from digitalisering.locks import FileLock

    lock = FileLock(cache_root / f"{SCRATCH_PREFIX}lock", remove=True)
    try:
        if lock.acquire():
            remove_abandoned_folders(cache_root, SCRATCH_PREFIX, lock.path.name)
    except OSError:
        pass  # a file system without locks: left for a save to remove
    finally:
        lock.release()


def _listing(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_name(vocab: Vocabulary | None = None) -> str:
    """The name results.json gives the base model (``base-<key>``)."""
    return f"{BASE_DIR_PREFIX}{base_key(vocab or default_vocabulary())}"
