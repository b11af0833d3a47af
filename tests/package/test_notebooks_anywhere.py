"""Downloaded notebooks run anywhere: the setup cell installs exactly the book's d2lref, or stops.

The slow tests serve a built site on 127.0.0.1 and use fresh environments outside the
repository: d2lref installs from the site's index by hash, a page's snippet and a page's
notebook run with it, and with the site unreachable (and a look-alike d2lref on the default
index) the notebook stops at its setup cell with the one command to run by hand.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

import d2lref
from book.addresses import BookAddresses
from book.notebooks import SETUP_CELL_TAG, build_notebook, write_notebooks
from book.notebooks_setup import setup_cell_source
from book.package_index import find_book_dists
from book.render.page import parse_page
from tests.package.fresh_env import REPO_DIR, Dists, FreshEnv, base_requirements, make_fresh_env
from tests.package.mini_book import build_mini_book
from tests.package.test_reader_install import PUBLISHED

NOTEBOOK_PAGE = "linear-networks/softmax-regression-concise.md"
FORK = "https://github.com/reader/d2l-notes-fork"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_notebook_starts_with_the_one_setup_cell(lang: str, tmp_path: Path):
    written = write_notebooks(REPO_DIR / "docs" / lang, REPO_DIR, lang, tmp_path, PUBLISHED)
    assert len(written) >= 30  # one per page with a snippet
    for path in written:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        setup = cells[0]
        assert setup["cell_type"] == "code" and setup["metadata"]["tags"] == [SETUP_CELL_TAG]
        assert "".join(setup["source"]) == setup_cell_source(lang, PUBLISHED)
        assert setup["outputs"] == [] and setup["execution_count"] is None
        others = ["".join(c["source"]) for c in cells[1:] if c["cell_type"] == "code"]
        assert others and not any("pip" in source for source in others), path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_setup_cell_speaks_the_notebooks_language_and_fits_88_columns(lang: str):
    for addresses in (BookAddresses(), BookAddresses(repo_url=FORK), PUBLISHED):
        source = setup_cell_source(lang, addresses)
        compile(source, "setup-cell", "exec")
        assert all(len(line) <= 88 for line in source.splitlines())
        comments = " ".join(line for line in source.splitlines() if line.startswith("#"))
        has_chinese = any("\u4e00" <= char <= "\u9fff" for char in comments)
        assert has_chinese == (lang == "zh"), comments
    site = setup_cell_source(lang, PUBLISHED)
    assert f'wheel_sha256="{"a" * 64}"' in site and 'site="https://reader.github.io/' in site
    assert '"--no-deps", "--require-hashes"' in site and '"--extra-index-url"' in site
    assert 'print(f"d2lref=={version} --hash=sha256:{wheel_sha256}", file=file)' in site


def _run_check(source: str, monkeypatch: pytest.MonkeyPatch, installed: str) -> None:
    """Run a checking setup cell as if d2lref ``installed`` were the installed version."""
    from importlib import metadata

    real = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: installed if name == "d2lref" else real(name)
    )
    exec(compile(source, "setup-cell", "exec"), {})  # noqa: S102


@pytest.mark.parametrize(
    ("addresses", "command"),
    [(BookAddresses(), "pip install -e ."), (BookAddresses(repo_url=FORK), f'"git+{FORK}"')],
    ids=["local", "repository"],
)
def test_without_a_site_the_cell_only_checks_and_names_the_command(
    addresses: BookAddresses, command: str, monkeypatch: pytest.MonkeyPatch
):
    source = setup_cell_source("en", addresses)
    assert "subprocess" not in source and "%pip" not in source
    _run_check(source, monkeypatch, d2lref.__version__)  # the book's version: nothing happens
    with pytest.raises(RuntimeError) as raised:
        _run_check(source, monkeypatch, "0.0.1")
    message = str(raised.value)
    assert "\n" not in message and message.endswith(command)
    assert f"needs d2lref {d2lref.__version__} (found: 0.0.1)" in message


# --- fresh environments against a served site (slow) ------------------------------------------

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        pass


@pytest.fixture
def served_book(dists: Dists, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The mini book built for, and served at, ``http://127.0.0.1:PORT/``; (address, site)."""
    site = tmp_path / "book" / "site"
    site.mkdir(parents=True)
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    build_mini_book(tmp_path / "book", FORK, address, dists.folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield address, site
    finally:
        server.shutdown()
        server.server_close()


def _reader_env(
    root: Path, dists: Dists, index_url: str, extra: tuple[str, ...] = ()
) -> FreshEnv:
    """A fresh environment without d2lref whose pip reaches only ``index_url`` (a local
    address): d2lref's dependencies are already there, as in Colab."""
    env = make_fresh_env(root, [*base_requirements(dists.wheel), *extra], dists.folder)
    for name in ("PIP_NO_INDEX", "PIP_FIND_LINKS"):
        env.env.pop(name)
    env.env.update(PIP_INDEX_URL=index_url, PIP_RETRIES="0", PIP_TIMEOUT="10")
    return env


def _closed_port_url() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/"


@pytest.mark.slow
def test_a_fresh_env_installs_d2lref_from_the_sites_index_and_runs_a_snippet(
    served_book: tuple[str, Path], dists: Dists, tmp_path: Path, real_data: Path
):
    address, _ = served_book
    env = _reader_env(tmp_path / "venv", dists, _closed_port_url())
    reader = tmp_path / "reader"
    reader.mkdir()
    installed = env.run("-m", "pip", "install", "--index-url", f"{address}simple/",
                        f"d2lref=={d2lref.__version__}", cwd=reader)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    where = env.run("-c", "import d2lref; print(d2lref.__file__)", cwd=reader)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout + where.stderr
    snippet = REPO_DIR / "snippets" / "linear-networks" / "linear-regression-concise.py"
    ran = env.run(str(snippet), cwd=reader, extra_env={
        "D2LREF_DATA": str(real_data), "D2LREF_MODE": "quick",
        "D2LREF_FIGURE_DIR": str(tmp_path / "figures")})
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-4000:]
    assert "error in estimating w" in ran.stdout


EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

notebook = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                        resources={"metadata": {"path": "."}})
try:
    client.execute()
finally:
    nbformat.write(notebook, sys.argv[2])
"""


def _execute(env: FreshEnv, notebook: Path, folder: Path, data: Path):
    (folder / "execute.py").write_text(EXECUTE, encoding="utf-8")
    result = env.run("execute.py", str(notebook), "executed.ipynb", cwd=folder, extra_env={
        "D2LREF_DATA": os.fspath(data), "D2LREF_MODE": "quick"})
    return result, nbformat.read(folder / "executed.ipynb", as_version=4)


@pytest.mark.slow
def test_a_downloaded_notebook_installs_the_books_wheel_and_runs_top_to_bottom(
    served_book: tuple[str, Path], dists: Dists, tmp_path: Path, fashion_mnist_root: Path
):
    address, _ = served_book
    env = _reader_env(tmp_path / "venv", dists, _closed_port_url(), ("nbclient", "ipykernel"))
    folder = tmp_path / "downloads"
    folder.mkdir()
    notebook = folder / "softmax-regression-concise.ipynb"
    with urllib.request.urlopen(f"{address}en/notebooks/{NOTEBOOK_PAGE[:-3]}.ipynb") as answer:
        notebook.write_bytes(answer.read())
    result, executed = _execute(env, notebook, folder, fashion_mnist_root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-6000:]
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert all("execution" in c.metadata for c in executed.cells if c.cell_type == "code")
    where = env.run("-c", "import d2lref; print(d2lref.__file__)", cwd=folder)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout + where.stderr


def _look_alike_index(root: Path, dists: Dists) -> str:
    """A default index serving another d2lref with the book's version (a squatter's)."""
    (root / "d2lref").mkdir(parents=True)
    wheel = root / "d2lref" / dists.wheel.name
    with zipfile.ZipFile(dists.wheel) as source, zipfile.ZipFile(wheel, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            copy.writestr(item, b"raise SystemExit('not the book')\n"
                          if item.filename == "d2lref/__init__.py" else data)
    (root / "d2lref" / "index.html").write_text(
        f'<a href="{wheel.name}">{wheel.name}</a>', encoding="utf-8")
    return root.as_uri() + "/"


@pytest.mark.slow
def test_with_the_site_unreachable_the_notebook_stops_at_the_setup_cell(
    dists: Dists, tmp_path: Path, fashion_mnist_root: Path
):
    unreachable = _closed_port_url()
    env = _reader_env(tmp_path / "venv", dists, _look_alike_index(tmp_path / "index", dists),
                      ("nbclient", "ipykernel"))
    page = parse_page((REPO_DIR / "docs/zh" / NOTEBOOK_PAGE).read_text("utf-8"),
                      NOTEBOOK_PAGE, REPO_DIR)
    book_dists = find_book_dists(dists.folder, REPO_DIR / "d2lref")
    addresses = BookAddresses(unreachable, unreachable, FORK, book_dists)
    folder = tmp_path / "downloads"
    folder.mkdir()
    nbformat.write(build_notebook(page, REPO_DIR, "zh", addresses), folder / "page.ipynb")
    result, executed = _execute(env, folder / "page.ipynb", folder, fashion_mnist_root)
    assert result.returncode != 0 and "CellExecutionError" in result.stderr
    setup, *rest = [c for c in executed.cells if c.cell_type == "code"]
    errors = [o for o in setup.outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["RuntimeError"]
    wheel = f"{unreachable}dist/{dists.wheel.name}#sha256={book_dists.wheel.sha256}"
    assert errors[0].evalue.endswith(f'然后重启内核：pip install "d2lref @ {wheel}"')
    assert "\n" not in errors[0].evalue
    printed = "".join(o.text for o in setup.outputs if o.output_type == "stream")
    assert "DO NOT MATCH THE HASHES" in printed  # the look-alike was refused
    # Run All stopped there: nbclient records the timing of every cell it executes.
    assert "execution" in setup.metadata and not [c for c in rest if "execution" in c.metadata]
    assert "No module named 'd2lref'" in env.run("-c", "import d2lref", cwd=folder).stderr
