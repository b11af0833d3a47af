"""Workflow files are valid GitHub Actions workflows, checked here rather than after a push."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_DIR / ".github" / "workflows").glob("*.yml"))


def check(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", *map(str, paths)],
        capture_output=True, text=True,
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_is_valid(workflow: Path):
    result = check([workflow])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_expected_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "gpu.yml", "pages.yml"}


def test_a_broken_workflow_is_caught(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: broken\non: push\njobs:\n  build:\n    steps: 3\n")
    assert check([broken]).returncode != 0


def test_gpu_workflow_never_runs_for_pull_requests():
    text = (REPO_DIR / ".github" / "workflows" / "gpu.yml").read_text()
    assert "pull_request" not in text.split("jobs:")[0]
    assert "[self-hosted, linux, x64, gpu]" in text
