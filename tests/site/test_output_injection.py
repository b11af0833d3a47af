"""Fault injection through outputs: a throw-away book whose snippet displays every output
type with hostile content, run by the runner, built strictly with the book's own hooks and
opened in Chromium as the page, as its notebook view and as its figure files.

No script may run anywhere (a dialog handler counts alerts), HTML keeps only neutral
classes, control characters never reach the HTML, and LaTeX outputs are typeset at build
time. One run and one site build serve every check of the module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from book.chromium import CHROMIUM, CHROMIUM_ARGS, missing_chromium
from book.store.files import read_store, store_path, write_store
from book.store.schema import seal_record
from tests.paths import REPO_DIR
from tests.site.fixtures import run_mkdocs_build, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Each vector names itself in its alert, so a failure says which one ran.
HOSTILE_MARKUP = (
    "<script>alert('script element')</script>"
    "<img src='missing.png' onerror=\"alert('img onerror')\">"
    "<details open ontoggle=\"alert('details ontoggle')\"><summary>more</summary></details>"
    "<a href=\"javascript:alert('javascript link')\">a link</a>"
    "<svg onload=\"alert('inline svg onload')\"></svg>"
    "<iframe src=\"javascript:alert('iframe')\"></iframe>"
    "<b class='md-button d2l-output__text' onmouseover=\"alert('hover')\">hover</b>"
)
HOSTILE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" '
    "onload=\"alert('svg file onload')\">"
    "<script>alert('svg file script')</script>"
    '<foreignObject width="40" height="20"><div xmlns="http://www.w3.org/1999/xhtml">'
    "<img src='x' onerror=\"alert('svg foreignObject')\"/></div></foreignObject>"
    '<rect width="40" height="20" fill="#4051b5"/></svg>'
)
HOSTILE_SNIPPET = f"""
# %% html
from IPython.display import HTML, SVG, Latex, Markdown, display

HOSTILE = {HOSTILE_MARKUP!r}
TABLE = '<table class="dataframe md-typeset d2l-output"><tr><td>table cell</td></tr></table>'
display(HTML(TABLE + HOSTILE))

# %% markdown
display(Markdown("**bold markdown** [a markdown link](javascript:alert('md link'))\\n\\n"
                 + HOSTILE))

# %% latex
display(Latex(r"Energy $E = mc^2$ and $\\href{{javascript:alert('latex')}}{{x}}$ " + HOSTILE))

# %% svg
display(SVG({HOSTILE_SVG!r}))

# %% text
print("bell\\a nul\\0 escape\\x1b]0;title\\a end <script>alert('text')</script>")
"""
PAGE = """
# 注入检查 { #injection }

!cell html

!cell markdown

!cell latex

!cell svg

!cell text
"""
CONFIG = f"""
site_name: injection check
docs_dir: docs/zh
theme:
  name: material
  language: zh
  font: false
hooks:
  - {REPO_DIR / "book/hooks/cells.py"}
  - {REPO_DIR / "book/hooks/formulas.py"}
  - {REPO_DIR / "book/hooks/notebook_views.py"}
plugins:
  - mkdocs-jupyter:
      include: ["notebooks/*/*.ipynb"]
      ignore: ["*.md"]
      execute: false
      allow_errors: false
      include_source: true
      custom_mathjax_url: "data:text/javascript,"
      cache: false
markdown_extensions:
  - pymdownx.superfences
  - pymdownx.arithmatex:
      generic: true
