"""The GPU and Pages workflows, rehearsed: their jobs' ``run:`` steps run in order, on a copy
of the repository holding a tiny book, with a local bare repository as ``origin``.

``gpu.yml`` runs its two shards in quick mode (one snippet is stale, so one shard has
nothing to run), merges what they stored and pushes it, while the default branch moves
under it; ``pages.yml`` then publishes that commit after the GPU run, and nothing for a
failed GPU run, another branch or another event. Only ``uses:`` steps are stood in for
(``tests/repo/workflow_runner.py``), and the commands Pages' build calls: ``make site`` (with
its PDFs) builds the real site elsewhere in the suite (the ``built_site`` fixture), so here it
only checks, as the strict build does, that every output is fresh, and writes a page naming
the commit it built; ``make dist`` builds the wheel with ``python -m build``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from book.cells import load_snippet
from book.store.files import store_path, write_store
from book.store.keys import code_keys, combined_keys
from book.store.library import imported_modules_record, module_digests, modules_digest
from book.store.schema import seal_record
from tests.paths import REPO_DIR
from tests.repo.workflow_runner import JobRun, Rehearsal

# What the rehearsal repository copies from this checkout: the project, without pages.
COPIED = ("book", "d2lref", ".github", "Makefile", "pyproject.toml", "requirements")
SNIPPETS = {
    "demo/a.py": "# %% hello\nprint('a')\n",
    "demo/b.py": "# %% hello\nprint('b')\n",
    # The stale one: new, never run. It uses the library, as a page does.
    "demo/c.py": ("# %% device\nfrom d2lref import torch as d2l\n\n"
                  "print(d2l.try_gpu().type in ('cpu', 'cuda', 'mps'))\n"),
}
STALE = "snippets/demo/c.outputs.json"
FRESH_STORES = ("demo/a.py", "demo/b.py")

# `make dist`, `make site` / `make pdf` in Pages' build job: the wheel; the strict build's check
# (every cell has a fresh output), then a page naming the commit and the outputs it was
# built from, and the PDFs.
MAKE_STAND_IN = r'''#!/usr/bin/env python3
"""Stand-in for `make dist`, `make site` and `make pdf` in the workflow rehearsal."""
import hashlib, json, pathlib, subprocess, sys

target = sys.argv[1] if len(sys.argv) > 1 else ""
site = pathlib.Path("site")
if target == "site":
    from book.cells import find_snippets, load_snippet
    from book.store.files import store_path
    from book.store.publishing import published_outputs

    snippets = pathlib.Path("snippets")
    problems = [f"{path}: {name} {output.status}"
                for path in find_snippets(snippets, None)
                for name, output in published_outputs(
                    load_snippet(path, snippets),
                    store_path(snippets, load_snippet(path, snippets).relpath)).items()
                if output.status != "ok"]
    if problems:
        sys.exit("strict build: " + "; ".join(problems))
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    stores = {p.as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(snippets.rglob("*.outputs.json"))}
    (site / "en").mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(json.dumps({"commit": head, "stores": stores}))
    for lang in ("zh", "en"):
        notebook = pathlib.Path("docs", lang, "notebooks", "demo", "a.ipynb")
        notebook.parent.mkdir(parents=True, exist_ok=True)
        notebook.write_text(json.dumps({"built_from": head, "lang": lang}))
if target in ("site", "pdf"):
    for pdf in (site / "d2l-notes.pdf", site / "en" / "d2l-notes.pdf"):
        pdf.write_bytes(b"%PDF-1.7 rehearsal")
elif target == "dist":
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir",
                    "dist", "."], check=True, capture_output=True)
else:
    sys.exit(f"the rehearsal stands in for `make dist`, `make site` and `make pdf` only, "
             f"not `make {target}`")
'''
SUDO_STAND_IN = "#!/bin/sh\necho \"rehearsal: not run: sudo $*\"\n"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def fresh_quick_store(repo: Path, relpath: str) -> None:
    """The store a quick run of a snippet that prints its name writes (keys as the runner
    makes them: the kernel's set-up imports d2lref.config)."""
    snippets = repo / "snippets"
    snippet = load_snippet(snippets / relpath, snippets)
    digests = module_digests(repo / "d2lref")
    modules = ["d2lref", "d2lref._kernel", "d2lref.config"]
    code = code_keys(snippet, repo)
    keys = combined_keys(code, modules_digest(modules, digests))
    cells = {name: seal_record({
        "key": keys[name], "code_key": code[name], "execution_count": 2, "duration_s": 0.01,
        "quick_changes": [], "outputs": [{"type": "stream", "name": "stdout",
                                          "text": Path(relpath).stem + "\n"}]})
        for name in keys}
    run = {"mode": "quick", "date": "2026-12-01T00:00:00+00:00", "commit": None,
           "duration_s": 1.0, "device": "cpu", "device_name": "CPU", "torch": "2",
           "library_modules": imported_modules_record(modules, digests), "cells": cells}
    write_store(store_path(snippets, relpath), {"snippet": relpath, "runs": {"quick": run}})


def environment(tmp_path: Path) -> dict[str, str]:
    """A runner's environment: this test's Python on PATH, the stand-ins before it."""
    shims = tmp_path / "shims"
    shims.mkdir()
    for name, text in (("make", MAKE_STAND_IN), ("sudo", SUDO_STAND_IN)):
        (shims / name).write_text(text)
        (shims / name).chmod(stat.S_IRWXU)
    home = tmp_path / "home"
    home.mkdir()
    path = os.pathsep.join([str(shims), str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    keep = ("D2LREF_OFFLINE", "OMP_NUM_THREADS", "LANG", "TMPDIR")
    return dict({key: os.environ[key] for key in keep if key in os.environ},
                PATH=path, HOME=str(home), GIT_CONFIG_NOSYSTEM="1", PUSH_BACKOFF_S="0",
                PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg",
                # Nothing downloads in a test: an install step fails at once.
                PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")


@pytest.fixture
def rehearsal(tmp_path: Path) -> Rehearsal:
    seed = tmp_path / "seed"
    seed.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    for name in COPIED:
        source = REPO_DIR / name
        if source.is_dir():
            shutil.copytree(source, seed / name, ignore=ignore)
        else:
            shutil.copy2(source, seed / name)
    (seed / "README.md").write_text("A tiny book for the workflow rehearsal.\n")
    for relpath, text in SNIPPETS.items():
        (seed / "snippets" / relpath).parent.mkdir(parents=True, exist_ok=True)
        (seed / "snippets" / relpath).write_text(text)
    for relpath in FRESH_STORES:
        fresh_quick_store(seed, relpath)
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", ".")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q",
        "-m", "a tiny book")
    git(seed, "push", "-q", str(origin), "main", "main:feature")
    return Rehearsal(origin, tmp_path / "runs", environment(tmp_path))


def move_main(origin: Path, clone: Path) -> str:
    """Another commit lands on main while the GPU run works; its id."""
    git(clone.parent, "clone", "-q", str(origin), str(clone))
    (clone / "README.md").write_text("Edited while the GPU run worked.\n")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam",
        "edit the README")
    git(clone, "push", "-q", "origin", "main")
    return git(clone, "rev-parse", "HEAD").strip()


REPOSITORY = {"default_branch": "main", "full_name": "owner/book"}


def workflow_run_event(conclusion: str, branch: str = "main") -> dict:
    return {"action": "completed", "repository": REPOSITORY, "workflow_run": {
        "name": "Full run on GPU", "conclusion": conclusion, "head_branch": branch,
        "event": "workflow_dispatch", "head_repository": {"full_name": "owner/book"}}}


def report(run: JobRun) -> str:
    """Each step of a job run, its outcome and the end of its output."""
    return f"job {run.job} {run.matrix}: " + "".join(
        f"\n--- {step.name}: {step.outcome}\n{step.output[-1500:]}" for step in run.steps)


def test_gpu_run_pushes_only_fresh_outputs_and_pages_publishes_them(rehearsal, tmp_path):
    origin = rehearsal.origin
    rehearsal.matrix_override = {"run": {"shard": [1, 2]}}
    moved: list[str] = []
    rehearsal.hooks["Commit and push the outputs"] = (
        lambda _: moved.append(move_main(origin, tmp_path / "other")))
    gpu = rehearsal.run("gpu.yml", "workflow_dispatch",
                        {"inputs": {"mode": "quick"}, "repository": REPOSITORY})
    assert gpu is not None
    shards = {run.matrix["shard"]: run for run in gpu.jobs["run"]}
    for run in [*shards.values(), *gpu.jobs["merge"]]:
        assert run.result == "success", report(run)
    assert "shard 1/2: 1 snippets" in shards[1].step("Full run of one shard").output
    assert "shard 2/2: 0 snippets" in shards[2].step("Full run of one shard").output
    merge = gpu.jobs["merge"][0]
    merged = merge.step("Merge the shards' outputs").output
    assert "skipped" in merged and "its run had nothing to run" in merged
    pushed = merge.step("Commit and push the outputs").output
    assert "pushed the outputs (attempt 2)" in pushed  # main moved: rebased, pushed again

    # The pushed commit sits on the moved main and holds the fresh outputs, nothing else.
    head = git(origin, "rev-parse", "main").strip()
    assert git(origin, "rev-parse", "main^").strip() == moved[0]
    assert git(origin, "diff", "--name-only", "main^", "main").split() == [STALE]
    check = tmp_path / "check"
    git(tmp_path, "clone", "-q", str(origin), str(check))
    status = subprocess.run([sys.executable, "-m", "book", "status", "--json"], cwd=check,
                            env=dict(rehearsal.base_env, PYTHONPATH=str(check)),
                            capture_output=True, text=True, check=True)
    fresh = json.loads(status.stdout)
    assert all(counts["quick"]["stale"] == counts["quick"]["missing"] == 0
               for counts in fresh.values()), fresh
    stored = json.loads((check / STALE).read_text())["runs"]["quick"]
    assert stored["cells"]["device"]["outputs"][0]["text"] == "True\n"
    assert "d2lref.devices" in stored["library_modules"]

    # Pages, after that GPU run: the default branch's head is built and deployed.
    pages = rehearsal.run("pages.yml", "workflow_run", workflow_run_event("success"))
    assert pages is not None
    build = pages.jobs["build"][0]
    assert build.result == "success", report(build)
    assert pages.result("deploy") == "success" and pages.result("notebooks") == "success"
    deployed = json.loads((rehearsal.deployed / "index.html").read_text())
    assert deployed["commit"] == head and STALE in deployed["stores"]
    assert json.loads(git(origin, "show", "notebooks:zh/demo/a.ipynb"))["built_from"] == head


def test_pages_and_the_gpu_run_reach_only_the_default_branch(rehearsal):
    before = git(rehearsal.origin, "for-each-ref").splitlines()
    for event in (workflow_run_event("failure"), workflow_run_event("success", "feature")):
        pages = rehearsal.run("pages.yml", "workflow_run", event)
        assert pages is not None
        assert {job: pages.result(job) for job in pages.jobs} == {
            "build": "skipped", "deploy": "skipped", "notebooks": "skipped"}
    dispatched = rehearsal.run("pages.yml", "workflow_dispatch", {"repository": REPOSITORY},
                               ref="refs/heads/feature")
    assert dispatched is not None and dispatched.result("build") == "skipped"
    assert rehearsal.run("pages.yml", "push", {"repository": REPOSITORY},
                         ref="refs/heads/feature") is None
    gpu = rehearsal.run("gpu.yml", "workflow_dispatch",
                        {"inputs": {"mode": "quick"}, "repository": REPOSITORY},
                        ref="refs/heads/feature")
    assert gpu is not None
    assert {job: gpu.result(job) for job in gpu.jobs} == {"run": "skipped", "merge": "skipped"}
    assert rehearsal.run("gpu.yml", "pull_request", {"repository": REPOSITORY}) is None
    assert not rehearsal.deployed.exists()
    assert git(rehearsal.origin, "for-each-ref").splitlines() == before
