"""``full-run``: every store checked before anything runs, a dead kernel fails only its own
snippet, a closing table, a summary file for ``merge``; and what each run records (the d2lref
modules it imported, what quick mode changed in each cell)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from book.cli import build_parser, main
from book.paths import REPO_DIR
from book.store.files import read_store, store_path
from book.store.maintenance import RUN_SUMMARY
from tests.book.helpers import write

# Each way a kernel dies, then a snippet that must still run after it.
DYING = {
    "a-exit": "import os\nos._exit(1)",
    "b-kill": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",  # as the OOM killer
    "c-segv": "import ctypes\nctypes.string_at(0)",
}
FINE = "# %% fine\nprint('still running')\n"


def full_run(snippets: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "book", "--snippets-dir", str(snippets), "full-run", *args],
        capture_output=True, text=True, cwd=REPO_DIR, timeout=300,
    )


def test_a_dead_kernel_fails_its_snippet_and_the_run_goes_on(tmp_path):
    snippets = tmp_path / "snippets"
    for name, code in DYING.items():
        write(snippets / "ch" / f"{name}.py", f"# %% before\nx = 1\n\n# %% die\n{code}\n")
    write(snippets / "ch" / "d-fine.py", FINE)
    store = tmp_path / "shard-outputs"
    result = full_run(snippets, "--mode", "quick", "--store", str(store))
    assert result.returncode == 1, result.stderr
    err = result.stderr
    for name, how in (("a-exit", "exited with status 1"), ("b-kill", "killed by SIGKILL"),
                      ("c-segv", "killed by SIGSEGV")):
        assert f"snippets/ch/{name}.py, cell 'die' failed" in err
        assert "the kernel died (out of memory?)" in err and how in err
    assert "Traceback" not in err and "DeadKernelError" not in err
    # The closing table names every snippet, its cells, seconds and status.
    table = err[err.index("snippet "):]
    assert "snippets/ch/a-exit.py" in table and "FAILED in cell 'die'" in table
    assert "snippets/ch/d-fine.py" in table and " ok" in table
    assert "1 of 4 snippets stored (quick mode), 3 FAILED" in table
    # The snippet after the dead kernels ran and was stored; the others stored nothing.
    fine = read_store(store_path(store, "ch/d-fine.py"))["runs"]["quick"]["cells"]["fine"]
    assert fine["outputs"] == [{"type": "stream", "name": "stdout", "text": "still running\n"}]
    assert not store_path(store, "ch/a-exit.py").exists()
    summary = json.loads((store / RUN_SUMMARY).read_text())
    assert summary["selected"] == ["ch/a-exit.py", "ch/b-kill.py", "ch/c-segv.py", "ch/d-fine.py"]
    assert [(r["status"], r.get("cell")) for r in summary["results"]] == [
        ("failed", "die"), ("failed", "die"), ("failed", "die"), ("ok", None)]


def test_every_store_is_checked_before_anything_runs(tmp_path, capsys):
    snippets = tmp_path / "snippets"
    marker = tmp_path / "ran"
    write(snippets / "ch" / "a-first.py", f"# %% touch\nopen({str(marker)!r}, 'w').close()\n")
    write(snippets / "ch" / "b-second.py", FINE)
    damaged = store_path(snippets, "ch/b-second.py")
    damaged.write_text("{not json")
    assert main(["--snippets-dir", str(snippets), "full-run", "--mode", "quick"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: nothing was run: 1 stores cannot be updated")
    assert f"{damaged} is not valid JSON" in err
    assert not marker.exists()  # the first snippet never started


def test_full_run_defaults_to_full_mode_and_shares_runs_options():
    parser = build_parser()
    args = parser.parse_args(["full-run", "--stale-only", "--shard", "2/4", "--store", "out"])
    assert (args.mode, args.stale_only, args.shard, args.store) == ("full", True, "2/4", "out")
    assert parser.parse_args(["run"]).mode == "quick"
    with pytest.raises(SystemExit):
        parser.parse_args(["full-run", "--keep-going"])  # never an option: it always goes on


RECORDING = """
# %% imports
from d2lref import torch as d2l
from d2lref import config

# %% device
print(d2l.try_gpu().type in ("cpu", "cuda", "mps"))

# %% capped
config.effective_epochs(10)

# %% not-capped
config.effective_epochs(1)
"""


def test_a_run_records_its_modules_and_what_quick_mode_changed(tmp_path):
    snippets = tmp_path / "snippets"
    write(snippets / "ch" / "rec.py", RECORDING)
    result = full_run(snippets, "--mode", "quick")
    assert result.returncode == 0, result.stderr
    run = read_store(store_path(snippets, "ch/rec.py"))["runs"]["quick"]
    modules = set(run["library_modules"])
    assert {"d2lref.torch", "d2lref.devices", "d2lref.config"} <= modules
    # The facade imports a module when a name of it is first used: none of these was.
    assert not modules & {"d2lref.viz", "d2lref.training.loops", "d2lref.plotting"}
    cells = run["cells"]
    assert cells["capped"]["quick_changes"] == [{"kind": "epochs", "ran": 2, "requested": 10}]
    assert cells["capped"]["outputs"] == [{"type": "text", "text": "2"}]  # the note is removed
    assert cells["not-capped"]["quick_changes"] == [] and cells["device"]["quick_changes"] == []
