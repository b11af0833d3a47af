"""What the site's search reads (book/search.py): the book's dictionary, formulas as text."""

from __future__ import annotations

import pytest

from book.hooks.search_index import mark_excluded, use_book_worker
from book.search import (
    book_dictionary,
    clean_text,
    glossary_terms,
    load_dictionary,
    term_words,
    tex_to_text,
    title_words,
)
from tests.paths import DOCS_DIR


def test_glossary_terms_are_read_from_both_columns():
    terms = dict(glossary_terms(DOCS_DIR / "zh" / "glossary.md"))
    assert terms["学习率"] == "learning rate"
    assert terms["交叉熵损失"] == "cross-entropy loss"
    assert "中文" not in terms  # the header row is not a term
    assert len(terms) >= 45


@pytest.mark.parametrize(
    ("term", "words"),
    [
        ("学习率", ["学习率"]),
        ("交叉熵损失", ["交叉熵损失", "交叉熵"]),  # the head the pages also use alone
        ("K 折交叉验证", ["交叉验证"]),  # the classifier after K is not part of the word
        ("1×1 卷积层", ["卷积层"]),
        ("softmax 回归", ["回归"]),
        ("learning rate", []),
    ],
)
def test_term_words(term: str, words: list[str]):
    assert term_words(term) == words


def test_title_words_split_at_punctuation_and_joining_particles():
    assert title_words("模型选择、欠拟合和过拟合") == ["模型选择", "欠拟合", "过拟合"]
    assert title_words("暂退法（Dropout）") == ["暂退法"]
    assert title_words("线性回归的从零开始实现") == ["线性回归"]  # 从零开始实现 is 6 characters


def test_the_dictionary_keeps_the_book_terms_whole():
    import jieba

    words = book_dictionary(DOCS_DIR / "zh")
    assert {"学习率", "过拟合", "交叉熵", "暂退法", "汇聚层", "批量规范化"} <= set(words)
    load_dictionary(words)
    assert jieba.lcut("学习率和过拟合") == ["学习率", "和", "过拟合"]
    assert jieba.lcut("交叉熵的梯度") == ["交叉熵", "的", "梯度"]


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\eta", "η"),
        (r"\mathbf{h}^{(l)} = f_l(\mathbf{h}^{(l-1)})", "h^(l) = f_l(h^(l-1))"),
        (r"\frac{\partial l}{\partial \mathbf{w}}", "(∂ l)/(∂ w)"),
        (r"\sum_{i \in \mathcal{B}} \left| x \right|", "∑_(i ∈ B) | x |"),
        (r"\begin{bmatrix} a & b \end{bmatrix}", "a b"),
        (r"\lVert \mathbf{w} \rVert^2", "‖ w ‖^2"),
    ],
)
def test_formulas_become_readable_text(tex: str, text: str):
    assert tex_to_text(tex) == text


def test_clean_text_keeps_formulas_and_drops_markup():
    field = (
        '<p>考虑一个 <span class="arithmatex">\\(L\\)</span> 层的网络，步长 \\(\\eta\\)'
        " &amp; <code>lr</code>¶</p>"
    )
    assert clean_text(field) == "考虑一个 L 层的网络，步长 η &amp; lr"


def test_labels_outputs_and_provenance_are_marked_for_exclusion():
    page = (
        '<div class="language-python highlight"><span class="filename">snippets/a.py · b</span>'
        '<pre><code>x = 1</code></pre></div>'
        '<div class="d2l-output" data-cell="b"><pre class="d2l-output__text"><code>1</code></pre>'
        '<p class="d2l-provenance d2l-provenance--full">full run · CPU</p></div>'
        '<p class="d2l-notebook-links"><a href="n.ipynb">n</a></p><p>prose</p>'
        '<div class="language-python highlight"><span class="filename">d2lref/a.py · f</span>'
        "<pre><code>def f(): ...</code></pre></div>"
    )
    marked = mark_excluded(page)
    assert marked.count('data-search-exclude="true"') == 6
    assert '<pre data-search-exclude="true"><code>def f()' in marked
    assert '<pre><code>x = 1' in marked  # code stays in the index
    assert "<p>prose</p>" in marked


def test_pages_start_the_book_worker():
    config = '"search": "../../assets/javascripts/workers/search.a7633da7.min.js",'
    assert use_book_worker(config) == (
        '"search": "../../assets/javascripts/search-worker.js'
        '?worker=search.a7633da7.min.js",'
    )


def test_code_is_indexed_by_the_names_it_uses():
    field = "<p>Make it:</p><pre><code>x = torch.arange(12)\nx.reshape(3, 4)\nx</code></pre>"
    assert clean_text(field) == "Make it: torch.arange x.reshape"
