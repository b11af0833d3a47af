"""The built site in a real browser: math, diagrams, language switch, copy buttons, search.

Debian's chromium driven by Playwright, against the site served on 127.0.0.1; every request
the pages make is recorded, and none may go to another host.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.paths import ARTIFACTS_DIR
from tests.site.browser import RecordedPage
from tests.site.fixtures import QuietHandler, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = ARTIFACTS_DIR / "screenshots"

HOME = {"zh": "", "en": "en/"}
TWINS = {"zh": ("glossary/", "en/glossary/"), "en": ("en/glossary/", "glossary/")}
SEARCH_TERMS = {"zh": ["张量", "broadcasting"], "en": ["tensor", "张量"]}


def _screenshot(tab: RecordedPage, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_page_renders_math_diagram_and_copy_buttons(
    tab: RecordedPage, site_url: str, lang: str
):
    page = tab.page
    page.goto(site_url + HOME[lang], wait_until="networkidle")
    page.wait_for_selector(".katex-display")
    page.locator(".d2l-diagram").scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('.d2l-diagram img.d2l-diagram__light')?.naturalWidth > 0"
    )

    article = page.locator("article")
    text = article.inner_text()
    assert "$$" not in text and "\\[" not in text and "\\(" not in text
    assert page.locator(".arithmatex .katex").count() >= 3  # one display formula, two inline
    assert page.locator(".katex-error").count() == 0
    # The KaTeX fonts are loaded from the site itself.
    assert page.evaluate("document.fonts.check('16px KaTeX_Main')")

    # The pipeline diagram is a stored SVG (no Mermaid runtime loaded).
    svg_text = page.evaluate(
        "fetch(document.querySelector('.d2l-diagram__light').src).then(r => r.text())"
    )
    assert svg_text.count('class="node ') == 6  # snippet, outputs, page, site, notebook, d2lref
    assert page.evaluate("typeof window.mermaid") == "undefined"

    code_blocks = page.locator("article pre > code").count()
    copy_buttons = page.locator("button.md-code__button[data-md-type=copy]").count()
    assert code_blocks >= 3 and copy_buttons == code_blocks

    page.locator(".d2l-diagram").scroll_into_view_if_needed()
    _screenshot(tab, f"{lang}-home-diagram")
    page.locator(".katex-display").first.scroll_into_view_if_needed()
    _screenshot(tab, f"{lang}-home-formula")

    assert tab.other_hosts() == []
    assert tab.failures == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_language_switch_lands_on_the_twin_page(tab: RecordedPage, site_url: str, lang: str):
    page = tab.page
    here, twin = TWINS[lang]
    page.goto(site_url + here + "#glossary", wait_until="networkidle")
    other = "en" if lang == "zh" else "zh-Hans"
    page.locator(".md-header__option .md-select").hover()
    link = page.locator(f".md-select__link[hreflang='{other}']")
    link.wait_for(state="visible")
    link.click()
    page.wait_for_url(site_url + twin + "#glossary")
    assert page.locator("html").get_attribute("lang") == ("en" if lang == "zh" else "zh")
    # Back in the head, the twin page lists both languages as alternates.
    hreflangs = page.locator("link[rel=alternate]").evaluate_all(
        "links => links.map(l => l.hreflang)"
    )
    assert sorted(hreflangs) == ["en", "zh-Hans"]
    _screenshot(tab, f"{lang}-language-switch")
    assert tab.other_hosts() == []
    assert tab.failures == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_finds_chinese_and_english_words(tab: RecordedPage, site_url: str, lang: str):
    expect = pytest.importorskip("playwright.sync_api").expect
    page = tab.page
    for term in SEARCH_TERMS[lang]:
        # A fresh page per term: results of the previous term must not satisfy the next one.
        page.goto(site_url + HOME[lang], wait_until="networkidle")
        search = page.locator("input.md-search__input")
        search.click()
        search.fill(term)
        search.press("End")
        results = page.locator(".md-search-result__item")
        results.first.wait_for(state="visible", timeout=15_000)
        expect(page.locator(".md-search-result__list")).to_contain_text(term, ignore_case=True)
        assert results.count() >= 1
        _screenshot(tab, f"{lang}-search-{'en' if term.isascii() else 'zh'}")
    assert tab.other_hosts() == []
    assert tab.failures == []


# A chapter page with formulas and code, and its notebook view (mkdocs-jupyter).
CHAPTER_PAGES = {
    "zh": [
        "linear-networks/linear-regression-scratch/",
        "notebooks/linear-networks/linear-regression-scratch/",
    ],
    "en": [
        "en/linear-networks/linear-regression-scratch/",
        "en/notebooks/linear-networks/linear-regression-scratch/",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chapter_page_and_notebook_view_render_locally(tab: RecordedPage, site_url: str, lang: str):
    page = tab.page
    for path in CHAPTER_PAGES[lang]:
        page.goto(site_url + path, wait_until="networkidle")
        page.wait_for_selector(".katex")
        text = page.locator("article").inner_text()
        assert "$$" not in text
        assert page.locator(".katex-error").count() == 0
        if "notebooks/" not in path:  # notebook cells are nbconvert's, without Material's buttons
            assert page.locator("button.md-code__button[data-md-type=copy]").count() >= 1
        else:
            # Each cell's code shows once: the copy button's plain-text copy stays hidden.
            copies = page.locator(".clipboard-copy-txt")
            assert copies.count() >= 1 and not copies.first.is_visible()
            assert not page.locator("a.anchor-link").first.is_visible()
            # Figures are the site's figure files, and they load.
            figures = page.locator(".jp-OutputArea-output img")
            assert figures.count() >= 1
            assert figures.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth)")
        name = path.strip("/").replace("/", "-")
        _screenshot(tab, name if name.startswith("en-") else f"zh-{name}")
    assert tab.other_hosts() == []
    assert tab.failures == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_outputs_show_under_code_in_both_palettes(tab: RecordedPage, site_url: str, lang: str):
    """Stored outputs (text, a figure file, provenance) follow their cells, light and dark."""
    page = tab.page
    prefix = "" if lang == "zh" else "en/"
    page.goto(site_url + prefix + "preliminaries/calculus/", wait_until="networkidle")
    outputs = page.locator(".d2l-output")
    assert outputs.count() >= 3
    # Each output panel comes right after a code block and ends with its provenance line.
    assert page.evaluate(
        "[...document.querySelectorAll('.d2l-output')].every(o => "
        "o.previousElementSibling?.matches('.highlight, div.language-python'))"
    )
    provenance = page.locator(".d2l-output .d2l-provenance").first.inner_text()
    assert "torch" in provenance and ("完整运行" in provenance or "full run" in provenance)
    figure = page.locator("img.d2l-output__figure").first
    figure.scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('img.d2l-output__figure').naturalWidth > 0"
    )
    _screenshot(tab, f"{lang}-outputs-light")
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function(
        f"document.body.getAttribute('data-md-color-scheme') !== '{scheme}'"
    )
    assert {scheme, page.locator("body").get_attribute("data-md-color-scheme")} == {
        "default", "slate"}
    figure.scroll_into_view_if_needed()
    _screenshot(tab, f"{lang}-outputs-dark")
    assert tab.other_hosts() == []
    assert tab.failures == []


# A reader's connection: 10 Mbit/s both ways, 40 ms latency (Chrome DevTools' throttling).
THROTTLED_NETWORK = {
    "offline": False,
    "latency": 40,
    "downloadThroughput": 10_000_000 / 8,
    "uploadThroughput": 10_000_000 / 8,
}
MATH_DEADLINE_MS = 1500
# Formulas count as rendered once KaTeX's HTML is styled (the MathML copy is hidden by
# katex.css) and the KaTeX fonts it uses are loaded; returns the time since navigation.
MATH_RENDERED = """() => {
  const formulas = document.querySelectorAll("article .katex");
  if (formulas.length === 0) return false;
  const mathml = formulas[0].querySelector(".katex-mathml");
  if (!mathml || getComputedStyle(mathml).position !== "absolute") return false;
  const faces = [...document.fonts].filter(f => f.family.replace(/"/g, "") === "KaTeX_Main");
  if (!faces.some(f => f.status === "loaded")) return false;
  if (!document.fonts.check("16px KaTeX_Main") || !document.fonts.check("italic 16px KaTeX_Math"))
    return false;
  return performance.now();
}"""
MATH_PAGES = {
    "zh": "linear-networks/linear-regression-scratch/",
    "en": "en/linear-networks/linear-regression-scratch/",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_formulas_render_within_deadline_on_a_slow_connection(
    tab: RecordedPage, site_url: str, lang: str
):
    page = tab.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", THROTTLED_NETWORK)
    page.goto(site_url + MATH_PAGES[lang], wait_until="commit")
    rendered_ms = page.wait_for_function(MATH_RENDERED, polling="raf", timeout=20_000).json_value()
    text = page.locator("article").inner_text()
    assert "\\(" not in text and "\\[" not in text and "$$" not in text
    formulas = page.locator("article .katex").count()
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS_DIR / "math-timing.txt", "a", encoding="utf-8") as report:
        report.write(
            f"{MATH_PAGES[lang]}: {formulas} formulas rendered {rendered_ms:.0f} ms after "
            "navigation (10 Mbit/s, 40 ms latency, cache off)\n"
        )
    print(f"\n{MATH_PAGES[lang]}: {formulas} formulas rendered in {rendered_ms:.0f} ms")
    assert formulas >= 5
    assert rendered_ms <= MATH_DEADLINE_MS
    assert tab.other_hosts() == []


# Query -> the pages about that topic (either may come first where a topic has two pages).
# Chinese terms are single words of the index (the book's dictionary); a query of several
# words finds the sections that hold all of them; a hyphenated term needs both its parts.
SOFTMAX_PAGES = [
    "linear-networks/softmax-regression-scratch/",
    "linear-networks/softmax-regression-concise/",
]
# One-hot labels (softmax regression) and one-hot features (the Kaggle data).
ONE_HOT_PAGES = ["multilayer-perceptrons/kaggle-house-price/", SOFTMAX_PAGES[0]]
SEARCH_TOPICS = {
    "zh": {
        "张量": ["preliminaries/ndarray/"],
        "广播": ["preliminaries/ndarray/"],
        "自动求导": ["preliminaries/autograd/"],
        "学习率": ["linear-networks/linear-regression-scratch/"],
        "softmax": SOFTMAX_PAGES,
        "交叉熵": SOFTMAX_PAGES,
        "独热编码": ONE_HOT_PAGES,
        "过拟合": ["multilayer-perceptrons/underfit-overfit/"],
        "权重衰减": ["multilayer-perceptrons/weight-decay/"],
        "暂退法": ["multilayer-perceptrons/dropout/"],
        "反向传播": ["multilayer-perceptrons/backprop/"],
        "GPU 内存": ["multilayer-perceptrons/backprop/"],
        "Kaggle": ["multilayer-perceptrons/kaggle-house-price/"],
        "GPU": ["deep-learning-computation/use-gpu/"],
        "填充": ["convolutional-neural-networks/padding-and-strides/"],
        "汇聚层": ["convolutional-neural-networks/pooling/"],
        "批量规范化": ["convolutional-modern/batch-norm/"],
        "残差": ["convolutional-modern/resnet/"],
        "稠密": ["convolutional-modern/densenet/"],
    },
    "en": {
        "tensor": ["preliminaries/ndarray/"],
        "broadcasting": ["preliminaries/ndarray/"],
        "automatic differentiation": ["preliminaries/autograd/"],
        "learning rate": ["linear-networks/linear-regression-scratch/"],
        "softmax": SOFTMAX_PAGES,
        "cross-entropy": SOFTMAX_PAGES,
        "one-hot": ONE_HOT_PAGES,
        "overfitting": ["multilayer-perceptrons/underfit-overfit/"],
        "weight decay": ["multilayer-perceptrons/weight-decay/"],
        "dropout": ["multilayer-perceptrons/dropout/"],
        "backpropagation": ["multilayer-perceptrons/backprop/"],
        "GPU memory": ["multilayer-perceptrons/backprop/"],
        "Kaggle": ["multilayer-perceptrons/kaggle-house-price/"],
        "GPU": ["deep-learning-computation/use-gpu/"],
        "padding": ["convolutional-neural-networks/padding-and-strides/"],
        "pooling": ["convolutional-neural-networks/pooling/"],
        "batch normalization": ["convolutional-modern/batch-norm/"],
        "residual": ["convolutional-modern/resnet/"],
        "DenseNet": ["convolutional-modern/densenet/"],
    },
}
RESULT_PAGES = """items => items.map(item => {
  const link = item.querySelector("a");
  return new URL(link.href).pathname;
})"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_puts_the_topic_page_first_with_clean_results(
    tab: RecordedPage, site_url: str, lang: str
):
    page = tab.page
    page.goto(site_url + HOME[lang], wait_until="networkidle")
    root = urlsplit(site_url + HOME[lang]).path
    search = page.locator("input.md-search__input")
    report = []
    for query, topic_pages in SEARCH_TOPICS[lang].items():
        search.click()
        search.fill(query)
        search.press("End")
        meta = page.locator(".md-search-result__meta")
        page.wait_for_function(
            "q => document.querySelector('.md-search-result__item') &&"
            " document.querySelector('input.md-search__input').value === q",
            arg=query,
        )
        page.wait_for_timeout(200)  # the worker answers each keystroke; take the last answer
        hits = page.locator(".md-search-result__item").evaluate_all(RESULT_PAGES)
        first = hits[0].removeprefix(root)
        report.append(f"{lang} {query!r}: {meta.inner_text()!r}; first {first}")
        assert first in topic_pages, f"{query!r}: first hit {first}, expected {topic_pages}"
        assert not any("/notebooks/" in hit for hit in hits)
        results_html = page.locator(".md-search-result__list").inner_html()
        results_text = page.locator(".md-search-result__list").inner_text()
        for noise in ("¶", "Copied!", "\\(", "\\[", "$$", "notebook ·", ".py · ",
                      "完整运行 ·", "full run ·"):
            assert noise not in results_text, f"{query!r}: {noise!r} in the results"
        # Every term found: Material lists missing ones ("Missing: rate") otherwise.
        assert page.locator(".md-search-result__terms").count() == 0, query
        assert "<mark><mark>" not in results_html and "&lt;mark" not in results_html
        suggestion = page.locator(".md-search__suggest").inner_text()
        assert "¶" not in suggestion
        search.fill("")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS_DIR / "search-queries.txt", "a", encoding="utf-8") as out:
        out.write("\n".join(report) + "\n")
    print("\n" + "\n".join(report))
    assert tab.other_hosts() == []


