"""The notebook keeps a page's exercises and moves their answers to the end."""

from __future__ import annotations

import json

from book.notebooks import answers_at_end, build_notebook
from book.render.page import CellRef, parse_page
from tests.book.helpers import write

SNIPPET = """
# %% setup
values = [1, 2, 3]

# %% [markdown]
# Exercises: answers

# %% exercise-1
assert sum(values) == 6
sum(values)

# %% exercise-2-a
len(values)

# %% exercise-2-b
max(values)
"""

PAGE = """
# 演示 { #demo }

!cell setup

## 练习 { #exercises }

1. 求和是多少？

    ??? success "答案"

        是 6：

        !cell exercise-1

2. 长度和最大值？
   再想一想。

    ??? success "答案"

        长度：

        !cell exercise-2-a

        最大值：

        !cell exercise-2-b
"""


def make_page(tmp_path):
    write(tmp_path / "snippets" / "demo" / "page.py", SNIPPET)
    write(tmp_path / "docs" / "zh" / "demo" / "page.md", PAGE)
    text = (tmp_path / "docs" / "zh" / "demo" / "page.md").read_text(encoding="utf-8")
    return parse_page(text, "demo/page.md", tmp_path)


def test_questions_first_then_answers_in_order(tmp_path):
    page = make_page(tmp_path)
    segments = answers_at_end(page.segments, "zh")
    cells = [s.name for s in segments if isinstance(s, CellRef)]
    assert cells == ["setup", "exercise-1", "exercise-2-a", "exercise-2-b"]
    assert all(s.indent == "" for s in segments if isinstance(s, CellRef))
    text = [s for s in segments if isinstance(s, str)]
    questions = next(s for s in text if "## 练习" in s)
    assert "1. 求和是多少？" in questions and "   再想一想。" in questions
    assert "??? success" not in questions and "是 6" not in questions
    answers_start = next(
        i for i, s in enumerate(segments) if isinstance(s, str) and "## 答案" in s
    )
    first_answer = next(
        i for i, s in enumerate(segments) if getattr(s, "name", "") == "exercise-1"
    )
    assert answers_start < first_answer
    # Answer prose is dedented out of the list item (no indented code block in Jupyter).
    assert "\n是 6：" in segments[answers_start] and "### 练习 1" in segments[answers_start]


def test_notebook_of_a_page_with_exercises(tmp_path):
    page = make_page(tmp_path)
    notebook = json.loads(json.dumps(build_notebook(page, tmp_path, "zh")))
    kinds = [(c["cell_type"], c["metadata"].get("name")) for c in notebook["cells"]]
    code = [name for kind, name in kinds if kind == "code"]
    # The first code cell is the d2lref setup cell every notebook starts with (no name).
    assert code == [None, "setup", "exercise-1", "exercise-2-a", "exercise-2-b"]
    markdown = [c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown"]
    assert markdown[-1].startswith("最大值")
    assert any("### 练习 2" in m and m.strip().endswith("长度：") for m in markdown)


def test_page_without_exercises_is_unchanged(tmp_path):
    page = make_page(tmp_path)
    before = page.segments[:2]
    assert answers_at_end(before, "en") == before
