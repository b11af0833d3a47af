"""The runner executes snippets in a real Jupyter kernel and stores outputs atomically."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from book.cells import load_snippet
from book.paths import REPO_DIR
from book.runner import RunOptions, SnippetRunError, run_snippets
from book.store.files import read_store, store_path
from tests.book.helpers import DEMO_SNIPPET, write


@pytest.fixture(scope="module")
def ran_book(tmp_path_factory) -> Path:
    """The tiny book, run once in quick mode (a kernel start costs seconds)."""
    root = tmp_path_factory.mktemp("ran")
    write(root / "snippets" / "demo" / "page.py", DEMO_SNIPPET)
    run_snippets(
        [root / "snippets" / "demo" / "page.py"], root / "snippets",
        RunOptions(mode="quick", timeout_s=120), log=lambda _: None,
    )
    return root


def test_each_cell_stores_its_outputs_and_timing(ran_book):
    data = read_store(store_path(ran_book / "snippets", "demo/page.py"))
    run = data["runs"]["quick"]
    cells = run["cells"]
    assert set(cells) == {"setup", "show-html", "total"}
    assert cells["setup"]["outputs"] == []
    assert cells["show-html"]["outputs"] == [
        {"type": "stream", "name": "stdout", "text": "<b>x</b> & <script>alert(1)</script>\n"}
    ]
    assert cells["total"]["outputs"] == [{"type": "text", "text": "6"}]
    for record in cells.values():
        assert record["execution_count"] >= 1
        assert record["duration_s"] > 0


def test_run_records_provenance(ran_book):
    run = read_store(store_path(ran_book / "snippets", "demo/page.py"))["runs"]["quick"]
    assert run["mode"] == "quick"
    assert run["device"] == "cpu" or run["device"].startswith(("cuda", "mps"))
    assert run["device_name"]
    assert run["torch"][0].isdigit()
    assert run["date"].startswith("20")
    assert run["duration_s"] > 0
    # The kernel's set-up imports d2lref.config; the snippet itself imports no d2lref module.
    assert run["library_modules"].keys() == {"d2lref", "d2lref._kernel", "d2lref.config"}
    assert all(len(digest) == 16 for digest in run["library_modules"].values())
    for record in run["cells"].values():
        assert len(record["code_key"]) == 64 and record["code_key"] != record["key"]
        assert record["quick_changes"] == []  # quick mode changed nothing in these cells


def test_failing_cell_names_snippet_cell_and_traceback(tmp_path):
    snippet = write(
        tmp_path / "snippets" / "ch" / "broken.py",
        """
        # %% fine
        x = 1

        # %% explode
        def inner():
            raise ValueError("boom in the kernel")
        inner()

        # %% never
        y = 2
        """,
    )
    with pytest.raises(SnippetRunError) as info:
        run_snippets([snippet], tmp_path / "snippets", RunOptions(timeout_s=120),
                     log=lambda _: None)
    err = info.value
    assert err.snippet == "ch/broken.py"
    assert err.cell == "explode"
    assert "ValueError" in err.traceback and "boom in the kernel" in err.traceback
    assert "inner()" in err.traceback
    assert "snippets/ch/broken.py, cell 'explode' failed" in str(err)
    # A failed run stores nothing.
    assert not store_path(tmp_path / "snippets", "ch/broken.py").exists()


def test_killed_run_leaves_the_previous_outputs_intact(ran_book, tmp_path):
    snippets = tmp_path / "snippets"
    write(
        snippets / "demo" / "page.py",
        """
        # %% setup
        values = [1, 2, 3]

        # %% slow
        import time
        time.sleep(60)
        """,
    )
    target = store_path(snippets, "demo/page.py")
    previous = store_path(ran_book / "snippets", "demo/page.py").read_bytes()
    target.write_bytes(previous)

    process = subprocess.Popen(
        [sys.executable, "-m", "book", "--snippets-dir", str(snippets), "run",
         str(snippets / "demo" / "page.py"), "--mode", "quick"],
        stderr=subprocess.PIPE, text=True, cwd=REPO_DIR, start_new_session=True,
    )
    try:
        for line in process.stderr:  # wait until the first cell has finished
            if "setup" in line:
                break
        time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert target.read_bytes() == previous
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.outputs.json", "page.py"]


def test_cli_reports_failure_with_exit_code(tmp_path):
    write(tmp_path / "snippets" / "ch" / "bad.py", "# %% oops\n1 / 0\n")
    result = subprocess.run(
        [sys.executable, "-m", "book", "--snippets-dir", str(tmp_path / "snippets"),
         "run", "--mode", "quick"],
        capture_output=True, text=True, cwd=REPO_DIR, timeout=180,
    )
    assert result.returncode == 1
    assert "snippets/ch/bad.py, cell 'oops' failed" in result.stderr
    assert "ZeroDivisionError" in result.stderr


def test_snippet_sees_the_mode_and_data_root(tmp_path):
    snippet = write(
        tmp_path / "snippets" / "ch" / "env.py",
        """
        # %% env
        import os
        print(os.environ["D2LREF_MODE"], os.path.basename(os.environ["D2LREF_DATA"]))
        """,
    )
    data = tmp_path / "my-data"
    data.mkdir()
    run_snippets([snippet], tmp_path / "snippets",
                 RunOptions(mode="full", data_root=str(data), timeout_s=120), log=lambda _: None)
    stored = json.loads(store_path(tmp_path / "snippets", "ch/env.py").read_text())
    assert stored["runs"]["full"]["cells"]["env"]["outputs"][0]["text"] == "full my-data\n"
    assert load_snippet(snippet, tmp_path / "snippets").names == ["env"]
