"""``tracker git-setup``: make git merge a ledger with ``tracker merge-file``.

Two things, both idempotent: ``.gitattributes`` at the top of the
repository names the ledger and its included files ``merge=tracker``
(existing lines are kept; only missing lines are added), and the
repository-local git config defines the ``tracker`` merge driver.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from target_tracker.i18n import _

DRIVER_NAME = "target-tracker ledger merge"
DRIVER_ARGS = "merge-file %O %A %B --marker-size %L"


class SetupError(ValueError):
    """git-setup cannot proceed; the message is for the planner."""


def driver_command(executable: str | None = None, which: str | None = None) -> str:
    """The command git runs to merge a ledger.

    Plain ``tracker`` only when the ``tracker`` found on PATH belongs to this
    very installation and that installation is not a virtual environment:
    git (or an editor running git) often has another PATH than the shell
    that activated a venv, so a venv install gets its interpreter's absolute
    path, ``/path/to/venv/bin/python -m target_tracker``, which works
    whatever PATH git runs with.
    """
    executable = executable or sys.executable
    found = shutil.which("tracker") if which is None else which
    in_venv = sys.prefix != sys.base_prefix
    if found and Path(found).resolve().parent == Path(executable).resolve().parent and not in_venv:
        return f"tracker {DRIVER_ARGS}"
    return f"{shlex.quote(executable)} -m target_tracker {DRIVER_ARGS}"


def git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as e:
        raise SetupError(_("cannot run git: {error}").format(error=e.strerror or e)) from None


def repository_root(folder: Path) -> Path:
    done = git(["rev-parse", "--show-toplevel"], folder)
    if done.returncode != 0:
        raise SetupError(_("{folder} is not inside a git repository (run 'git init' first)").format(folder=folder))
    return Path(done.stdout.strip())


def _pattern(path: str) -> str:
    """A .gitattributes pattern; quoted when it holds a space or a quote."""
    if any(c in path for c in ' "\t\\'):
        return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return path


def attribute_patterns(ledger: Path, root: Path) -> list[str]:
    """Patterns for the ledger and what it includes, relative to the repository root."""
    from target_tracker.ledger.load import _Builder, parse_toml

    ledger = ledger.resolve()
    patterns = [ledger.relative_to(root).as_posix()]
    text = ledger.read_text(encoding="utf-8")
    data, problem = parse_toml(text, str(ledger))
    if data is None:
        raise SetupError(str(problem))
    for entry in _Builder(str(ledger), []).include_entries(data):
        target = (ledger.parent / entry).resolve()
        try:
            rel = target.relative_to(root).as_posix()
        except ValueError:
            continue  # outside the repository: git does not merge it
        patterns.append(f"{rel}/*.toml" if target.is_dir() else rel)
    return list(dict.fromkeys(patterns))


@dataclass
class Setup:
    """What git-setup will change (nothing when both lists are empty)."""

    root: Path
    attributes: Path
    new_lines: list[str] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return bool(self.new_lines or self.config)


def plan(ledger: Path, driver: str) -> Setup:
    """Work out the missing .gitattributes lines and config entries."""
    if not ledger.is_file():
        raise SetupError(_("{path}: no such ledger file").format(path=ledger))
    root = repository_root(ledger.resolve().parent)
    attributes = root / ".gitattributes"
    existing = attributes.read_text(encoding="utf-8").splitlines() if attributes.exists() else []
    have = {" ".join(line.split()) for line in existing}
    setup = Setup(root, attributes)
    for pattern in attribute_patterns(ledger, root):
        line = f"{_pattern(pattern)} merge=tracker"
        if line not in have:
            setup.new_lines.append(line)
            have.add(line)
    for key, value in (("merge.tracker.name", DRIVER_NAME), ("merge.tracker.driver", driver)):
        current = git(["config", "--local", "--get", key], root)
        if current.returncode != 0 or current.stdout.rstrip("\n") != value:
            setup.config[key] = value
    return setup


def apply(setup: Setup) -> None:
    """Append the missing lines (keeping the file's own newline style) and set the config."""
    if setup.new_lines:
        old = setup.attributes.read_bytes() if setup.attributes.exists() else b""
        nl = b"\r\n" if b"\r\n" in old else b"\n"
        sep = b"" if not old or old.endswith(b"\n") else nl
        body = nl.join(line.encode("utf-8") for line in setup.new_lines) + nl
        from target_tracker.edits.transaction import atomic_write

        atomic_write(setup.attributes, old + sep + body)
    for key, value in setup.config.items():
        done = git(["config", "--local", key, value], setup.root)
        if done.returncode != 0:
            raise SetupError(_("git config {key} failed: {error}").format(key=key, error=done.stderr.strip()))


__all__ = ["DRIVER_ARGS", "Setup", "SetupError", "apply", "driver_command", "plan"]
