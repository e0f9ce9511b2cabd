"""The one place that writes ledger files.

Every CLI edit goes through :func:`commit_edit`: lock the ledger's folder,
read the file as bytes (newlines untouched), apply the edit, validate the
whole ledger as it would be, refuse if it would not pass ``tracker check``,
check that nobody saved the file meanwhile (else redo the edit on their
version), then write a temporary file beside it, fsync and ``os.replace``.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from target_tracker.edits.operations import EditError
from target_tracker.i18n import _
from target_tracker.ledger.load import FileCache
from target_tracker.ledger.model import Ledger

LOCK_TIMEOUT = 60.0  # seconds to wait for another tracker's edit
RETRIES = 5  # times an edit is redone when the file changed under us


@dataclass(frozen=True)
class Change:
    """A file's text before and after an edit."""

    path: Path
    old: str
    new: str
    ledger: Ledger | None = None

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
    for _line in range(context):
        if ctx_start == 0:
            break
        ctx_start = old.rfind("\n", 0, ctx_start - 1) + 1
    ctx_end = a_end
    for _line in range(context):
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


def read_bytes_text(path: Path) -> tuple[bytes, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EditError(_("{file}: no such ledger file (create one with 'tracker init')").format(file=path)) from None
    except OSError as e:
        raise EditError(_("{file}: cannot read: {reason}").format(file=path, reason=e.strerror or e)) from None
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise EditError(
            _("{file}:{line}: not valid UTF-8; save the file as UTF-8").format(file=path, line=line)
        ) from None


_HEADER_ID = re.compile(r"^[ \t]*\[[ \t]*targets[ \t]*\.[ \t]*[\"']?([A-Za-z0-9_-]+)[\"']?[ \t]*\]", re.M)


def target_ids(text: str) -> list[str]:
    """Ids of the ``[targets.ID]`` headers in a text (fast, regex only)."""
    return _HEADER_ID.findall(text)


def ledger_files(main: Path, main_text: str) -> list[Path]:
    """The main file and the files it includes, in load order."""
    if "include" not in main_text:
        return [main]
    from target_tracker.ledger.load import included_files

    return [main, *included_files(main, main_text)]


def file_holding(main: Path, main_text: str, tid: str) -> Path:
    """The ledger file whose text holds ``[targets.ID]``."""
    files = ledger_files(main, main_text)
    all_ids: list[str] = []
    for f in files:
        text = main_text if f == main else read_bytes_text(f)[1]
        ids = target_ids(text)
        if tid in ids:
            return f
        all_ids.extend(ids)
    hint = difflib.get_close_matches(tid, all_ids, n=1)
    tip = _(" (did you mean '{hint}'?)").format(hint=hint[0]) if hint else ""
    raise EditError(_("no target '{id}' in {file}{tip}").format(id=tid, file=main, tip=tip))


# -- locking and writing ------------------------------------------------------------


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on the ledger's folder while editing.

    The folder, not the file, is locked because ``os.replace`` swaps the
    file's inode; this leaves no lock file behind.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        yield
        return
    folder = path.resolve().parent
    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EditError(_("{file}: another tracker edit holds the lock (waited {seconds} s)").format(
                        file=path, seconds=f"{timeout:.0f}")) from None  # fmt: skip
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: Path, data: bytes) -> None:
    """Write beside the file, fsync, keep its permissions, ``os.replace``.

    On any failure the original is untouched and the temporary file removed.
    """
    folder = path.resolve().parent
    try:
        st: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        st = None
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
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
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            reason = {errno.ENOSPC: _("the disk is full"), errno.EFBIG: _("the file is too large for this system"),
                      errno.EDQUOT: _("the disk quota is used up")}.get(e.errno or 0, e.strerror or str(e))  # fmt: skip
            raise EditError(_("{file}: could not write ({reason}); the file is unchanged").format(
                file=path, reason=reason)) from None  # fmt: skip
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


# -- the edit transaction ---------------------------------------------------------------

Transform = Callable[[str], str]
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
        first = errors[0]
        more = _(" (and {n} more)").format(n=len(errors) - 1) if len(errors) > 1 else ""
        raise EditError(_("refused, the ledger would not pass 'tracker check': {problem}{more}; the file is unchanged")
                        .format(problem=first, more=more))  # fmt: skip
    return result.ledger


def commit_edit(
    main: Path,
    transform_for: Callable[[Path, str], tuple[Path, Transform]],
    *,
    dry_run: bool = False,
    confirm: Confirm | None = None,
    cache: FileCache | None = None,
) -> Change:
    """Run one edit as a transaction on the ledger whose main file is ``main``.

    ``transform_for(main, main_text)`` names the file to change and the
    function that turns its text into the new text (raising EditError to
    refuse). ``confirm`` may refuse after seeing the validated ledger.
    """
    with locked(main):
        for _attempt in range(RETRIES):
            main_bytes, main_text = read_bytes_text(main)
            path, transform = transform_for(main, main_text)
            raw, text = (main_bytes, main_text) if path == main else read_bytes_text(path)
            new_text = transform(text)
            ledger = validate(main, {path: new_text}, cache)
            if confirm is not None:
                confirm(ledger)
            change = Change(path, text, new_text, ledger)
            if dry_run:
                return change
            if _read_raw(path) != raw:
                continue  # saved by an editor meanwhile: redo the edit on that version
            atomic_write(path, new_text.encode("utf-8"))
            return change
    raise EditError(_("{file}: the file kept changing while editing (tried {n} times); nothing was written").format(
        file=main, n=RETRIES))  # fmt: skip


def _read_raw(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def create_file(path: Path, text: str, *, dry_run: bool = False) -> Change:
    """Write a new ledger file; refuse to overwrite an existing one."""
    if path.exists():
        raise EditError(_("{file} already exists; not overwriting it (choose another path)").format(file=path))
    if not path.parent.exists():
        raise EditError(_("{folder}: no such folder").format(folder=path.parent))
    change = Change(path, "", text)
    if not dry_run:
        with locked(path):
            if path.exists():
                raise EditError(_("{file} already exists; not overwriting it").format(file=path))

            atomic_write(path, text.encode("utf-8"))
    return change
