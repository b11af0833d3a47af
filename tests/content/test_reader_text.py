"""The glossary and American spelling hold in every text a reader sees, not only in prose.

The sources (page prose, code comments and strings, the library source the pages unfold,
printed outputs, figure text) are listed in ``reader_text.READER_TEXT_SOURCES``.
"""

from __future__ import annotations

import pytest

from tests.content.reader_text import (
    READER_TEXT_SOURCES,
    REPO,
    SNIPPETS,
    avoided_forms_in,
    british_spellings,
    figure_text,
    python_text,
    svg_text,
)


@pytest.mark.parametrize("source", sorted(READER_TEXT_SOURCES))
def test_reader_text_uses_the_glossary_terms(source: str):
    problems = [
        f"{text.where}: {form!r} -> {preferred}"
        for text in READER_TEXT_SOURCES[source]()
        for form, preferred in avoided_forms_in(text.text, text.lang)
    ]
    assert not problems, "use the glossary's terms:\n" + "\n".join(problems)


@pytest.mark.parametrize("source", sorted(READER_TEXT_SOURCES))
def test_english_reader_text_uses_american_spelling(source: str):
    problems = [
        f"{text.where}: {word}"
        for text in READER_TEXT_SOURCES[source]() if text.lang == "en"
        for word in british_spellings(text.text)
    ]
    assert not problems, "use American spelling (color, initialize, centered):\n" + "\n".join(
        problems)


def test_code_files_use_american_spelling():
    """Identifiers too: every line of the snippets and of d2lref (readers import its names)."""
    files = [*sorted(SNIPPETS.rglob("*.py")), *sorted((REPO / "d2lref").rglob("*.py"))]
    problems = [
        f"{path.relative_to(REPO)}:{number}: {word}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for word in british_spellings(line)
    ]
    assert not problems, "use American spelling:\n" + "\n".join(problems)


def test_every_source_yields_text():
    """A source that silently yields nothing would check nothing."""
    empty = [name for name, source in READER_TEXT_SOURCES.items() if next(source(), None) is None]
    assert not empty, f"reader-text sources that found no text: {empty}"


def test_the_glossary_check_can_fail():
    assert ("0 轮", "迭代周期") in avoided_forms_in("训练 10 轮。", "zh")
    assert ("特征图", "特征映射") in avoided_forms_in("中间特征图的通道数", "zh")
    assert ("准确率", "精度") in avoided_forms_in("所以准确率不高", "zh")
    assert not avoided_forms_in("轮流用一份验证；汇聚层（也叫池化层）；训练 10 个迭代周期", "zh")
    assert avoided_forms_in("an element-wise product", "en")
    assert avoided_forms_in("a mini-batch of 10", "en")


def test_the_spelling_check_can_fail():
    for british in ("the colour of a neighbour", "we minimise it", "a parametrised ReLU",
                    "the penalised step", "one synchronisation", "marginalise over H",
                    "recentred: the mean is 5", "labelled data", "grey", "Normalisation"):
        assert british_spellings(british), british
    for american in ("color neighbor", "minimize", "parametrized", "penalized",
                     "synchronization", "marginalize", "recentered", "labeled", "exercise",
                     "raised", "otherwise", "noise", "precise", "elementwise", "promising",
                     "crises", "surprised", "supervised", "advertising"):
        assert not british_spellings(american), american


def test_code_text_is_read_from_comments_and_strings():
    source = 'x = 1  # the colour\nprint(f"neighbour {x}")\n"""A docstring."""\nmodel = x\n'
    texts = [text for _, text in python_text(source)]
    assert "the colour" in texts and any("neighbour" in text for text in texts)
    assert any("A docstring." in text for text in texts)
    assert not any("model" in text for text in texts)


def test_figure_text_is_read_from_svg():
    svg = ('<svg><!-- epoch --><g><text x="1">train acc</text></g>'
           "<title>LeNet</title></svg>")
    assert svg_text(svg) == ["epoch", "train acc", "LeNet"]
    # The stored figures carry their labels: the softmax page's training curve has a legend.
    labels = {text.text for text in figure_text()
              if text.where.startswith("linear-networks/softmax-regression-scratch.py#train")}
    assert {"epoch", "train loss", "test acc"} <= labels