"""
# An SVG as a runner that did not sanitize figures stored it: the build must clean it too
# (another color, so that it stays another file once both are clean).
LEGACY_SVG = HOSTILE_SVG.replace("svg file", "stored svg").replace("#4051b5", "#e53935")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _add_legacy_svg(book: Path) -> None:
    """Append the unsanitized SVG to the stored outputs of cell 'svg', sealed as a runner
    writes them (an older store that the build has to clean)."""
    path = store_path(book / "snippets", "ch/hostile.py")
    data = read_store(path)
    run = data["runs"]["quick"]
    record = dict(run["cells"]["svg"])
    record["outputs"] = [*record["outputs"], {"type": "svg", "data": LEGACY_SVG}]
    run["cells"]["svg"] = seal_record(record)
    write_store(path, data)


def _build_hostile_book(book: Path) -> None:
    """Write the throw-away book, run its snippet in a real kernel, add an unsanitized
    stored SVG and build the site with ``--strict``."""
    _write(book / "snippets/ch/hostile.py", HOSTILE_SNIPPET)
    _write(book / "docs/zh/ch/hostile.md", PAGE)
    _write(book / "docs/zh/index.md", "# 首页\n")
    _write(book / "mkdocs.yml", CONFIG)
    env = dict(os.environ, PYTHONPATH=str(REPO_DIR))
    run = subprocess.run(
        [sys.executable, "-m", "book", "--snippets-dir", str(book / "snippets"), "run"],
        cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    _add_legacy_svg(book)
    build = run_mkdocs_build(book / "mkdocs.yml", book / "site", book)
    assert build.returncode == 0, build.stderr[-6000:]


@pytest.fixture(scope="module")
def hostile_site(built_once) -> Path:
    """The throw-away book's site (built once per test run, whichever worker asks first)."""
    return built_once("hostile-book", _build_hostile_book) / "site"


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    with served(hostile_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    message = missing_chromium()
    if message:
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield context
        finally:
            context.close()


# Follows every link that would run script, and hovers every element of the outputs.
FIRE_EVERYTHING = """() => {
  for (const link of document.querySelectorAll('a')) {
    if (link.protocol === 'javascript:') link.click();
  }
  for (const element of document.querySelectorAll('*')) {
    element.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
  }
}"""


def alerts_when_opened(browser, url: str) -> list[str]:
    """The messages of every dialog the document opens: loaded, links followed, hovered."""
    tab = browser.new_page()
    alerts: list[str] = []
    tab.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    try:
        tab.goto(url, wait_until="load")
        tab.wait_for_timeout(500)  # "toggle" and "error" events fire after load
        tab.evaluate(FIRE_EVERYTHING)
        tab.wait_for_timeout(500)
    finally:
        tab.close()
    return alerts


PAGE_PATH = "ch/hostile/"
VIEW_PATH = "notebooks/ch/hostile/"


@pytest.mark.parametrize("path", [PAGE_PATH, VIEW_PATH], ids=["page", "notebook-view"])
def test_no_output_runs_script_on_the_page_or_the_notebook_view(browser, hostile_url, path):
    assert alerts_when_opened(browser, hostile_url + path) == []
    tab = browser.new_page()
    try:
        tab.goto(hostile_url + path, wait_until="load")
        text = tab.locator("article").inner_text()
        # The outputs are there, harmless: the checks above saw real content.
        for shown in ("table cell", "bold markdown", "a markdown link", "hover", "end"):
            assert shown in text, shown
        assert tab.locator("a[href^='javascript:' i]").count() == 0
    finally:
        tab.close()


def test_figure_files_opened_directly_run_nothing(browser, hostile_site, hostile_url):
    figures = sorted(p.name for p in (hostile_site / "_outputs").glob("*.svg"))
    assert len(figures) == 2  # the run's SVG and the one stored before sanitizing
    for name in figures:
        assert alerts_when_opened(browser, f"{hostile_url}_outputs/{name}") == [], name
        svg = (hostile_site / "_outputs" / name).read_text(encoding="utf-8")
        assert "<rect" in svg  # the drawing stays
        for gone in ("script", "onload", "foreignObject", "onerror"):
            assert gone not in svg, (name, gone)


@pytest.mark.parametrize("path", [PAGE_PATH, VIEW_PATH], ids=["page", "notebook-view"])
def test_html_outputs_keep_only_neutral_classes(browser, hostile_url, path):
    tab = browser.new_page()
    try:
        tab.goto(hostile_url + path, wait_until="load")
        classes = tab.evaluate(
            "() => Array.from(document.querySelectorAll('table, b'))"
            ".filter(e => /table cell|^hover$/.test(e.textContent)).map(e => e.className)"
        )
    finally:
        tab.close()
    # The HTML output's table and <b>, then the Markdown output's <b>.
    assert classes == ["dataframe", "", ""]


def _built_files(site: Path) -> dict[str, str]:
    return {
        "page": (site / PAGE_PATH / "index.html").read_text(encoding="utf-8"),
        "notebook view": (site / VIEW_PATH / "index.html").read_text(encoding="utf-8"),
        "notebook": (site / "notebooks/ch/hostile.ipynb").read_text(encoding="utf-8"),
    }


def test_control_characters_never_reach_the_html_or_the_notebook(hostile_site):
    for name, text in _built_files(hostile_site).items():
        if name == "notebook":
            text = json.dumps(json.loads(text), ensure_ascii=False)  # escapes decoded
        assert "bell nul escape end" in text, name
        assert not any(char in text for char in "\x00\x07\x1b"), name


def test_latex_outputs_are_typeset_at_build_time(hostile_site):
    files = _built_files(hostile_site)
    areas = (("page", 'class="d2l-output__latex"'),
             ("notebook view", 'data-mime-type="text/latex"'))
    for name, area in areas:
        latex = files[name].split(area, 1)[1].split("</div>", 1)[0]
        assert "Energy" in latex and 'class="katex"' in latex and "$" not in latex, name
    # The downloadable notebook keeps the LaTeX for the reader's Jupyter to typeset.
    assert "Energy $E = mc^2$" in files["notebook"]
