"""Workflow files are valid GitHub Actions workflows, checked here rather than after a push,
and do what the project relies on: release after the tests, notebooks where Colab finds them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.paths import REPO_DIR

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
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "gpu.yml", "pages.yml", "release.yml"}


def test_a_broken_workflow_is_caught(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: broken\non: push\njobs:\n  build:\n    steps: 3\n")
    assert check([broken]).returncode != 0


def _workflow(name: str) -> dict:
    data = yaml.safe_load((REPO_DIR / ".github" / "workflows" / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


DEFAULT_BRANCH_ONLY = ("github.ref == format('refs/heads/{0}', "
                       "github.event.repository.default_branch)")


def test_the_gpu_workflow_runs_only_on_the_default_branch():
    gpu = _workflow("gpu.yml")
    assert set(gpu["on"]) == {"push", "schedule", "workflow_dispatch"}
    assert gpu["on"]["push"] == {"branches": ["main"]}
    # A dispatch from another branch reaches neither the runner nor the push.
    assert gpu["jobs"]["run"]["if"] == DEFAULT_BRANCH_ONLY
    assert gpu["jobs"]["merge"]["if"] == f"always() && {DEFAULT_BRANCH_ONLY}"
    assert gpu["jobs"]["run"]["runs-on"] == ["self-hosted", "linux", "x64", "gpu"]


def _runners(job: dict) -> str:
    return yaml.safe_dump(job.get("runs-on", "")) + yaml.safe_dump(job.get("strategy", {}))


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_only_the_gpu_workflow_names_self_hosted_runners(workflow: Path):
    # Fork pull requests run ci.yml's jobs: none of them may ask for the GPU runner.
    jobs = _workflow(workflow.name)["jobs"]
    self_hosted = [name for name, job in jobs.items() if "self-hosted" in _runners(job)]
    assert self_hosted == (["run"] if workflow.name == "gpu.yml" else [])
    if workflow.name != "gpu.yml":
        assert "self-hosted" not in workflow.read_text()


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>\S+)(?:\s+#\s*(?P<release>\S+))?\s*$")


def _write_permissions(workflow: dict, job: dict) -> list[str]:
    permissions = job.get("permissions", workflow.get("permissions"))
    if permissions is None or permissions == "write-all":
        return ["(default token)"]
    return sorted(scope for scope, level in permissions.items() if level == "write")


def test_actions_in_jobs_that_write_or_publish_are_pinned_by_commit():
    writing = []
    for path in WORKFLOWS:
        workflow = _workflow(path.name)
        for name, job in workflow["jobs"].items():
            if _write_permissions(workflow, job):
                writing += [(path.name, name, step["uses"]) for step in job.get("steps", [])
                            if "uses" in step and not step["uses"].startswith("./")]
    assert {(w, j) for w, j, _ in writing} >= {
        ("gpu.yml", "merge"), ("pages.yml", "deploy"), ("pages.yml", "notebooks"),
        ("release.yml", "publish")}
    unpinned = [entry for entry in writing
                if not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", entry[2])]
    assert unpinned == []


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_action_is_pinned_by_commit_with_its_release(workflow: Path):
    for line in workflow.read_text().splitlines():
        match = USES.match(line)
        if match is None or match["action"].startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", match["action"]), line
        assert match["release"] and re.fullmatch(r"v\d+\.\d+\.\d+", match["release"]), line


def test_a_tag_or_a_short_sha_is_not_a_pin():
    for text in ("    - uses: actions/checkout@v4", "      uses: actions/checkout@11bd719"):
        action = USES.match(text)["action"]
        assert not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action)


def test_release_publishes_on_a_version_tag_after_the_tests_with_trusted_publishing():
    release = _workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    jobs = release["jobs"]
    assert jobs["tests"]["uses"] == "./.github/workflows/ci.yml"
    assert "workflow_call" in _workflow("ci.yml")["on"]
    assert jobs["build"]["needs"] == "tests" and jobs["publish"]["needs"] == "build"
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    steps = publish["steps"]
    assert steps[-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in steps[-1]  # no password: the index trusts this workflow's OIDC token
    assert "secrets." not in (REPO_DIR / ".github/workflows/release.yml").read_text()
    # Only the publishing job can ask for an identity token.
    assert all("permissions" not in job for name, job in jobs.items() if name != "publish")
    assert release["permissions"] == {"contents": "read"}


def test_unit_tests_run_on_three_systems_and_four_pythons_with_cpu_torch():
    jobs = _workflow("ci.yml")["jobs"]
    matrix = jobs["unit"]["strategy"]["matrix"]
    assert {os.split("-")[0] for os in matrix["os"]} == {"ubuntu", "macos", "windows"}
    assert matrix["python"] == ["3.10", "3.11", "3.12", "3.13"]
    commands = "\n".join(step.get("run", "") for step in jobs["unit"]["steps"])
    assert "--torch-backend=cpu" in commands and "pytest tests/d2lref" in commands
    # The book's build and browser tests stay on Linux.
    assert jobs["test"]["runs-on"].startswith("ubuntu") and "strategy" not in jobs["test"]


def test_pages_pushes_both_languages_notebooks_to_the_branch_colab_links_open():
    from book.notebooks import NOTEBOOKS_BRANCH, colab_url

    jobs = _workflow("pages.yml")["jobs"]
    assert jobs["notebooks"]["permissions"] == {"contents": "write"}
    push = jobs["notebooks"]["steps"][-1]["run"]
    assert f"git switch --orphan {NOTEBOOKS_BRANCH}\n" in push
    assert f"git push --force origin {NOTEBOOKS_BRANCH}\n" in push
    collect = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    for lang in ("zh", "en"):
        assert f"cp -r docs/{lang}/notebooks notebooks-branch/{lang}" in collect
        url = colab_url("https://github.com/o/r", lang, "ch/page.md")
        assert url.endswith(f"/blob/{NOTEBOOKS_BRANCH}/{lang}/ch/page.ipynb")


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflows_name_no_web_address(workflow: Path):
    # Package indexes and mirrors are described, never named: actions find their own hosts.
    assert "://" not in workflow.read_text()