# Pages with a diagram, wide text outputs and tables, and figures.
# Page -> what its screenshot shows.
READABILITY_PAGES = {
    "zh": {
        "convolutional-neural-networks/lenet/": ".d2l-diagram",
        "performance/": "img.d2l-output__figure",
        "linear-networks/softmax-regression-scratch/": "img.d2l-output__figure >> nth=-1",
        "glossary/": "article table",
        "": "article table",
    },
    "en": {
        "en/convolutional-neural-networks/lenet/": ".d2l-diagram",
        "en/performance/": "img.d2l-output__figure",
        "en/linear-networks/softmax-regression-scratch/": "img.d2l-output__figure >> nth=-1",
        "en/glossary/": "article table",
        "en/": "article table",
    },
}
MIN_TEXT_PX = 11
# Measured in the page: every number a reader's eye depends on.
READABILITY_PROBE = """() => {
  const visible = el => el.checkVisibility() && el.getBoundingClientRect().width > 0;
  const overlap = (a, b) => !(a.right <= b.left || b.right <= a.left ||
                              a.bottom <= b.top || b.bottom <= a.top);
  const article = document.querySelector("article");
  const diagrams = [...document.querySelectorAll(".d2l-diagram img")].filter(visible).map(img =>
    Number(img.dataset.fontPx) * img.getBoundingClientRect().width / img.width);
  // Matplotlib's text is 10 pt (13.3 px) at the figure's natural size.
  const figures = [...document.querySelectorAll("img.d2l-output__figure")].filter(visible)
    .map(img => 13.3 * img.getBoundingClientRect().width / img.naturalWidth);
  // A frame too narrow for what it holds (a diagram, a table, printed output) scrolls and
  // says so: border, hint line under it, keyboard focus. Anything else wider than the column
  // would be cut off without a cue.
  const frames = [...article.querySelectorAll(
    ".d2l-diagram, .md-typeset__scrollwrap, .d2l-output pre, .d2l-output__figure-frame")]
    .filter(visible);
  const scrolling = frames.filter(el => el.scrollWidth > el.clientWidth + 1);
  const uncued = scrolling.filter(el => !(
    el.classList.contains("d2l-scrolls") && el.tabIndex === 0 &&
    ["auto", "scroll"].includes(getComputedStyle(el).overflowX) &&
    el.nextElementSibling?.classList.contains("d2l-scroll-hint") &&
    visible(el.nextElementSibling)));
  // (Material's code blocks reach the screen's edges on a phone and scroll inside.)
  const cut = [...uncued, ...[...article.querySelectorAll("img, table, pre, svg")]
    .filter(visible).filter(el => !el.closest(".d2l-scrolls"))
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)]
    .map(el => `${el.tagName} ${el.className} ${el.textContent.slice(0, 30)}`);
  const overflowing = document.documentElement.scrollWidth > window.innerWidth + 1;
  const buttons = [...document.querySelectorAll("button.md-code__button")].filter(visible)
    .map(b => b.getBoundingClientRect());
  const outputs = [...document.querySelectorAll(".d2l-output")].filter(visible)
    .map(o => o.getBoundingClientRect());
  const covered = buttons.filter(b => outputs.some(o => overlap(b, o))).length;
  const tableCode = [...article.querySelectorAll("table code")].filter(visible)
    .filter(code => code.getClientRects().length > 1).map(code => code.textContent);
  const sidebar = document.querySelector(".md-sidebar--primary");
  const siteName = document.querySelector(".md-header__topic .md-ellipsis")?.textContent.trim();
  const titles = sidebar ? [...sidebar.querySelectorAll("*")].filter(el =>
    visible(el) && el.children.length === 0 && el.textContent.trim() === siteName &&
    !el.closest(".md-nav__item")).length : 0;
  let activeCovered = false;
  const active = sidebar && [...sidebar.querySelectorAll(".md-nav__link--active")]
    .filter(visible).pop();
  if (active) {
    active.scrollIntoView({ block: "nearest" });
    const sticky = [...sidebar.querySelectorAll(".md-nav__title")].filter(visible)
      .filter(t => getComputedStyle(t).position === "sticky");
    activeCovered = sticky.some(t => overlap(t.getBoundingClientRect(),
                                             active.getBoundingClientRect()));
  }
  return { diagrams, figures, cut, scrolling: scrolling.map(el => el.className), overflowing,
           covered, tableCode, titles, activeCovered,
           footer: !!document.querySelector(".md-footer__link") };
}"""


