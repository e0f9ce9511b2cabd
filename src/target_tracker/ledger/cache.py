"""A cache of parsed ledger files in the user's cache folder.

One entry per main ledger holds the parsed model of each of its files, keyed
by a digest of the file's exact bytes, so a model is never served for a file
that changed, and an edit to one file of a split ledger reparses only that
file. One entry (one read, one unpickle) per ledger keeps a split ledger of a
thousand files as fast with the cache as without it.

Location: ``$TRACKER_CACHE_DIR``, else ``$XDG_CACHE_HOME/target-tracker``,
else ``~/.cache/target-tracker``. ``TRACKER_NO_CACHE=1`` turns it off.

Entries are pickles, and unpickling runs code, so nothing is unpickled that
another user could have written or planted:

- the folder must be owned by the current user and writable by no one else,
  else the cache is not used and :attr:`FileCache.warning` says why (the CLI
  prints it); missing folders are created 0700;
- every entry carries a keyed BLAKE2 MAC (BLAKE2's replacement for HMAC)
  under a per-user random key kept 0600 in the folder; an entry whose MAC
  does not verify is never unpickled;
- files are opened relative to the checked folder, without following
  symlinks, and checked again on the open descriptor.

A broken, foreign or tampered entry is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import os
import pickle
import stat
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from target_tracker import __version__
from target_tracker.i18n import _, language
from target_tracker.ledger import model as _model
from target_tracker.ledger.load import FileModel
from target_tracker.ledger.model import ObservationColumns

MAGIC = b"TTCACHE2"
KEY_FILE = "key"
KEY_SIZE = 32
MAC_SIZE = 32
MAX_ENTRIES = 256  # ledgers remembered; the least recently written go first
#: Versions of a file kept per ledger: the one on disk and the last one checked
#: by an edit (which may not have been written).
VERSIONS_PER_FILE = 2

_RECORDS: tuple[type, ...] = (
    FileModel,
    _model.Target,
    _model.Source,
    _model.Settings,
    _model.Stage,
    _model.Waypoint,
    _model.Observation,
    _model.Problem,
)


def format_version() -> str:
    """A digest of the cached records' field definitions: any change to a
    model field (name, type, order, default) makes old entries misses."""
    h = hashlib.blake2b(digest_size=12)
    for cls in _RECORDS:
        if dataclasses.is_dataclass(cls):
            spec: Any = [(f.name, str(f.type), _default(f)) for f in dataclasses.fields(cls)]
        else:  # a NamedTuple
            spec = [(name, str(cls.__annotations__.get(name)), repr(cls._field_defaults.get(name)))  # type: ignore[attr-defined]
                    for name in cls._fields]  # type: ignore[attr-defined]  # fmt: skip
        h.update(f"{cls.__qualname__}{spec}".encode())
    h.update(repr(ObservationColumns.__slots__).encode())
    h.update(f"{__version__}\0{sys.version_info[:2]}\0{pickle.HIGHEST_PROTOCOL}".encode())
    return h.hexdigest()


def _default(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        return repr(f.default)
    if f.default_factory is not dataclasses.MISSING:
        return f"factory {getattr(f.default_factory, '__qualname__', '?')}"
    return "required"


def cache_folder(env: Mapping[str, str], home: str) -> Path:
    """Where the cache lives, given the environment (the CLI passes ``os.environ``):
    ``$TRACKER_CACHE_DIR``, else ``$XDG_CACHE_HOME/target-tracker``, else
    ``~/.cache/target-tracker``."""
    folder = env.get("TRACKER_CACHE_DIR")
    if not folder:
        base = env.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
        folder = os.path.join(base, "target-tracker")
    return Path(folder)


def _unsafe(st: os.stat_result, want_dir: bool) -> str | None:
    """Why a file or folder must not be trusted, or None."""
    if want_dir and not stat.S_ISDIR(st.st_mode):
        return _("not a folder")
    if not want_dir and not stat.S_ISREG(st.st_mode):
        return _("not a regular file")
    if st.st_uid != os.geteuid():
        return _("owned by another user")
    if st.st_mode & 0o022:
        return _("writable by other users")
    return None


def _make_folders(folder: Path) -> None:
    """Create ``folder`` and any missing parents, each 0700."""
    missing = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for p in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(p, 0o700)


class FileCache:
    """Parsed files (:class:`~target_tracker.ledger.load.FileModel`) by content,
    one entry per main ledger (see :meth:`open`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        #: Why the cache was not used (a foreign or open folder), for the CLI to print.
        self.warning: str | None = None
        self._fd: int | None = None
        self._key: bytes | None = None
        self._checked = False
        self._version = format_version()

    # -- the folder and the key --------------------------------------------------
    def _refuse(self, reason: str) -> None:
        self.warning = _("cache folder {folder} is {reason}; the cache is not used").format(
            folder=self.folder, reason=reason
        )
        self._close_folder()

    def close(self) -> None:
        """Release the folder's descriptor (the CLI closes the cache when a command ends)."""
        self._close_folder()
        self._checked = False

    def __del__(self) -> None:  # a library caller that never closes it leaks nothing either
        self._close_folder()

    def _close_folder(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _open_folder(self, create: bool) -> int | None:
        """A descriptor of the checked cache folder, or None (missing or refused)."""
        if self._checked:
            return self._fd
        if create:
            try:
                _make_folders(self.folder)
            except OSError:
                return None
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
        try:
            fd = os.open(self.folder, flags)
        except OSError:
            self._checked = not create and self.folder.is_dir()  # unreadable: give up for this run
            return None
        self._checked = True
        self._fd = fd
        reason = _unsafe(os.fstat(fd), want_dir=True)
        if reason:
            self._refuse(reason)
        return self._fd

    def _open_file(self, name: str, secret: bool = False) -> int | None:
        """A descriptor of ``name`` in the folder if it is ours and writable by
        no one else (``secret``: and readable by no one else)."""
        if self._fd is None:
            return None
        try:
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0),
                         dir_fd=self._fd)  # fmt: skip
        except OSError:
            return None
        st = os.fstat(fd)
        if _unsafe(st, want_dir=False) or (secret and st.st_mode & 0o077):
            os.close(fd)
            return None
        return fd

    def _read_key(self, create: bool) -> bytes | None:
        if self._key is not None or self._fd is None:
            return self._key
        fd = self._open_file(KEY_FILE, secret=True)
        if fd is not None:
            with os.fdopen(fd, "rb") as f:
                key = f.read(KEY_SIZE + 1)
            self._key = key if len(key) == KEY_SIZE else None
            return self._key
        if not create:
            return None
        key = os.urandom(KEY_SIZE)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(KEY_FILE, flags, 0o600, dir_fd=self._fd)
        except FileExistsError:  # another run made it just now, or a foreign file is there
            fd = self._open_file(KEY_FILE, secret=True)
            if fd is None:
                return None
            with os.fdopen(fd, "rb") as f:
                key = f.read(KEY_SIZE + 1)
            self._key = key if len(key) == KEY_SIZE else None
            return self._key
        except OSError:
            return None
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        self._key = key
        return key

    def _mac(self, key: bytes, body: bytes | memoryview) -> bytes:
        return hashlib.blake2b(body, key=key, digest_size=MAC_SIZE, person=b"tt-cache").digest()

    # -- entries -----------------------------------------------------------------
    def entry_name(self, main: str) -> str:
        h = hashlib.blake2b(digest_size=20)
        # problems are stored in the interface language they were found in
        h.update(f"{self._version}\0{language()}\0{os.path.abspath(main)}\0{main}".encode())
        return f"{h.hexdigest()}.cache"

    def open(self, main: str) -> LedgerEntry:
        """The cached files of the ledger whose main file is ``main``."""
        return LedgerEntry(self, main, self._read_entry(self.entry_name(main)))

    def _read_entry(self, name: str) -> dict[tuple[str, bytes], FileModel]:
        if self._open_folder(create=False) is None:
            return {}
        key = self._read_key(create=False)
        fd = self._open_file(name) if key else None
        if fd is None or key is None:
            return {}
        with os.fdopen(fd, "rb") as f:
            blob = f.read()
        head = len(MAGIC) + MAC_SIZE
        if len(blob) < head or blob[: len(MAGIC)] != MAGIC:
            return {}
        body = memoryview(blob)[head:]
        if not hmac.compare_digest(blob[len(MAGIC) : head], self._mac(key, body)):
            return {}  # tampered, or written under another key: never unpickled
        try:
            entries = pickle.loads(body)
        except Exception:  # a corrupt but authentic entry (a bug, a full disk): a miss
            return {}
        return entries if isinstance(entries, dict) else {}

    def _write_entry(self, name: str, entries: dict[tuple[str, bytes], FileModel]) -> None:
        if self._open_folder(create=True) is None or self._fd is None:
            return
        key = self._read_key(create=True)
        if key is None:
            return
        try:
            body = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        tmp = f".tmp-{os.getpid()}-{name}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(tmp, flags, 0o600, dir_fd=self._fd)
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + self._mac(key, body) + body)
            os.replace(tmp, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self._fd)
            return
        self._prune()

    def _prune(self) -> None:
        """Forget the ledgers written least recently beyond :data:`MAX_ENTRIES`."""
        try:
            with os.scandir(self._fd if self._fd is not None else self.folder) as it:
                names = [e.name for e in it]
            found = [(os.stat(n, dir_fd=self._fd, follow_symlinks=False).st_mtime, n) for n in names
                     if n.endswith(".cache")]  # fmt: skip
        except OSError:
            return
        for old in names:  # entries of the per-file pickle cache that came before
            if old.endswith(".pickle"):
                with contextlib.suppress(OSError):
                    os.unlink(old, dir_fd=self._fd)
        if len(found) <= MAX_ENTRIES:
            return
        found.sort()
        for _mtime, name in found[:-MAX_ENTRIES]:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=self._fd)


