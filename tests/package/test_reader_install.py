"""The published book knows its addresses and serves the d2lref it was built with.

A build given ``repo_url`` and ``site_url`` (as the Pages workflow gives them) shows the real
repository link, Colab links, install commands and notebook links, and serves the wheel and
sdist with a PEP 503 index; a build without them shows none of these.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import d2lref
from book.addresses import BookAddresses, book_addresses, expand_install_directives
from book.notebooks import write_notebooks
from book.notebooks_links import notebook_link
from book.package_index import (
    BookDist,
    BookDists,
    PackageIndexError,
    find_book_dists,
    publish_dists,
    sha256_of,
)
from tests.package.fresh_env import Dists
from tests.package.mini_book import MiniBook, build_mini_book
from tests.paths import REPO_DIR

REPO = "https://github.com/reader/d2l-notes"
SITE = "https://reader.github.io/d2l-notes/"
LENET = "convolutional-neural-networks/lenet.md"
FAKE_DISTS = BookDists(
    d2lref.__version__,
    BookDist(Path(f"d2lref-{d2lref.__version__}-py3-none-any.whl"), "a" * 64),
    BookDist(Path(f"d2lref-{d2lref.__version__}.tar.gz"), "b" * 64),
)
PUBLISHED = BookAddresses(SITE, SITE, REPO, FAKE_DISTS)


def _config(lang: str, site_url: str | None, repo_url: str | None = None) -> dict:
    return {
        "site_url": site_url, "repo_url": repo_url, "theme": {"language": lang},
        "extra": {"i18n": [{"lang": "zh", "root": ""}, {"lang": "en", "root": "en/"}]},
    }


# --- addresses -------------------------------------------------------------------------------

def test_a_local_build_has_no_addresses_and_needs_no_dists(tmp_path: Path):
    addresses = book_addresses(_config("en", None), tmp_path)  # tmp_path holds no dist/
    assert addresses == BookAddresses()
    assert addresses.page_url("index.md") is None and addresses.wheel_command() is None
    assert addresses.by_hand() == "pip install -e ."


@pytest.mark.parametrize("given", [SITE, SITE.rstrip("/"), SITE + "en/"])
def test_the_english_build_lives_under_en_of_the_site_root(given: str, dists: Dists,
                                                           tmp_path: Path):
    shutil.copytree(dists.folder, tmp_path / "dist")
    shutil.copytree(REPO_DIR / "d2lref", tmp_path / "d2lref")
    english = book_addresses(_config("en", given, REPO + "/"), tmp_path)
    assert (english.site_url, english.site_root, english.repo_url) == (SITE + "en/", SITE, REPO)
    assert english.page_url("index.md") == SITE + "en/"
    assert english.page_url("preliminaries/index.md") == SITE + "en/preliminaries/"
    assert english.page_url(LENET) == SITE + "en/convolutional-neural-networks/lenet/"
    assert english.dists is not None and english.dists.wheel.sha256 == sha256_of(dists.wheel)
    wheel = f"{SITE}dist/{dists.wheel.name}#sha256={english.dists.wheel.sha256}"
    assert english.wheel_command() == f'pip install "d2lref @ {wheel}"' == english.by_hand()
    assert english.index_url == SITE + "simple/"
    if given != SITE + "en/":
        assert book_addresses(_config("zh", given), tmp_path).site_url == SITE


def test_a_site_without_the_books_dists_stops_the_build(tmp_path: Path):
    with pytest.raises(PackageIndexError, match=r"exactly one wheel.*holds: nothing.*make dist"):
        book_addresses(_config("zh", SITE), tmp_path)


# --- the served files ------------------------------------------------------------------------

def _edited_wheel(wheel: Path, target: Path) -> None:
    """A copy of ``wheel`` whose d2lref/torch.py has one more line."""
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            edited = item.filename == "d2lref/torch.py"
            copy.writestr(item, data + b"# edited\n" if edited else data)


def test_a_wheel_built_from_other_sources_is_refused(dists: Dists, tmp_path: Path):
    found = find_book_dists(dists.folder, REPO_DIR / "d2lref")
    assert found.wheel.path == dists.wheel and found.sdist.path == dists.sdist
    stale = tmp_path / "dist"
    stale.mkdir()
    shutil.copyfile(dists.sdist, stale / dists.sdist.name)
    _edited_wheel(dists.wheel, stale / dists.wheel.name)
    with pytest.raises(PackageIndexError, match=r"another d2lref .*differs: d2lref/torch\.py"):
        find_book_dists(stale, REPO_DIR / "d2lref")
    shutil.copyfile(dists.wheel, stale / dists.wheel.name)
    (stale / dists.sdist.name).unlink()
    with pytest.raises(PackageIndexError, match=rf"one sdist of d2lref {d2lref.__version__} "):
        find_book_dists(stale, REPO_DIR / "d2lref")


def test_the_simple_index_links_each_file_with_its_sha256(dists: Dists, tmp_path: Path):
    found = find_book_dists(dists.folder, REPO_DIR / "d2lref")
    publish_dists(found, tmp_path)
    root = (tmp_path / "simple" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a href="([^"]+)">d2lref</a>', root) == ["d2lref/"]
    project = (tmp_path / "simple" / "d2lref" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"#]+)#sha256=([0-9a-f]{64})">([^<]+)</a>', project)
    assert sorted(name for _, _, name in links) == sorted([dists.wheel.name, dists.sdist.name])
    for href, digest, name in links:
        served = (tmp_path / "simple" / "d2lref" / href).resolve()
        assert served == (tmp_path / "dist" / name).resolve()
        assert sha256_of(served) == digest == sha256_of(dists.folder / name)


# --- pages and notebooks ---------------------------------------------------------------------

def test_install_directives_keep_their_indentation_and_follow_the_addresses():
    page = "- Install:\n\n    !install-d2lref\n\n!clone-book\n"
    local = expand_install_directives(page, BookAddresses(), "en")
    assert "    ```console\n    pip install -e .\n    ```" in local
    assert "git clone <this book's repository address> d2l-notes" in local
    assert "git+" not in local and "http" not in local and "!install" not in local
    published = expand_install_directives(page, PUBLISHED, "zh")
    assert f'    pip install "d2lref @ {SITE}dist/' in published
    assert f'    pip install "git+{REPO}"' in published
    assert f"git clone {REPO} d2l-notes" in published
    assert "从本书网站安装" in published and "pip install -e .\n    ```" not in published


def test_notebook_links_lead_to_pages_or_sibling_notebooks_never_to_md_files():
    target = "../deep-learning-computation/use-gpu.md#transfer-cost"
    assert notebook_link(target, LENET, BookAddresses(), REPO_DIR) == (
        "../deep-learning-computation/use-gpu.ipynb#transfer-cost"
    )
    assert notebook_link(target, LENET, PUBLISHED, REPO_DIR) == (
        SITE + "deep-learning-computation/use-gpu/#transfer-cost"
    )
    # A page without a notebook: plain text locally, the page once published.
    assert notebook_link("../glossary.md", LENET, BookAddresses(), REPO_DIR) is None
    assert notebook_link("../glossary.md", LENET, PUBLISHED, REPO_DIR) == SITE + "glossary/"
    for kept in ("#training", "https://example.org/a.md", "figure.svg"):
        assert notebook_link(kept, LENET, PUBLISHED, REPO_DIR) == kept


MD_LINK = re.compile(r"\]\((?![a-z]+:)[^)\s]*\.md(?:#[^)]*)?\)")


@pytest.mark.parametrize("addresses", [BookAddresses(), PUBLISHED], ids=["local", "published"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_notebook_links_to_a_md_file(lang: str, addresses: BookAddresses, tmp_path: Path):
    written = write_notebooks(REPO_DIR / "docs" / lang, REPO_DIR, lang, tmp_path, addresses)
    links = 0
    for path in written:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert not MD_LINK.search(text), (path.name, MD_LINK.findall(text))
        assert "!install-d2lref" not in text and "!clone-book" not in text
        links += len(re.findall(r"\]\((?:https://reader|\.\./|[a-z-]+\.ipynb)", text))
    assert links >= 12  # the pages' cross-links are all there, rewritten


# --- the built site, with and without the two settings ---------------------------------------

@pytest.fixture(scope="module")
def published(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> MiniBook:
    """The mini book built as the Pages workflow builds the book, with the wheel and sdist
    built by the test run (``make dist``'s dist/ in the workflow)."""
    return build_mini_book(tmp_path_factory.mktemp("published"), REPO, SITE, dists.folder)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> MiniBook:
    return build_mini_book(tmp_path_factory.mktemp("local"))


def _text(page: str) -> str:
    """A page's text as a reader sees it: no tags (code is split into highlighted spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _setup_source(book: MiniBook, lang: str, relpath: str) -> str:
    notebook = json.loads(book.notebook(lang, relpath).read_text(encoding="utf-8"))
    return "".join(notebook["cells"][0]["source"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_published_build_shows_real_addresses_everywhere(
    published: MiniBook, dists: Dists, lang: str
):
    here = SITE + ("en/" if lang == "en" else "")
    sha = sha256_of(dists.wheel)
    wheel = f"{SITE}dist/d2lref-{d2lref.__version__}-py3-none-any.whl#sha256={sha}"
    home, install = published.page(lang, "index.md"), published.page(lang, "installation/index.md")
    lenet = published.page(lang, LENET)
    for page in (home, install, lenet):
        # The header links to the repository, and fetches nothing from the code host's API.
        assert f'href="{REPO}" title=' in page and 'class="md-source">' in page
        assert 'data-md-component="source"' not in page
    for page, relpath in ((install, "installation/index.md"), (lenet, LENET)):
        colab = f"https://colab.research.google.com/github/reader/d2l-notes/blob/notebooks/{lang}/"
        assert f'href="{colab}{relpath[:-3]}.ipynb"' in page
        assert f'<link rel="canonical" href="{here}{relpath.removesuffix("index.md")[:-3]}' in (
            page.replace("/index.md", "")
        )
    for page in (home, install):
        assert f'pip install "d2lref @ {wheel}"' in _text(page)
        assert f'pip install "git+{REPO}"' in _text(page)
    assert f"git clone {REPO} d2l-notes" in _text(install)
    setup = _setup_source(published, lang, LENET)
    assert f'wheel_sha256="{sha}"' in setup and f'site="{SITE}"' in setup
    lenet_notebook = published.notebook(lang, LENET).read_text(encoding="utf-8")
    assert f"]({here}deep-learning-computation/use-gpu/#transfer-cost)" in lenet_notebook
    served = {p.name: sha256_of(p) for p in (published.site / "dist").iterdir()}
    assert served[wheel.split("/")[-1].split("#")[0]] == sha
    assert (published.site / "simple" / "d2lref" / "index.html").is_file()
    assert not (published.site / "en" / "dist").exists()  # served once, at the root


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_build_without_the_settings_shows_no_address(local: MiniBook, lang: str):
    for relpath in ("index.md", "installation/index.md", LENET):
        page = local.page(lang, relpath)
        assert "md-source" not in page and "d2l-colab-link" not in page
        assert "reader/d2l-notes" not in page and "git+" not in page
        assert 'rel="canonical"' not in page
        assert "colab" not in page and "/dist/" not in page and "/simple/" not in page
    install = _text(local.page(lang, "installation/index.md"))
    assert "pip install -e ." in install and "!install-d2lref" not in install
    setup = _setup_source(local, lang, LENET)
    assert "_check_d2lref(" in setup and "http" not in setup and "pip install -e ." in setup
    lenet_notebook = local.notebook(lang, LENET).read_text(encoding="utf-8")
    assert "](../deep-learning-computation/use-gpu.ipynb#transfer-cost)" in lenet_notebook
    assert not (local.site / "dist").exists() and not (local.site / "simple").exists()


# --- workflows and descriptions --------------------------------------------------------------

def _workflow(name: str) -> dict:
    data = yaml.safe_load((REPO_DIR / ".github" / "workflows" / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_the_pages_build_gives_the_site_its_two_addresses_and_the_dists():
    steps = _workflow("pages.yml")["jobs"]["build"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    pages = next(step for step in steps if step.get("uses", "").startswith("actions/configure"))
    assert pages["uses"] == "actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b"
    site = "make site PDF_ARGS=--require"  # the PDFs too: a browser that cannot start fails
    build = next(step for step in steps if step.get("run") == site)
    assert build["env"] == {
        "BOOK_REPO_URL": "${{ github.server_url }}/${{ github.repository }}",
        "BOOK_SITE_URL": f"${{{{ steps.{pages['id']}.outputs.base_url }}}}",
        "CHROMIUM": "/usr/bin/google-chrome",
    }
    runs = [step.get("run") for step in steps]
    assert runs.index("make dist") < runs.index(site)
    assert uses.index(pages["uses"]) < runs.index(site)
    assert steps[0]["with"]["fetch-depth"] == 0  # make dist dates files by the package's commit
    text = (REPO_DIR / "mkdocs.yml").read_text(encoding="utf-8")
    assert "repo_url: !ENV [BOOK_REPO_URL, null]\nsite_url: !ENV [BOOK_SITE_URL, null]\n" in text


def test_release_publishes_only_tags_on_the_default_branch_built_like_the_site():
    jobs = _workflow("release.yml")["jobs"]
    assert jobs["tests"]["needs"] == "default-branch"
    check = jobs["default-branch"]["steps"][-1]
    assert check["env"] == {"DEFAULT_BRANCH": "${{ github.event.repository.default_branch }}"}
    assert 'git merge-base --is-ancestor "$GITHUB_SHA" "origin/$DEFAULT_BRANCH"' in check["run"]
    assert "exit 1" in check["run"]
    assert any(step.get("run") == "make dist" for step in jobs["build"]["steps"])


def test_the_package_description_is_for_readers_and_dist_is_ignored():
    text = (REPO_DIR / "pyproject.toml").read_text(encoding="utf-8")
    assert 'readme = "README.package.md"' in text
    description = (REPO_DIR / "README.package.md").read_text(encoding="utf-8")
    assert "pip install d2lref" in description and "from d2lref import torch as d2l" in description
    assert "D2LREF_DATA_URL" in description and "-i <mirror URL>" in description
    assert "make " not in description and "<repository URL>" not in description
    assert "/dist/" in (REPO_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_the_package_descriptions_python_blocks_run(tmp_path: Path, real_data: Path):
    """README.package.md's Python blocks, pasted as a reader would (pytest-codeblocks)."""
    env = dict(os.environ, D2LREF_MODE="quick", MPLBACKEND="Agg", D2LREF_DATA=str(real_data),
               D2LREF_FIGURE_DIR=str(tmp_path / "figures"))
    readme = REPO_DIR / "README.package.md"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--codeblocks", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", "--rootdir", str(tmp_path), str(readme)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    assert passed == readme.read_text(encoding="utf-8").count("\n```python\n") >= 1
