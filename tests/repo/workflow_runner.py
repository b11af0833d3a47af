"""A small local runner for the book's GitHub workflows: their ``run:`` steps run for real,
in order, in bash, with GitHub's contexts, conditions, matrices, job needs and step files
(``GITHUB_ENV``, ``GITHUB_PATH``, ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``).

Only ``uses:`` steps are stood in for (``STAND_INS``): checkout is a clone of a local bare
repository that plays ``origin``, the artifact actions copy folders, Pages' actions copy the
site into a "deployed" folder, and the environment action puts the test environment on
``PATH``. An action without a stand-in, or an expression the evaluator does not know, fails
the rehearsal instead of being skipped.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.repo.actions_expressions import condition, substitute

STEP_TIMEOUT_S = 300


@dataclass
class StepResult:
    name: str
    outcome: str  # "success", "failure" or "skipped"
    output: str = ""


@dataclass
class JobRun:
    """One job (one matrix combination) as it ran."""

    job: str
    matrix: dict[str, Any]
    result: str = "skipped"
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)


@dataclass
class WorkflowRun:
    """What running a workflow did: every job run, by job id."""

    jobs: dict[str, list[JobRun]] = field(default_factory=dict)

    def result(self, job: str) -> str:
        results = {run.result for run in self.jobs[job]}
        for outcome in ("failure", "cancelled", "success"):
            if outcome in results:
                return outcome
        return "skipped"


def load_workflow(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def triggered(workflow: dict[str, Any], event_name: str, event: dict[str, Any],
              ref: str) -> bool:
    """Whether ``on:`` starts the workflow for this event (branch and workflow filters)."""
    triggers = workflow["on"]
    if isinstance(triggers, str | list):
        return event_name in ([triggers] if isinstance(triggers, str) else triggers)
    if event_name not in triggers:
        return False
    spec = triggers[event_name] or {}
    if "branches" in spec and event_name in ("push", "pull_request"):
        branch = ref.removeprefix("refs/heads/")
        if not any(Path(branch).match(pattern) or branch == pattern
                   for pattern in spec["branches"]):
            return False
    if event_name == "workflow_run":
        run = event["workflow_run"]
        return run["name"] in spec.get("workflows", []) and \
            event.get("action", "completed") in spec.get("types", ["completed"])
    return True


class Rehearsal:
    """Runs workflows of the checkout held by ``origin`` (a bare repository)."""

    def __init__(self, origin: Path, work: Path, env: dict[str, str],
                 vars_: dict[str, str] | None = None) -> None:
        self.origin, self.work, self.base_env = origin, work, env
        self.vars = vars_ or {}
        self.artifacts = work / "artifacts"
        self.deployed = work / "deployed"
        self.hooks: dict[str, Callable[[Path], None]] = {}  # step name -> before it runs
        self.matrix_override: dict[str, dict[str, list[Any]]] = {}
        self.counter = itertools.count(1)

    # --- workflows and jobs ----------------------------------------------------------------

    def run(self, workflow_file: str, event_name: str, event: dict[str, Any],
            ref: str = "refs/heads/main") -> WorkflowRun | None:
        """Run ``.github/workflows/<workflow_file>`` as origin holds it now; None when the
        event does not start it."""
        head = self._git(self.origin, "rev-parse", ref.removeprefix("refs/heads/")).strip()
        workflow = yaml.safe_load(self._git(self.origin, "show",
                                            f"{head}:.github/workflows/{workflow_file}"))
        workflow["on"] = workflow.pop(True, workflow.get("on"))
        if not triggered(workflow, event_name, event, ref):
            return None
        inputs = {name: spec.get("default") for name, spec in
                  ((workflow["on"].get("workflow_dispatch") or {}).get("inputs") or {}).items()} \
            if isinstance(workflow["on"], dict) else {}
        inputs.update(event.get("inputs", {}))
        github = {"event_name": event_name, "event": event, "ref": ref, "sha": head,
                  "ref_name": ref.removeprefix("refs/heads/"), "repository": "owner/book",
                  "server_url": "https://github.invalid", "workflow": workflow.get("name"),
                  "run_id": str(next(self.counter))}
        context = {"github": github, "inputs": inputs, "vars": self.vars, "secrets": {},
                   "env": dict(workflow.get("env") or {})}
        result = WorkflowRun()
        for job_id in self._job_order(workflow["jobs"]):
            result.jobs[job_id] = self._run_job(job_id, workflow["jobs"][job_id], context,
                                                result)
        return result

    @staticmethod
    def _job_order(jobs: dict[str, Any]) -> list[str]:
        order: list[str] = []
        while len(order) < len(jobs):
            for job_id, job in jobs.items():
                needs = job.get("needs", [])
                needs = [needs] if isinstance(needs, str) else needs
                if job_id not in order and all(need in order for need in needs):
                    order.append(job_id)
        return order

    def _run_job(self, job_id: str, job: dict[str, Any], context: dict[str, Any],
                 so_far: WorkflowRun) -> list[JobRun]:
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        context = dict(context, needs={n: {"result": so_far.result(n),
                                           "outputs": so_far.jobs[n][0].outputs}
                                       for n in needs})
        results = {so_far.result(n) for n in needs}
        status = {"success": results <= {"success"}, "failure": "failure" in results,
                  "cancelled": "cancelled" in results}
        combos = self._matrix(job_id, job)
        runs = []
        for index, combo in enumerate(combos):
            job_context = dict(context, matrix=combo,
                               strategy={"job-total": len(combos), "job-index": index})
            run = JobRun(job_id, combo)
            if condition(job.get("if"), job_context, status):
                self._steps(run, job, job_context)
            runs.append(run)
        return runs

    def _matrix(self, job_id: str, job: dict[str, Any]) -> list[dict[str, Any]]:
        axes = dict((job.get("strategy") or {}).get("matrix") or {})
        axes.update(self.matrix_override.get(job_id, {}))
        if not axes:
            return [{}]
        names = list(axes)
        return [dict(zip(names, values, strict=True))
                for values in itertools.product(*(axes[name] for name in names))]

    # --- steps -----------------------------------------------------------------------------

    def _steps(self, run: JobRun, job: dict[str, Any], context: dict[str, Any]) -> None:
        label = f"{run.job}-{next(self.counter)}"
        workspace, temp = self.work / "jobs" / label / "workspace", self.work / "jobs" / label
        workspace.mkdir(parents=True)
        files = {name: temp / name.lower() for name in
                 ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
        for file in files.values():
            file.touch()
        github = context["github"]
        env = dict(self.base_env, GITHUB_WORKSPACE=str(workspace), RUNNER_TEMP=str(temp),
                   GITHUB_SHA=github["sha"], GITHUB_REF=github["ref"],
                   GITHUB_REF_NAME=github["ref_name"], GITHUB_EVENT_NAME=github["event_name"],
                   GITHUB_REPOSITORY=github["repository"], CI="true",
                   **{name: str(path) for name, path in files.items()})
        context = dict(context, runner={"temp": str(temp), "os": "Linux"}, steps={})
        job_env = substitute(dict(context["env"], **(job.get("env") or {})), context)
        failed = False
        for number, step in enumerate(job["steps"], 1):
            name = step.get("name") or step.get("uses") or f"step {number}"
            step_env = dict(job_env, **substitute(step.get("env") or {}, context))
            step_context = dict(context, env=step_env)
            status = {"success": not failed, "failure": failed, "cancelled": False}
            if not condition(step.get("if"), step_context, status):
                run.steps.append(StepResult(name, "skipped"))
                continue
            if name in self.hooks:
                self.hooks[name](workspace)
            outcome, output, outputs = self._step(step, step_context, dict(env, **step_env),
                                                  workspace, files)
            run.steps.append(StepResult(name, outcome, output))
            if "id" in step:
                context["steps"][step["id"]] = {"outcome": outcome, "outputs": outputs}
            if outcome == "failure" and not step.get("continue-on-error"):
                failed = True
            env = self._apply_files(env, files)
        for name, value in (job.get("outputs") or {}).items():
            run.outputs[name] = substitute(value, context)
        run.result = "failure" if failed else "success"

    @staticmethod
    def _apply_files(env: dict[str, str], files: dict[str, Path]) -> dict[str, str]:
        """The environment after a step wrote to GITHUB_ENV and GITHUB_PATH."""
        env = dict(env)
        for line in files["GITHUB_ENV"].read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
        added = [line for line in files["GITHUB_PATH"].read_text().splitlines() if line]
        if added:
            env["PATH"] = os.pathsep.join([*reversed(added), env["PATH"]])
        files["GITHUB_PATH"].write_text("")
        files["GITHUB_ENV"].write_text("")
        return env

    def _step(self, step: dict[str, Any], context: dict[str, Any], env: dict[str, str],
              workspace: Path, files: dict[str, Path]) -> tuple[str, str, dict[str, str]]:
        files["GITHUB_OUTPUT"].write_text("")
        if "uses" in step:
            action = step["uses"].split("@")[0]
            stand_in = STAND_INS.get(action)
            if stand_in is None:
                raise AssertionError(f"no stand-in for the action {step['uses']}")
            with_ = substitute(step.get("with") or {}, context)
            try:
                outputs = stand_in(self, with_, context, workspace, files) or {}
            except StandInFailure as failure:
                return "failure", str(failure), {}
            return "success", "", outputs
        script = substitute(step["run"], context)
        shell = step.get("shell")
        command = (["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
                   if shell == "bash" else ["bash", "-e", "-c", script])
        cwd = workspace / substitute(step.get("working-directory", "."), context)
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=STEP_TIMEOUT_S)
        outputs = dict(line.split("=", 1) for line in
                       files["GITHUB_OUTPUT"].read_text().splitlines() if "=" in line)
        return ("success" if done.returncode == 0 else "failure",
                done.stdout + done.stderr, outputs)

    @staticmethod
    def _git(cwd: Path, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                              text=True).stdout


class StandInFailure(RuntimeError):
    """A stood-in action failed as the real one would (e.g. no files to upload)."""


# --- stand-ins for the actions the workflows use ---------------------------------------------

def _checkout(rehearsal: Rehearsal, with_: dict[str, Any], context: dict[str, Any],
              workspace: Path, files: dict[str, Path]) -> None:
    ref = with_.get("ref") or context["github"]["sha"]
    depth = int(with_.get("fetch-depth", 1))
    url = f"file://{rehearsal.origin}"
    Rehearsal._git(workspace, "init", "-q", "-b", "rehearsal")
    Rehearsal._git(workspace, "remote", "add", "origin", url)
    fetch = ["fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*"]
    Rehearsal._git(workspace, *(fetch if depth == 0 else [*fetch, f"--depth={depth}"]))
    target = ref.removeprefix("refs/heads/")
    branches = Rehearsal._git(workspace, "branch", "-r").split()
    if f"origin/{target}" in branches:
        Rehearsal._git(workspace, "checkout", "-q", "-B", target, f"origin/{target}")
    else:
        Rehearsal._git(workspace, "checkout", "-q", "--detach", target)


def _paths(with_: dict[str, Any]) -> list[str]:
    return [line.strip() for line in str(with_["path"]).splitlines() if line.strip()]


def _upload(rehearsal: Rehearsal, with_: dict[str, Any], context: dict[str, Any],
            workspace: Path, files: dict[str, Path], name: str | None = None) -> None:
    name = name or with_.get("name", "artifact")
    sources = [workspace / path for path in _paths(with_)]
    found = [p for source in sources if source.exists()
             for p in ([source] if source.is_file() else source.rglob("*")) if p.is_file()]
    if not with_.get("include-hidden-files"):
        found = [p for p in found if not any(part.startswith(".") for part in
                                             p.relative_to(workspace).parts)]
    if not found:
        if with_.get("if-no-files-found", "warn") == "error":
            raise StandInFailure(f"no files found for the artifact {name}")
        return
    root = Path(os.path.commonpath([s if s.is_dir() else s.parent for s in sources]))
    target = rehearsal.artifacts / name
    if target.exists():
        raise StandInFailure(f"an artifact named {name} exists already")
    for path in found:
        destination = target / path.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


def _download(rehearsal: Rehearsal, with_: dict[str, Any], context: dict[str, Any],
              workspace: Path, files: dict[str, Path]) -> None:
    target = workspace / with_.get("path", ".")
    if "name" in with_:
        source = rehearsal.artifacts / with_["name"]
        if not source.is_dir():
            raise StandInFailure(f"artifact {with_['name']} not found")
        shutil.copytree(source, target, dirs_exist_ok=True)
        return
    pattern = with_.get("pattern", "*")
    for source in sorted(rehearsal.artifacts.glob(pattern)):
        shutil.copytree(source, target / source.name, dirs_exist_ok=True)


def _environment(rehearsal: Rehearsal, with_: dict[str, Any], context: dict[str, Any],
                 workspace: Path, files: dict[str, Path]) -> None:
    # The real action makes a virtual environment with the checkout installed (editable) and
    # puts it on PATH; here the test's environment is on PATH already, and the checkout
    # comes first on the import path, as an editable install of it would.
    with files["GITHUB_ENV"].open("a") as env_file:
        env_file.write(f"PYTHONPATH={workspace}\n")


def _pages_artifact(rehearsal: Rehearsal, with_: dict[str, Any], context: dict[str, Any],
                    workspace: Path, files: dict[str, Path]) -> None:
    _upload(rehearsal, {"path": with_.get("path", "_site"), "if-no-files-found": "error"},
            context, workspace, files, name="github-pages")


def _deploy(rehearsal: Rehearsal, with_: dict[str, Any], context: dict[str, Any],
            workspace: Path, files: dict[str, Path]) -> dict[str, str]:
    source = rehearsal.artifacts / "github-pages"
    if not source.is_dir():
        raise StandInFailure("no github-pages artifact to deploy")
    shutil.rmtree(rehearsal.deployed, ignore_errors=True)
    shutil.copytree(source, rehearsal.deployed)
    return {"page_url": "https://owner.github.invalid/book/"}


def _nothing(*_: Any) -> None:
    """Caches, toolchains (the test's Python is on PATH), Pages' settings."""


STAND_INS: dict[str, Callable[..., Any]] = {
    "actions/checkout": _checkout,
    "actions/upload-artifact": _upload,
    "actions/download-artifact": _download,
    "actions/upload-pages-artifact": _pages_artifact,
    "actions/deploy-pages": _deploy,
    "actions/setup-python": _nothing,
    "actions/cache": _nothing,
    "actions/configure-pages": _nothing,
    "./.github/actions/book-env": _environment,
}
