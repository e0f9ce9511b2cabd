"""The one place that writes ledger files.

Every edit goes through :func:`edit_ledger` (edits as values) or
:func:`commit_edit` (a text transform):

1. find the files the edit reads (the main file and its includes), each
   resolved through symlinks: the file a link points to is the one edited;
2. lock the folder of every one of them (sorted, so two edits never wait
   for each other), then read them as bytes (newlines untouched);
3. apply the edit, validate the whole ledger as it would be, refuse if it
   would not pass ``tracker check`` or breaks the edit's own rules; if
   anything fails while a file was changing under us, redo the edit;
4. refuse a read-only file (unless ``force``) or folder, write a temporary
   file beside each changed file and fsync it, remove our own stale
   temporary files, then, in the narrowest window we can make, check that
   nobody saved the file meanwhile and ``os.replace``.

docs/editing.md says why, and what window remains against an editor.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from target_tracker.edits.operations import Applied, Edit, EditError, apply
from target_tracker.i18n import _
from target_tracker.ledger.load import FileCache
from target_tracker.ledger.model import Ledger
from target_tracker.toml.scan import target_ids

LOCK_TIMEOUT = 60.0  # seconds to wait for another tracker's edit
RETRIES = 5  # times an edit is redone when the file changed under us
STALE_TEMP_AGE = 15 * 60  # seconds after which a temporary file of ours is left over from a crash
SAVING_NOW = 2.0  # a file modified this recently may be in the middle of an editor's save


@dataclass(frozen=True)
class Change:
    """A file's text before and after an edit.

    path: the ledger file as named (a symlink stays a symlink: its target
    is written); applied: the verified edits, in order, when the change
    came from :class:`~target_tracker.edits.operations.Edit` values.
    """

    path: Path
    old: str
    new: str
    ledger: Ledger | None = None
    applied: tuple[Applied, ...] = ()

    def diff(self, context: int = 3) -> str:
        return unified_diff(self.old, self.new, str(self.path), context)


def unified_diff(old: str, new: str, name: str, context: int = 3) -> str:
    """A unified diff that only looks at the changed region (fast on 40 MB)."""
    if old == new:
        return ""
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old[prefix:], new[prefix:])
    start = old.rfind("\n", 0, prefix) + 1  # whole lines
    first_line = old.count("\n", 0, start)
    a_end = len(old) - suffix
    b_end = len(new) - suffix
    a_end = _next_line(old, a_end)
    b_end = b_end + (a_end - (len(old) - suffix))
    a = old[start:a_end].splitlines(keepends=True)
    b = new[start:b_end].splitlines(keepends=True)
    # a few context lines around the region, found without splitting the whole file
    ctx_start = start
    for _i in range(context):
        if ctx_start == 0:
            break
        ctx_start = old.rfind("\n", 0, ctx_start - 1) + 1
    ctx_end = a_end
    for _i in range(context):
        nxt = old.find("\n", ctx_end)
        if nxt < 0:
            ctx_end = len(old)
            break
        ctx_end = nxt + 1
    before = old[ctx_start:start].splitlines(keepends=True)
    after = old[a_end:ctx_end].splitlines(keepends=True)
    old_name, new_name = (name, name) if os.path.isabs(name) else (f"a/{name}", f"b/{name}")
    lines = list(difflib.unified_diff(before + a + after, before + b + after, old_name, new_name, n=context))
    shift = first_line - len(before)
    out = []
    for line in lines:
        m = re.match(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", line)
        if m:
            line = f"@@ -{int(m.group(1)) + shift}{m.group(2) or ''} +{int(m.group(3)) + shift}{m.group(4) or ''} @@\n"
        out.append(line if line.endswith("\n") else line + "\n")
    return "".join(out)


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search over C-speed slice comparisons
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _next_line(text: str, pos: int) -> int:
    if pos > 0 and text[pos - 1] == "\n":
        return pos
    end = text.find("\n", pos)
    return len(text) if end < 0 else end + 1


# -- reading ---------------------------------------------------------------------


def read_ledger(path: Path) -> tuple[bytes, str, os.stat_result]:
    """A ledger file's bytes, text and status, through the loader's one
    reader (:func:`target_tracker.ledger.load.read_file`), so an edit reads
    exactly what ``tracker check`` reads. The status is taken before and
    after: a file that changed while being read is reported as such."""
    from target_tracker.ledger.load import read_file

    try:
        before = os.stat(path)
    except OSError:
        before = None
    data, text, problem = read_file(path)
    if problem is not None or data is None or text is None:
        raise EditError(str(problem))
    try:
        after = os.stat(path)
    except OSError:
        after = None
    if before is None or after is None or not _same_file_state(before, after):
        raise EditError(_("{file}: the ledger changed while reading, try again").format(file=path))
    return data, text, after


def read_bytes_text(path: Path) -> tuple[bytes, str]:
    data, text, _st = read_ledger(path)
    return data, text


@dataclass(frozen=True)
class Snapshot:
    """One file as read: the name given, the real file, its bytes, text and status."""

    path: Path
    real: Path
    data: bytes
    text: str
    stat: os.stat_result


def _same_file_state(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_dev, a.st_size, a.st_mtime_ns, a.st_ctime_ns) == (
        b.st_ino, b.st_dev, b.st_size, b.st_mtime_ns, b.st_ctime_ns)  # fmt: skip


class Reader:
    """Reads ledger files once per attempt and remembers what it saw."""

    def __init__(self) -> None:
        self.seen: dict[Path, Snapshot] = {}

    def read(self, path: Path) -> Snapshot:
        real = path.resolve()
        snap = self.seen.get(real)
        if snap is None:
            data, text, st = read_ledger(real)
            snap = Snapshot(path, real, data, text, st)
            self.seen[real] = snap
        return snap

    def text(self, path: Path) -> str:
        return self.read(path).text

    def changed(self) -> bool:
        """Did any file read change since? A file saved within the last
        moments may still be being written: look again a little later."""
        now = time.time()
        if any(now - s.stat.st_mtime < SAVING_NOW for s in self.seen.values()):
            time.sleep(0.1)
        for snap in self.seen.values():
            try:
                if not _same_file_state(os.stat(snap.real), snap.stat):
                    return True
            except OSError:
                return True
        return False


_FIRST_TABLE = re.compile(r"^[ \t]*\[", re.M)


def ledger_files(main: Path, main_text: str) -> list[Path]:
    """The main file and the files it includes, in load order."""
    # ``include`` is a top-level key, so it is written before the first table:
    # only that part is parsed (when it parses on its own), not a 40 MB file
    m = _FIRST_TABLE.search(main_text)
    head = main_text[: m.start()] if m else main_text
    if '"""' in head or "'''" in head:  # the "[" line may be inside a multi-line string
        import tomllib

        try:
            tomllib.loads(head)
        except tomllib.TOMLDecodeError:
            head = main_text
    if "include" not in head:
        return [main]
    from target_tracker.ledger.load import included_files

    return [main, *included_files(main, head, main_text)]


def file_holding(main: Path, main_text: str, tid: str, read: Callable[[Path], str] | None = None) -> Path:
    """The ledger file whose text holds ``[targets.ID]``."""
    from target_tracker.suggest import did_you_mean

    files = ledger_files(main, main_text)
    all_ids: list[str] = []
    for f in files:
        text = main_text if f == main else (read(f) if read else read_bytes_text(f)[1])
        ids = target_ids(text)
        if tid in ids:
            return f
        all_ids.extend(ids)
    raise EditError(_("no target '{id}' in {file}{tip}").format(id=tid, file=main, tip=did_you_mean(tid, all_ids)))


def _first_look(main: Path) -> tuple[set[Path], Snapshot | None]:
    """The real files an edit of this ledger reads, and the main file as read
    for that: a first look, without the lock. Using those bytes afterwards is
    safe because nothing is written unless the file, just before the replace,
    still holds exactly the bytes the edit was made on."""
    real = main.resolve()
    try:
        data, text, st = read_ledger(real)
    except EditError:
        return {real}, None
    return {f.resolve() for f in ledger_files(main, text)}, Snapshot(main, real, data, text, st)


# -- locking and writing ------------------------------------------------------------


@contextlib.contextmanager
def locked(paths: Path | Iterable[Path], timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on the folder of every (resolved) file.

    A folder, not the file, is locked because ``os.replace`` swaps the
    file's inode; this leaves no lock file behind. Two ledgers that include
    the same file both lock that file's folder. Folders are locked in
    sorted order so that two edits never wait for each other.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        yield
        return
    items = [paths] if isinstance(paths, Path) else list(paths)
    folders = sorted({p.resolve().parent for p in items})
    fds: list[int] = []
    try:
        for folder in folders:
            try:
                fd = os.open(folder, os.O_RDONLY)
            except OSError as e:
                raise EditError(
                    _("{folder}: cannot open the folder to lock it: {reason}").format(
                        folder=folder, reason=e.strerror or e
                    )
                ) from None
            fds.append(fd)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise EditError(
                            _("{file}: another tracker edit holds the lock (waited {seconds} s)").format(
                                file=folder, seconds=f"{timeout:.0f}"
                            )
                        ) from None
                    time.sleep(0.01)
        yield
    finally:
        for fd in fds:
            os.close(fd)  # closing releases the lock


def temp_pattern(name: str) -> re.Pattern[str]:
    """Names of the temporary files :func:`atomic_write` makes for ``name``
    (``tempfile.mkstemp``: eight letters, digits or '_')."""
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")


def clean_stale_temps(folder: Path, name: str, age: float = STALE_TEMP_AGE) -> list[Path]:
    """Remove temporary files of our own pattern for ``name`` that a killed
    tracker left behind: only regular files, owned by us, older than ``age``."""
    pattern = temp_pattern(name)
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and now - st.st_mtime > age:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def read_only(st: os.stat_result, path: Path) -> bool:
    """Read-only as editors see it: no write permission bit, or no access."""
    return not st.st_mode & 0o222 or not os.access(path, os.W_OK)


def check_writable(path: Path, real: Path, st: os.stat_result | None, force: bool) -> None:
    """Refuse a read-only file (unless ``force``) or a read-only folder."""
    folder = real.parent
    if st is not None and read_only(st, real) and not force:
        raise EditError(_("{file} is read-only; not changing it (use --force to write it anyway)").format(file=path))
    try:
        fst = os.stat(folder)
    except OSError as e:
        raise EditError(
            _("{folder}: cannot use the folder: {reason}").format(folder=folder, reason=e.strerror or e)
        ) from None
    if read_only(fst, folder):
        raise EditError(
            _("{folder} is a read-only folder, so {file} cannot be replaced; the file is unchanged").format(
                folder=folder, file=path
            )
        )


class _ChangedOnDisk(Exception):
    """The file is not the one we read: someone saved it meanwhile."""


def _write_error(path: Path, e: OSError) -> EditError:
    reason = {errno.ENOSPC: _("the disk is full"), errno.EFBIG: _("the file is too large for this system"),
              errno.EDQUOT: _("the disk quota is used up"), errno.EACCES: _("permission denied"),
              errno.EPERM: _("permission denied"), errno.EROFS: _("the file system is read-only"),
              }.get(e.errno or 0, e.strerror or str(e))  # fmt: skip
    return EditError(_("{file}: could not write ({reason}); the file is unchanged").format(file=path, reason=reason))


def _prepare(real: Path, data: bytes, shown: Path) -> str:
    """A fsynced temporary file beside ``real`` holding ``data``, with the
    file's permissions (or the usual ones for a new file)."""
    folder = real.parent
    clean_stale_temps(folder, real.name)
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise _write_error(shown, e) from None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as e:
        raise _write_error(shown, e) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            with contextlib.suppress(OSError):
                os.chown(tmp, st.st_uid, st.st_gid)
        else:  # a new file gets the usual permissions, not mkstemp's 0600
            os.chmod(tmp, 0o666 & ~_umask())
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _write_error(shown, e) from None
        raise
    return tmp


def _unchanged(snap: Snapshot) -> bool:
    """Is the file still, byte for byte, the one we read?"""
    try:
        with open(snap.real, "rb") as f:
            return os.fstat(f.fileno()).st_size == len(snap.data) and f.read() == snap.data
    except OSError:
        return False


_Write = tuple[Path, Path, str, Snapshot | None]  # name shown, real file, temporary file, as read


def _replace_all(writes: Sequence[_Write]) -> None:
    """Check-and-rename every prepared file: the bytes are compared first,
    then, just before each ``os.replace``, only a ``stat``: the window in
    which an editor's save can still be overwritten is that of two system
    calls (see docs/editing.md)."""
    for _shown, _real, _tmp, snap in writes:
        if snap is not None and not _unchanged(snap):
            raise _ChangedOnDisk
    # every file checked before any is replaced: an edit of several files is
    # redone whole, never half-written
    for _shown, real, _tmp, snap in writes:
        if snap is not None:
            try:
                now = os.stat(real)
            except OSError:
                raise _ChangedOnDisk from None
            if not _same_file_state(now, snap.stat):
                raise _ChangedOnDisk
    for shown, real, tmp, _snap in writes:
        try:
            os.replace(tmp, real)
        except OSError as e:
            raise _write_error(shown, e) from None
    for folder in {real.parent for _s, real, _t, _n in writes}:
        with contextlib.suppress(OSError):
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


def _discard(writes: Sequence[_Write]) -> None:
    for _s, _r, tmp, _n in writes:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def atomic_write(path: Path, data: bytes) -> None:
    """Write beside the (resolved) file, fsync, keep its permissions, ``os.replace``.

    On any failure the original is untouched and the temporary file removed.
    """
    real = path.resolve()
    writes: list[_Write] = [(path, real, _prepare(real, data, path), None)]
    try:
        _replace_all(writes)
    except BaseException:
        _discard(writes)
        raise


# -- the edit transaction ---------------------------------------------------------------

Transform = Callable[[str], "str | Applied"]
Confirm = Callable[[Ledger], None]


def validate(main: Path, overrides: dict[Path, str], cache: FileCache | None = None) -> Ledger:
    """Load the whole ledger as it would be after the edit; refuse on errors.

    Unchanged files come from the cache; the edited text is parsed (and
    cached, so the next ``status`` after the edit is fast).
    """
    from target_tracker.ledger.checks import load_and_check

    result, problems = load_and_check(main, cache=cache, overrides={p.resolve(): t for p, t in overrides.items()})
    errors = [p for p in problems if p.severity == "error"]
    if errors or result.ledger is None:
        first = errors[0] if errors else problems[0]
        more = _(" (and {count} more)").format(count=len(errors) - 1) if len(errors) > 1 else ""
        raise EditError(
            _("refused, the ledger would not pass 'tracker check': {problem}{more}; the file is unchanged").format(
                problem=first, more=more
            )
        )
    return result.ledger


#: plan(main, main_text, read) -> {file: new text or Applied results}
Plan = Callable[[Path, str, Callable[[Path], str]], dict[Path, tuple[str, tuple[Applied, ...]]]]


@dataclass(frozen=True)
class EditResult:
    """What an edit did: one Change per file written, the verified edits
    in order, and the ledger as it is now."""

    changes: tuple[Change, ...]
    applied: tuple[Applied, ...]
    ledger: Ledger
    written: bool = field(default=True)


def _transaction(
    main: Path,
    plan: Plan,
    *,
    dry_run: bool,
    confirm: Confirm | None,
    cache: FileCache | None,
    force: bool,
) -> EditResult:
    changed_while_reading = False
    for _attempt in range(RETRIES):
        paths, first = _first_look(main)
        with locked(paths):
            reader = Reader()
            with contextlib.suppress(OSError):
                if first is not None and _same_file_state(os.stat(first.real), first.stat):
                    reader.seen[first.real] = first  # not changed while we waited for the lock
            try:
                main_text = reader.text(main)
                if {f.resolve() for f in ledger_files(main, main_text)} - paths:
                    continue  # the includes changed since the first look: lock again
                planned = plan(main, main_text, reader.text)
                ledger = validate(main, {p: t for p, (t, _a) in planned.items()}, cache)
                if confirm is not None:
                    confirm(ledger)
            except EditError:
                if reader.changed():
                    changed_while_reading = True
                    continue  # a file changed while we read it: redo on the new version
                raise
            changes = []
            for p, (new_text, applied) in planned.items():
                snap = reader.read(p)
                changes.append(Change(p, snap.text, new_text, ledger, applied))
            every = tuple(a for c in changes for a in c.applied)
            if dry_run:
                return EditResult(tuple(changes), every, ledger, written=False)
            writes: list[_Write] = []
            for c in changes:
                snap = reader.read(c.path)
                if c.new != c.old:
                    check_writable(c.path, snap.real, snap.stat, force)
            try:
                for c in changes:
                    if c.new == c.old:
                        continue
                    snap = reader.read(c.path)
                    bom = codecs.BOM_UTF8 if snap.data.startswith(codecs.BOM_UTF8) else b""  # kept as it was
                    writes.append((c.path, snap.real, _prepare(snap.real, bom + c.new.encode("utf-8"), c.path), snap))
                _replace_all(writes)
            except _ChangedOnDisk:
                _discard(writes)
                continue  # saved by an editor meanwhile: redo the edit on that version
            except BaseException:
                _discard(writes)
                raise
            return EditResult(tuple(changes), every, ledger)
    if changed_while_reading:
        raise EditError(_("{file}: the ledger changed while reading, try again; nothing was written").format(file=main))
    raise EditError(
        _("{file}: the file kept changing while editing (tried {count} times); nothing was written").format(
            file=main, count=RETRIES
        )
    )


def edit_ledger(
    main: Path,
    edits: Sequence[Edit],
    *,
    today: date,
    force: bool = False,
    dry_run: bool = False,
    cache: FileCache | None = None,
) -> EditResult:
    """Apply edits (in order, each to the file that holds its target) as one
    transaction on the ledger whose main file is ``main``; run each edit's
    rules (:meth:`Edit.check`) on the ledger as it would be.

    ``today`` is the planner's today (library code never reads the clock);
    ``force`` accepts what the rules refuse unless forced (future dates,
    dates after the due date, a read-only file).
    """

    def plan(
        main_path: Path, main_text: str, read: Callable[[Path], str]
    ) -> dict[Path, tuple[str, tuple[Applied, ...]]]:
        out: dict[Path, tuple[str, tuple[Applied, ...]]] = {}
        for edit in edits:
            path = file_holding(main_path, main_text, edit.target_id, read)
            text = out[path][0] if path in out else read(path)
            applied = apply(edit, text)
            done = out[path][1] if path in out else ()
            out[path] = (applied.text, (*done, applied))
        return out

    def confirm(ledger: Ledger) -> None:
        for edit in edits:
            edit.check(ledger, today, force)

    return _transaction(main, plan, dry_run=dry_run, confirm=confirm, cache=cache, force=force)


def commit_edit(
    main: Path,
    transform_for: Callable[[Path, str], tuple[Path, Transform]],
    *,
    dry_run: bool = False,
    confirm: Confirm | None = None,
    cache: FileCache | None = None,
    force: bool = False,
) -> Change:
    """Run one text transform as a transaction on the ledger whose main file is ``main``.

    ``transform_for(main, main_text)`` names the file to change and the
    function that turns its text into the new text (or an Applied edit;
    raising EditError to refuse). ``confirm`` may refuse after seeing the
    validated ledger.
    """

    def plan(
        main_path: Path, main_text: str, read: Callable[[Path], str]
    ) -> dict[Path, tuple[str, tuple[Applied, ...]]]:
        path, transform = transform_for(main_path, main_text)
        result: Any = transform(read(path))
        if isinstance(result, Applied):
            return {path: (result.text, (result,))}
        return {path: (result, ())}

    return _transaction(main, plan, dry_run=dry_run, confirm=confirm, cache=cache, force=force).changes[0]


def commit_plan(
    main: Path,
    plan: Plan,
    *,
    dry_run: bool = False,
    confirm: Confirm | None = None,
    cache: FileCache | None = None,
    force: bool = False,
) -> EditResult:
    """Run ``plan`` (new texts for any of the ledger's files, e.g. a month's
    figures spread over a split ledger) as one transaction: locked, validated
    once, ``confirm``-ed, every file checked before any is replaced."""
    return _transaction(main, plan, dry_run=dry_run, confirm=confirm, cache=cache, force=force)


def create_file(path: Path, text: str, *, dry_run: bool = False) -> Change:
    """Write a new ledger file; refuse to overwrite an existing one (or a symlink)."""
    if os.path.lexists(path):
        raise EditError(_("{file} already exists; not overwriting it (choose another path)").format(file=path))
    if not path.parent.exists():
        raise EditError(_("{folder}: no such folder").format(folder=path.parent))
    change = Change(path, "", text)
    if not dry_run:
        with locked(path):
            if os.path.lexists(path):
                raise EditError(_("{file} already exists; not overwriting it").format(file=path))
            check_writable(path, path.resolve(), None, False)
            atomic_write(path, text.encode("utf-8"))
    return change


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` would, for
    every thread, for a moment): from /proc where there is one, else from a
    throwaway file created with 0666."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        probe = os.path.join(d, "probe")
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY, 0o666))
        return 0o666 & ~stat.S_IMODE(os.stat(probe).st_mode)