def _compact(model: FileModel) -> FileModel:
    """Figures column-wise: they unpickle in milliseconds (see ObservationColumns)."""
    return replace(
        model,
        targets=tuple(
            replace(t, observations=ObservationColumns(t.observations))
            if len(t.observations) > 8 and not isinstance(t.observations, ObservationColumns)
            else t
            for t in model.targets
        ),
    )


class LedgerEntry:
    """One ledger's cached files during one load; :meth:`close` writes it back
    when a file was parsed afresh."""

    def __init__(self, cache: FileCache, main: str, entries: dict[tuple[str, bytes], FileModel]) -> None:
        self.cache = cache
        self.main = main
        self.old = entries
        self.used: dict[tuple[str, bytes], FileModel] = {}
        self.changed = False

    @staticmethod
    def digest(data: bytes) -> bytes:
        return hashlib.blake2b(data, digest_size=20).digest()

    def get(self, name: str, data: bytes) -> FileModel | None:
        k = (name, self.digest(data))
        model = self.old.get(k)
        if not isinstance(model, FileModel) or model.name != name:
            self.cache.misses += 1
            return None
        self.cache.hits += 1
        self.used[k] = model
        return model

    def put(self, name: str, data: bytes, model: FileModel) -> None:
        self.used[(name, self.digest(data))] = _compact(model)
        self.changed = True

    def close(self) -> None:
        if not self.changed:
            return
        keep = dict(self.used)
        names: dict[str, int] = {}
        for k in keep:
            names[k[0]] = names.get(k[0], 0) + 1
        for k, m in self.old.items():  # the previous version of each file read now
            if k not in keep and k[0] in names and names[k[0]] < VERSIONS_PER_FILE:
                keep[k] = m
                names[k[0]] += 1
        self.cache._write_entry(self.cache.entry_name(self.main), keep)
