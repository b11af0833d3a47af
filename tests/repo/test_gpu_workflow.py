"""The GPU workflow's push script pushes past a moved main.

The script runs here against a local bare repository whose main moves between the outputs
commit and its push: once with an unrelated commit (a rebase is enough), once with other
outputs of the same snippet (the merge runs again on the new main). The whole workflow is
rehearsed in test_workflow_rehearsal.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.paths import REPO_DIR

PUSH_SCRIPT = REPO_DIR / ".github" / "scripts" / "push-outputs.sh"
STORE = "snippets/chapter/page.outputs.json"


def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def origin_and_clones(tmp_path: Path) -> tuple[Path, Path, Path]:
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    _git(tmp_path, "clone", "-q", str(origin), str(seed))
    (seed / "snippets" / "chapter").mkdir(parents=True)
    (seed / STORE).write_text('{"runs": "old"}\n')
    (seed / "snippets" / "top.outputs.json").write_text('{"runs": "old"}\n')
    (seed / "README.md").write_text("book\n")
    _git(seed, "add", ".")
    _git(seed, "commit", "-q", "-m", "seed")
    _git(seed, "push", "-q", "origin", "main")
    runner, other = tmp_path / "runner", tmp_path / "other"
    _git(tmp_path, "clone", "-q", str(origin), str(runner))
    _git(tmp_path, "clone", "-q", str(origin), str(other))
    for clone in (runner, other):
        _git(clone, "config", "user.name", "t")
        _git(clone, "config", "user.email", "t@example.invalid")
    # This run's merged outputs, as `python -m book merge` would write them.
    (runner / "shards").mkdir()
    (runner / "shards" / "page.outputs.json").write_text('{"runs": "fresh"}\n')
    (runner / "shards" / "top.outputs.json").write_text('{"runs": "fresh top"}\n')
    return origin, runner, other


MERGE = ["bash", "-c", f"cp shards/page.outputs.json {STORE} && "
         "cp shards/top.outputs.json snippets/top.outputs.json"]


def _push(runner: Path) -> subprocess.CompletedProcess:
    subprocess.run(MERGE, cwd=runner, check=True)
    env = dict(os.environ, PUSH_BACKOFF_S="0")
    return subprocess.run(["bash", str(PUSH_SCRIPT), "main", *MERGE], cwd=runner, env=env,
                          capture_output=True, text=True)


def _origin_file(origin: Path, path: str) -> str:
    return _git(origin, "show", f"main:{path}")


def test_the_push_is_rebased_onto_a_main_that_moved(origin_and_clones):
    origin, runner, other = origin_and_clones
    (other / "README.md").write_text("book, edited meanwhile\n")
    _git(other, "commit", "-q", "-am", "edit")
    _git(other, "push", "-q", "origin", "main")
    result = _push(runner)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "attempt 2" in result.stdout
    assert _origin_file(origin, STORE) == '{"runs": "fresh"}\n'
    # Store files at the top of snippets/ are committed too.
    assert _origin_file(origin, "snippets/top.outputs.json") == '{"runs": "fresh top"}\n'
    assert _origin_file(origin, "README.md") == "book, edited meanwhile\n"


def test_conflicting_outputs_are_merged_again_on_the_new_main(origin_and_clones):
    origin, runner, other = origin_and_clones
    (other / STORE).write_text('{"runs": "another run"}\n')
    (other / "README.md").write_text("book, edited meanwhile\n")
    _git(other, "commit", "-q", "-am", "other outputs")
    _git(other, "push", "-q", "origin", "main")
    result = _push(runner)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "merging this run's outputs again" in result.stdout
    assert _origin_file(origin, STORE) == '{"runs": "fresh"}\n'
    assert _origin_file(origin, "README.md") == "book, edited meanwhile\n"
    log = _git(origin, "log", "--format=%s", "main")
    assert log.splitlines()[:2] == ["Store full-mode outputs from the GPU run", "other outputs"]


def test_nothing_to_push_when_the_outputs_did_not_change(origin_and_clones):
    origin, runner, _ = origin_and_clones
    env = dict(os.environ, PUSH_BACKOFF_S="0")
    result = subprocess.run(["bash", str(PUSH_SCRIPT), "main", "true"], cwd=runner, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "no outputs changed" in result.stdout
    assert _git(origin, "log", "--format=%s", "main").splitlines() == ["seed"]
