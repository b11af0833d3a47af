"""Every command a workflow (or the environment action) gives the project goes through the
project's real argument parser, or names a real make target: an option the code does not
accept (``--keep-going`` once) fails here, not on the GPU runner."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.paths import REPO_DIR
from tests.repo.actions_expressions import substitute
from tests.repo.workflow_runner import load_workflow

WORKFLOWS = sorted((REPO_DIR / ".github" / "workflows").glob("*.yml"))
# Values for the expressions of a run step, as the workflow's events give them.
CONTEXT = {
    "matrix": {"shard": 2, "python": "3.11", "os": "ubuntu-24.04"},
    "strategy": {"job-total": 4, "job-index": 1},
    "inputs": {}, "vars": {"D2LREF_DATA": "/data"}, "secrets": {}, "env": {},
    "github": {"sha": "0" * 40, "ref": "refs/heads/main", "ref_name": "main",
               "event_name": "push", "repository": "owner/book",
               "event": {"repository": {"default_branch": "main"}}},
    "needs": {"run": {"result": "success"}}, "runner": {"temp": "/tmp/runner"},
    "steps": {"pages": {"outputs": {"base_url": "https://owner.github.invalid/book"}}},
}
# Shell words of the workflows' scripts, replaced by what they hold when the step runs.
SHELL_VALUES = {'"${sources[@]}"': "shards/outputs-1/ shards/outputs-2/",
                '"$BRANCH"': "main", "$RUNNER_TEMP": "/tmp/runner"}
SEPARATORS = {"|", "||", "&&", ";", "2>&1", ">", ">>", "<"}


def _parsers() -> dict[str, Callable[[], object]]:
    from book.bench.__main__ import build_parser as bench_parser
    from book.cli import build_parser as book_parser
    from d2lref.data.fetch import build_parser as fetch_parser

    return {"book": book_parser, "book.bench": bench_parser, "d2lref.data.fetch": fetch_parser}


def run_scripts() -> list[tuple[str, str]]:
    """(where, script) of every run step of every workflow and of the local actions."""
    found = []
    for path in WORKFLOWS:
        for job_id, job in load_workflow(path)["jobs"].items():
            for step in job.get("steps", []):
                if "run" in step:
                    for mode in ("full", "quick", None):
                        context = dict(CONTEXT, inputs={"mode": mode} if mode else {})
                        found.append((f"{path.name}:{job_id}", substitute(step["run"], context)))
    for action in sorted((REPO_DIR / ".github" / "actions").glob("*/action.yml")):
        import yaml

        for step in yaml.safe_load(action.read_text())["runs"]["steps"]:
            found.append((action.parent.name, step["run"]))
    return found


def project_commands(script: str) -> list[tuple[str, list[str]]]:
    """Each ``python -m <project module> ARGS`` and ``make TARGET`` in a script."""
    for word, value in SHELL_VALUES.items():
        script = script.replace(word, value)
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        for index, word in enumerate(words):
            if index + 2 < len(words) and re.fullmatch(r"(\S*/)?python3?(\.\d+)?", word) \
                    and words[index + 1] == "-m":
                module = words[index + 2]
                if module.split(".")[0] in ("book", "d2lref"):
                    args = []
                    for arg in words[index + 3:]:
                        if arg in SEPARATORS:
                            break
                        args.append(arg)
                    commands.append((module, args))
            elif word == "make" and index + 1 < len(words):
                commands.append(("make", [words[index + 1]]))
    return commands


COMMANDS = list(dict.fromkeys(
    (where, module, tuple(args)) for where, script in run_scripts()
    for module, args in project_commands(script)))


def test_the_workflows_call_the_commands_this_test_knows():
    modules = {module for _, module, _ in COMMANDS}
    assert {"book", "make", "d2lref.data.fetch"} <= modules
    subcommands = {args[0] for _, module, args in COMMANDS if module == "book"}
    assert {"full-run", "merge", "status"} <= subcommands
    # The GPU run's one entry point, on the push and schedule events and on dispatch.
    full_runs = [args for where, module, args in COMMANDS
                 if module == "book" and args[0] == "full-run"]
    assert any(args[args.index("--mode") + 1] == "full" for args in full_runs)


@pytest.mark.parametrize(("where", "module", "args"), COMMANDS,
                         ids=[f"{w}:{m} {' '.join(a)}" for w, m, a in COMMANDS])
def test_each_command_is_accepted_by_the_project(where, module, args):
    if module == "make":
        dry = subprocess.run(["make", "-n", args[0]], cwd=REPO_DIR, capture_output=True,
                             text=True)
        assert "No rule to make target" not in dry.stderr, f"{where}: make {args[0]}"
        return
    parsers = _parsers()
    assert module in parsers, f"{where}: no parser known for python -m {module}; add it here"
    try:
        parsers[module]().parse_args(list(args))  # type: ignore[attr-defined]
    except SystemExit as error:
        pytest.fail(f"{where}: python -m {module} {' '.join(args)} is refused ({error})")


def test_an_option_the_code_does_not_accept_is_caught():
    script = "python -m book full-run --keep-going --shard 1/4\n"
    [(module, args)] = project_commands(script)
    with pytest.raises(SystemExit):
        _parsers()[module]().parse_args(args)  # type: ignore[attr-defined]
    assert project_commands("python -m book merge a/ 2>&1 | tee x") == [("book", ["merge", "a/"])]
    assert Path(REPO_DIR / ".github" / "scripts" / "push-outputs.sh").is_file()
