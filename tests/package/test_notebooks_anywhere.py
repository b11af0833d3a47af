"""Downloaded notebooks run anywhere: a setup cell installs d2lref where it is missing."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import d2lref
from book.notebooks import (
    SETUP_CELL_TAG,
    build_notebook,
    setup_cell_source,
    write_notebooks,
)
from book.render.page import parse_page
from tests.package.fresh_env import REPO_DIR, Dists, base_requirements, make_fresh_env

NOTEBOOK_PAGE = "linear-networks/softmax-regression-concise.md"


def _page_notebook(relpath: str, lang: str = "en", repo_url: str | None = None):
    page_file = REPO_DIR / "docs" / lang / relpath
    page = parse_page(page_file.read_text(encoding="utf-8"), relpath, REPO_DIR)
    return build_notebook(page, REPO_DIR, lang, repo_url)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_notebook_starts_with_the_one_setup_cell(lang: str, tmp_path: Path):
    written = write_notebooks(REPO_DIR / "docs" / lang, REPO_DIR, lang, tmp_path)
    assert len(written) >= 30  # one per page with a snippet
    for path in written:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        setup = cells[0]
        assert setup["cell_type"] == "code" and setup["metadata"]["tags"] == [SETUP_CELL_TAG]
        assert "".join(setup["source"]) == setup_cell_source(d2lref.__version__)
        assert setup["outputs"] == [] and setup["execution_count"] is None
        others = ["".join(c["source"]) for c in cells[1:] if c["cell_type"] == "code"]
        assert others and not any("%pip" in source for source in others), path


def test_setup_cell_pins_the_books_version_and_offers_git_only_with_a_repo_url():
    plain = setup_cell_source("1.2.3")
    assert "%pip install -q d2lref==1.2.3" in plain
    assert "git+" not in plain and "http" not in plain  # no address while repo_url is unset
    fork = "https://github.com/reader/d2l-notes-fork"
    with_repo = _page_notebook(NOTEBOOK_PAGE, repo_url=fork).cells[0].source
    assert f'%pip install -q "git+{fork}"' in with_repo
    assert f"d2lref=={d2lref.__version__}" in with_repo
    assert all(len(line) <= 88 for line in with_repo.splitlines())


def _run_setup_cell(source: str, monkeypatch: pytest.MonkeyPatch, d2lref_missing: bool):
    """Run the cell as IPython would, recording the magics it asks for instead of running pip."""
    magics: list[tuple[str, str]] = []

    class Shell:
        def run_line_magic(self, name: str, line: str) -> None:
            magics.append((name, line))

    if d2lref_missing:
        monkeypatch.setitem(sys.modules, "d2lref", None)  # import d2lref raises ImportError
    code = TransformerManager().transform_cell(source)
    exec(compile(code, "setup-cell", "exec"), {"get_ipython": Shell})  # noqa: S102
    return magics


def test_setup_cell_installs_d2lref_only_when_it_is_missing(monkeypatch: pytest.MonkeyPatch):
    source = setup_cell_source(d2lref.__version__)
    assert _run_setup_cell(source, monkeypatch, d2lref_missing=False) == []
    assert _run_setup_cell(source, monkeypatch, d2lref_missing=True) == [
        ("pip", f"install -q d2lref=={d2lref.__version__}")
    ]


# Appended to the copied notebook: says where the kernel ran and which d2lref it used.
WHERE_CELL = "import sys, d2lref\nprint('where:', sys.prefix, d2lref.__file__)"

EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

notebook_path, executed_path = sys.argv[1], sys.argv[2]
notebook = nbformat.read(notebook_path, as_version=4)
client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                        resources={"metadata": {"path": "."}})
client.execute()
nbformat.write(notebook, executed_path)
"""


@pytest.mark.slow
def test_a_page_notebook_runs_in_an_empty_folder_with_only_the_wheel(
    dists: Dists, tmp_path: Path, fashion_mnist_root: Path
):
    # The kernel packages, and what the wheel needs; d2lref itself is not installed: the
    # notebook's setup cell installs it, from the built wheel (pip sees only local files).
    env = make_fresh_env(
        tmp_path / "venv", [*base_requirements(dists.wheel), "nbclient", "ipykernel"],
        dists.folder,
    )
    assert "No module named 'd2lref'" in env.run("-c", "import d2lref", cwd=tmp_path).stderr
    folder = tmp_path / "reader"
    folder.mkdir()
    notebook = _page_notebook(NOTEBOOK_PAGE)
    notebook.cells.append(nbformat.v4.new_code_cell(WHERE_CELL))
    nbformat.write(notebook, folder / "softmax-regression-concise.ipynb")
    (folder / "execute.py").write_text(EXECUTE, encoding="utf-8")

    result = env.run(
        "execute.py", "softmax-regression-concise.ipynb", "executed.ipynb", cwd=folder,
        extra_env={"D2LREF_DATA": os.fspath(fashion_mnist_root), "D2LREF_MODE": "quick"},
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-6000:]
    executed = nbformat.read(folder / "executed.ipynb", as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    texts = [o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs]
    where = next(t for t in texts if t.startswith("where:")).split()
    assert Path(where[1]) == env.root and Path(where[2]).is_relative_to(env.root)
    # The page's last training cell returns (train loss, test accuracy) of the quick run
    # (the exercise answers follow it).
    results = [
        o["data"]["text/plain"] for c in executed.cells
        if c.cell_type == "code" and not c.metadata.get("name", "").startswith("exercise-")
        for o in c.outputs if "text/plain" in o.get("data", {})
    ]
    match = re.fullmatch(r"\(([0-9.]+), ([0-9.]+)\)", results[-1])
    assert match, results[-1]
    train_loss, test_acc = float(match[1]), float(match[2])
    assert 0 < train_loss < 2.0 and 0.5 < test_acc <= 1.0
    assert any("quick mode: 2 of 10 epochs" in t for t in texts)
