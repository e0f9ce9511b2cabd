"""A cache of parsed ledger files in the user's cache folder.

Each file is cached on its own, keyed by its path and a digest of its exact
bytes, so an entry can never be served for a file that changed, and an edit
to one file of a split ledger reparses only that file. Location:
``$TRACKER_CACHE_DIR``, else ``$XDG_CACHE_HOME/target-tracker``, else
``~/.cache/target-tracker``. ``TRACKER_NO_CACHE=1`` turns it off. A broken or
unreadable cache is ignored, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from dataclasses import replace
from pathlib import Path

from target_tracker import __version__
from target_tracker.i18n import language
from target_tracker.ledger.load import FileModel
from target_tracker.ledger.model import ObservationColumns

FORMAT = 1
MAX_ENTRIES = 64  # oldest entries beyond this are removed


def default_cache() -> FileCache | None:
    if os.environ.get("TRACKER_NO_CACHE"):
        return None
    folder = os.environ.get("TRACKER_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "target-tracker")
    return FileCache(Path(folder))


class FileCache:
    """Parsed files (:class:`~target_tracker.load.FileModel`) by content."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def key(self, name: str, data: bytes) -> str:
        h = hashlib.blake2b(digest_size=20)
        # problems are stored in the interface language they were found in
        h.update(f"{FORMAT}\0{__version__}\0{sys.version_info[:2]}\0{language()}\0".encode())
        h.update(f"{os.path.abspath(name)}\0{name}\0".encode())
        h.update(data)
        return h.hexdigest()

    def get(self, name: str, data: bytes) -> FileModel | None:
        path = self.folder / f"{self.key(name, data)}.pickle"
        try:
            with open(path, "rb") as f:
                model = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            self.misses += 1
            return None
        if not isinstance(model, FileModel) or model.name != name:
            self.misses += 1
            return None
        self.hits += 1
        return model

    def put(self, name: str, data: bytes, model: FileModel) -> None:
        compact = replace(
            model,
            targets=tuple(
                replace(t, observations=ObservationColumns(t.observations)) if len(t.observations) > 8 else t
                for t in model.targets
            ),
        )
        import tempfile  # only when writing: it costs start-up on every read

        with contextlib.suppress(OSError, pickle.PicklingError):
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(compact, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.folder / f"{self.key(name, data)}.pickle")
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            self._prune()

    def _prune(self) -> None:
        entries = sorted(self.folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            with contextlib.suppress(OSError):
                old.unlink()
