"""Which files a ledger's ``include`` names, and which it may not.

``include = ["cities/", "extra.toml"]`` in the main ledger file names files
(read as given) and folders (their ``*.toml`` files in name order), relative
to the main file's folder. Each file is read once.

An include may only name regular files, or folders of them, inside the main
ledger's folder (after following symlinks), unless the ledger says
``[settings] allow_outside_includes = true``. Devices (``/dev/zero``), FIFOs,
``/dev/stdin``, files elsewhere (``/etc/shadow``), links that point outside,
and loops (a file that includes itself or the main file) are problems with
the file and line of the ``include`` entry, never read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from target_tracker.i18n import _
from target_tracker.ledger.model import KeyPath, Problem


class NotRegularFile(OSError):
    """A path that is a device, FIFO or socket: never read (it could block or never end)."""


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; never blocks on a FIFO or reads a device.

    Opened without blocking, then checked on the descriptor, so a file
    swapped for a FIFO between a check and the read is still refused.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(0, _("not a regular file"), str(path))
        chunks = []
        while chunk := os.read(fd, max(st.st_size + 1, 1 << 16)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _outside(entry: str, real: Path) -> str:
    return _(
        "included path '{entry}' is outside the ledger's folder ({real}); "
        "set allow_outside_includes = true in [settings] to allow it"
    ).format(entry=entry, real=real)


def _inside(real: Path, roots: tuple[Path, ...]) -> bool:
    return any(real == r or real.is_relative_to(r) for r in roots)


def resolve_includes(
    path: Path,
    entries: tuple[str, ...],
    problems: list[Problem],
    *,
    allow_outside: bool = False,
    ledger_files: set[Path] | None = None,
    key: KeyPath = ("include",),
) -> list[Path]:
    """Files named by ``entries`` of the file ``path``: files as given, folders
    as their *.toml in name order; each file once, never ``path`` itself.

    Problems name ``path`` and the entry's key path (``include``, i).
    ``ledger_files``: resolved paths already in the ledger (the main file);
    naming one of them explicitly is a loop.
    """
    name = str(path)
    folder = path.parent
    roots = (folder.resolve(), path.resolve().parent)
    own = path.resolve()
    loops = {own, *(ledger_files or ())}

    def problem(i: int, message: str) -> None:
        problems.append(Problem(name, message, (*key, i)))

    def admit(i: int, entry: str, candidate: Path, listed: bool, real: Path | None = None) -> Path | None:
        """``candidate`` if it may be read; ``real``: its resolved path when known."""
        if real is None:
            real = candidate.resolve()
        if real in seen:
            return None  # named twice (a file and its folder): read once
        if real in loops and not listed:  # already part of the ledger (so inside it): say so first
            problem(i, _("include loop: '{entry}' is {file}, which is already part of the ledger").format(
                entry=entry, file=real))  # fmt: skip
            return None
        if not allow_outside and not _inside(real, roots):
            shown = entry if not listed else f"{entry} ({candidate.name})"
            problem(i, _outside(shown, real))
            return None
        try:
            known = known_regular.pop(candidate, None)
            regular = known if known is not None else stat.S_ISREG(os.stat(real).st_mode)
        except OSError as e:
            problem(i, _("included path '{entry}' cannot be read: {error}").format(entry=entry, error=e.strerror or e))
            return None
        if not regular:
            shown = entry if not listed else f"{entry} ({candidate.name})"
            problem(i, _("included path '{entry}' is not a regular file or folder").format(entry=shown))
            return None
        if real in loops:
            if listed:
                return None  # a folder that holds the main file: the main file is read once, as main
            problem(i, _("include loop: '{entry}' is {file}, which is already part of the ledger").format(
                entry=entry, file=real))  # fmt: skip
            return None
        found.append(candidate)
        seen.add(real)
        return candidate

    found: list[Path] = []
    seen: set[Path] = set()
    known_regular: dict[Path, bool] = {}  # from the folder listing: no stat needed
    for i, entry in enumerate(entries):
        if "\0" in entry or not entry.strip():
            problem(
                i, _("included path '{entry}' is not a file or folder name").format(entry=entry.replace("\0", "\\0"))
            )
            continue
        rel = folder / entry
        try:
            st = os.stat(rel)
        except FileNotFoundError:
            problem(i, _("included path '{entry}' does not exist").format(entry=entry))
            continue
        except (OSError, ValueError) as e:
            problem(
                i,
                _("included path '{entry}' cannot be read: {error}").format(
                    entry=entry, error=getattr(e, "strerror", None) or e
                ),
            )
            continue
        if stat.S_ISDIR(st.st_mode):
            real_dir = rel.resolve()
            if not allow_outside and not _inside(real_dir, roots):
                problem(i, _outside(entry, real_dir))
                continue
            try:
                with os.scandir(rel) as it:
                    listed = sorted((d for d in it if d.name.endswith(".toml")), key=lambda d: d.name)
            except OSError as e:
                problem(
                    i, _("included path '{entry}' cannot be read: {error}").format(entry=entry, error=e.strerror or e)
                )
                continue
            for d in listed:
                candidate = rel / d.name
                if d.is_symlink():  # only links need resolving; a folder of 1,000 files costs no extra system call
                    admit(i, entry, candidate, True)
                    continue
                known_regular[candidate] = d.is_file(follow_symlinks=False)
                admit(i, entry, candidate, True, real_dir / d.name)
        else:
            admit(i, entry, rel, False)
    return found
