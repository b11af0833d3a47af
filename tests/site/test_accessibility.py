"""Accessibility of the built site, checked by axe-core in Chromium.

axe-core (``tests/site/vendor/axe-core-<version>/``, the npm registry's package, MPL-2.0) is
injected into each page from that file, so that nothing is fetched from another host. Every
page listed below is checked in both palettes of both languages: no critical and no serious
violation. The moderate and minor ones left are written to
``test-artifacts/accessibility.txt`` (and printed) with the pages they are on.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from tests.paths import ARTIFACTS_DIR, REPO_DIR
from tests.site.browser import RecordedPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_JS = REPO_DIR / "tests/site/vendor/axe-core-4.14.1/axe.min.js"
# Pages with every kind of content the site has: prose and tables, formulas, diagrams,
# figures and wide outputs, exercises with answers, a notebook view, the 404 page.
PAGES = [
    "",
    "installation/",
    "preliminaries/ndarray/",
    "preliminaries/autograd/",
    "linear-networks/softmax-regression-scratch/",
    "multilayer-perceptrons/underfit-overfit/",
    "multilayer-perceptrons/backprop/",
    "multilayer-perceptrons/kaggle-house-price/",
    "deep-learning-computation/model-construction/",
    "convolutional-neural-networks/lenet/",
    "convolutional-modern/resnet/",
    "performance/",
    "glossary/",
    "notebooks/convolutional-neural-networks/lenet/",
    "404.html",
]
FAILING_IMPACTS = ("critical", "serious")
# The WCAG 2.x A and AA rules and axe's best practices.
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                     "wcag22aa", "best-practice"] },
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


def page_violations(tab: RecordedPage, url: str) -> list[dict]:
    """axe-core's violations on the page at ``url`` once it has loaded and settled."""
    page = tab.page
    page.goto(url, wait_until="networkidle")
    # Lazy images and the scroll frames' marks (set on load) are part of what readers get.
    page.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("[...document.images].every(i => i.complete)")
    page.wait_for_timeout(200)
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(AXE_RUN)


@pytest.fixture(params=["light", "dark"])
def palette_tab(request, browser_context) -> RecordedPage:
    recorded = RecordedPage(browser_context)
    recorded.page.emulate_media(color_scheme=request.param)
    # Material keeps the last palette chosen in localStorage: start from the media query.
    recorded.page.add_init_script("localStorage.clear()")
    recorded.palette = request.param
    yield recorded
    recorded.page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_have_no_serious_accessibility_violation(
    palette_tab: RecordedPage, site_url: str, lang: str
):
    root = "" if lang == "zh" else "en/"
    failing: list[str] = []
    left: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for path in PAGES:
        violations = page_violations(palette_tab, site_url + root + path)
        scheme = palette_tab.page.locator("body").get_attribute("data-md-color-scheme")
        assert scheme == ("slate" if palette_tab.palette == "dark" else "default"), path
        for violation in violations:
            counts[violation["id"]] += len(violation["nodes"])
            where = f"{root}{path or '(home)'}"
            if violation["impact"] in FAILING_IMPACTS:
                first = violation["nodes"][0]
                failing.append(
                    f"{where}: {violation['id']} ({violation['impact']}, "
                    f"{len(violation['nodes'])} elements): {violation['help']}; first: "
                    f"{first['target']}: {first['summary']}"
                )
            else:
                left[f"{violation['id']} ({violation['impact']}): {violation['help']}"].add(
                    where)
    report = [f"{lang} {palette_tab.palette}: {len(PAGES)} pages, elements per rule "
              f"{json.dumps(dict(sorted(counts.items())))}"]
    report += [f"  left: {rule} on {len(pages)} pages" for rule, pages in sorted(left.items())]
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS_DIR / "accessibility.txt", "a", encoding="utf-8") as out:
        out.write("\n".join(report) + "\n")
    print("\n".join(report))
    assert failing == [], "\n".join(failing)
    assert palette_tab.other_hosts() == []
