"""`tracker check` as a pre-commit hook, run by the real `pre-commit` tool on a
temporary office repository that takes its hooks from a copy of this repository.

The hook used offline is `tracker-check-system` (language: system, the
`tracker` on PATH): `tracker-check` (language: python) makes pre-commit pip
install target-tracker and its dependencies from PyPI, which needs the
network; it is tested too when TRACKER_NETWORK_TESTS=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_merge_git import LEDGER, git, identify

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit") is None or shutil.which("git") is None, reason="pre-commit and git are needed"
)


def hook_source(tmp_path: Path) -> tuple[Path, str]:
    """A git repository holding this working tree's hook definitions and package; its path and commit."""
    src = tmp_path / "target-tracker"
    src.mkdir()
    for name in (".pre-commit-hooks.yaml", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    git(src, "init", "-q", "-b", "main")
    identify(src)
    git(src, "add", "-A")
    git(src, "commit", "-q", "-m", "target-tracker")
    return src, git(src, "rev-parse", "HEAD").stdout.strip()


def env_with_tracker(tmp_path: Path) -> dict[str, str]:
    """PATH with a `tracker` that runs this working tree's code; pre-commit's home in tmp."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tracker"
    shim.write_text(
        f'#!/bin/sh\nPYTHONPATH="{ROOT / "src"}" exec "{sys.executable}" -m target_tracker "$@"\n', encoding="utf-8"
    )
    shim.chmod(0o755)
    env = dict(os.environ)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env['PATH']}",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        TRACKER_NO_CACHE="1",
    )
    env.pop("TRACKER_LEDGER", None)
    return env


def office(tmp_path: Path, hook_id: str, env: dict[str, str]) -> Path:
    src, rev = hook_source(tmp_path)
    repo = tmp_path / "office"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    identify(repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {src}\n    rev: {rev}\n    hooks:\n      - id: {hook_id}\n", encoding="utf-8"
    )
    (repo / "targets.toml").write_text(LEDGER, encoding="utf-8")
    install = subprocess.run(["pre-commit", "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    return repo


def commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    # git shows the hook's output on stderr
    return subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)  # fmt: skip


def broken_then_fixed(repo: Path, env: dict[str, str]) -> None:
    good = commit(repo, env, "ledger")
    assert good.returncode == 0, good.stdout
    assert "tracker check (ledger" in good.stdout and "Passed" in good.stdout

    ledger = repo / "targets.toml"
    ledger.write_text(LEDGER.replace("target = 100\n", 'target = "100"\n'), encoding="utf-8")
    bad = commit(repo, env, "typo")
    assert bad.returncode != 0
    assert "Failed" in bad.stdout
    assert "targets.toml:8: 'target' must be a number, got text '100'" in bad.stdout
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"  # the broken ledger was not committed

    ledger.write_text(LEDGER.replace("value = 5 }", "value = 7 }"), encoding="utf-8")
    fixed = commit(repo, env, "figure")
    assert fixed.returncode == 0, fixed.stdout
    assert git(repo, "rev-list", "--count", "HEAD").stdout.strip() == "2"


def test_a_broken_ledger_blocks_the_commit_with_file_and_line(tmp_path: Path) -> None:
    env = env_with_tracker(tmp_path)
    repo = office(tmp_path, "tracker-check-system", env)
    broken_then_fixed(repo, env)


def test_other_files_do_not_run_the_hook(tmp_path: Path) -> None:
    env = env_with_tracker(tmp_path)
    repo = office(tmp_path, "tracker-check-system", env)
    assert commit(repo, env, "ledger").returncode == 0
    (repo / "notes.md").write_text("minutes\n", encoding="utf-8")
    other = commit(repo, env, "notes")
    assert other.returncode == 0
    assert "(no files to check)Skipped" in other.stdout


@pytest.mark.skipif(
    not os.environ.get("TRACKER_NETWORK_TESTS"), reason="pip installs from PyPI: set TRACKER_NETWORK_TESTS=1"
)
def test_the_python_hook_installs_tracker_itself(tmp_path: Path) -> None:
    env = env_with_tracker(tmp_path)
    repo = office(tmp_path, "tracker-check", env)
    broken_then_fixed(repo, env)