@pytest.mark.parametrize("palette", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_are_readable_at_every_width(
    tab: RecordedPage, site_url: str, lang: str, width: int, palette: str
):
    page = tab.page
    page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
    page.emulate_media(color_scheme=palette)
    # Material keeps the last palette chosen in localStorage: start from the media query.
    page.add_init_script("localStorage.clear()")
    for path, shown in READABILITY_PAGES[lang].items():
        page.goto(site_url + path, wait_until="networkidle")
        scheme = page.locator("body").get_attribute("data-md-color-scheme")
        assert scheme == ("slate" if palette == "dark" else "default")
        # Lazy images: load the visible ones now (the other palette's diagram stays hidden).
        page.evaluate(
            "[...document.querySelectorAll('article img')].filter(i => i.checkVisibility())"
            ".forEach(i => { i.loading = 'eager'; })"
        )
        page.wait_for_function(
            "[...document.querySelectorAll('article img')].every("
            "i => !i.checkVisibility() || (i.complete && i.naturalWidth > 0))"
        )
        # scroll-frames.js marks frames on the animation frame after an image arrives.
        page.evaluate("new Promise(done => requestAnimationFrame("
                      "() => requestAnimationFrame(done)))")
        found = page.evaluate(READABILITY_PROBE)
        name = path.removeprefix("en/").strip("/").replace("/", "-") or "home"
        page.locator(shown).first.scroll_into_view_if_needed()
        _screenshot(tab, f"{lang}-{name}-{width}-{palette}")
        where = f"{path or 'home'} at {width}px, {palette}"
        assert all(px >= MIN_TEXT_PX for px in found["diagrams"]), (where, found["diagrams"])
        assert all(px >= 9 for px in found["figures"]), (where, found["figures"])
        assert found["cut"] == [] and not found["overflowing"], (where, found["cut"])
        assert found["covered"] == 0, where
        assert found["tableCode"] == [], (where, found["tableCode"])
        assert found["footer"], where
        if width > 1220:
            assert found["titles"] <= 1, where
        assert not found["activeCovered"], where
        if width < 800:  # what a phone cannot show whole scrolls in a frame with its cue
            if "lenet" in path:
                assert any("d2l-diagram" in frame for frame in found["scrolling"]), where
            if "glossary" in path:
                assert "md-typeset__scrollwrap d2l-scrolls" in found["scrolling"], where
        if "performance" in path:  # the chart fits the column, even on a phone
            assert found["figures"] and not any(
                "figure" in frame for frame in found["scrolling"]), where
        if "lenet" in path:
            assert found["diagrams"], where
        if "softmax" in path:
            assert found["figures"], where
    assert tab.other_hosts() == []
    assert tab.failures == [], tab.failures


SUB_PATH = "/d2l-notes/"


class _SubPathHandler(QuietHandler):
    """Serves the site under SUB_PATH and, like a static host, a language's 404.html for any
    address it does not have."""

    def send_head(self):
        path = urlsplit(self.path).path
        if not path.startswith(SUB_PATH):
            self.send_error(404)
            return None
        self.path = "/" + path.removeprefix(SUB_PATH)
        local = Path(self.translate_path(self.path))
        if not local.exists():
            language = "en/" if self.path.startswith("/en/") else ""
            body = (Path(self.directory) / language / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

@pytest.fixture(scope="module")
def sub_path_url(built_site: Path) -> Iterator[str]:
    with served(built_site, _SubPathHandler, SUB_PATH) as url:
        yield url


NOT_FOUND = {
    "zh": ("no/such/page/", "找不到这一页", "", "en/"),
    "en": ("en/no-such-page", "Page not found", "en/", ""),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_404_page_works_under_a_sub_path(tab: RecordedPage, sub_path_url: str, lang: str):
    """The 404 page, served for a missing address of a site that lives under /<repo>/, is in
    its language, styled, and links to that language's pages under the same sub-path."""
    missing, title, own_root, other_root = NOT_FOUND[lang]
    page = tab.page
    page.goto(sub_path_url + missing, wait_until="networkidle")
    assert page.locator("article h1").inner_text() == title
    assert page.locator("html").get_attribute("lang") == lang
    # Styled: Material's stylesheet arrived (its header is fixed at the top).
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") \
        in ("sticky", "fixed")
    home = page.locator("article a").first.evaluate("a => a.href")
    assert home == sub_path_url + own_root
    chapter = page.locator(".md-nav__link[href$='installation/']").first.evaluate("a => a.href")
    assert chapter == sub_path_url + own_root + "installation/"
    other = "en" if lang == "zh" else "zh-Hans"
    switch = page.locator(f".md-select__link[hreflang='{other}']").evaluate("a => a.href")
    assert switch == sub_path_url + other_root
    # Only the missing address (and what the browser fetched ahead from under it, before the
    # page set its root) and the page's probes for the site's root may fail.
    assert [f for f in tab.failures
            if not (sub_path_url + missing in f or f.endswith("search-worker.js"))] == []
    assert tab.other_hosts() == []
