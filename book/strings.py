"""Every interface string of the site, in each language: the one place to change or translate
the words the book's machinery writes into pages, notebooks and notebook views.

``strings(lang)`` gives a language's table; both tables have the same keys (a test checks).
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        # Pages (book/render): provenance labels, notes, notebook links, problems
        "full": "完整运行",
        "quick": "快速运行（缩减数据与迭代周期）",
        "quick_unchanged": "快速模式，未缩减",
        "drift": "完整运行（d2lref 修改之前的版本，{commit}；快速重新运行已通过）",
        "quick_note_title": "本页部分输出来自缩减的快速运行",
        "quick_note": (
            "标有“快速运行”的输出来自 quick 模式：{facts}，"
            "所以精度和速度与书中的完整设置相差很远。想看完整结果，请把本页的代码块"
            "（或上面下载的 notebook）放到有 GPU 的机器上运行：不设置 D2LREF_MODE 时，"
            "代码就按完整设置训练。"
        ),
        # What quick mode ran (book/render/quick_note.py), from d2lref's reports
        "quick_facts_steps": (
            "用 {examples} 个训练样本做了 {steps} 次参数更新（{requested} 个迭代周期中的 "
            "{epochs} 个）"
        ),
        "quick_facts_epochs": "只训练了 {requested} 个迭代周期中的 {epochs} 个",
        "quick_facts_subset": "只用了 {total} 个训练样本中的 {kept} 个",
        "quick_facts_test": "在 {total} 个测试样本中的 {kept} 个上测试",
        "quick_facts_join": "，并且",
        "quick_facts_default": "只用一小部分数据、最多训练 2 个迭代周期",
        "missing": "这个单元还没有运行输出",
        "stale": "这个单元的输出已过期（代码或 d2lref 改过）",
        "rerun": "重新运行：",
        "download": "下载本页的 Jupyter notebook",
        "view": "以 notebook 形式查看",
        "figure": "图",
        # Notebooks (book/notebooks.py)
        "exercise_pointer": "*答案在本 notebook 末尾的“答案”一节：先自己试一试。*",
        "answers_heading": "## 答案",
        "answer_heading": "### 练习 {number}",
        "diagram_note": "*（此处的示意图见网页版。）*\n",
        # Hooks: the Colab link, a diagram without its stored SVG
        "colab": "在 Colab 中打开",
        "diagram_missing": "图未渲染（新的或修改过的图）：运行 `make diagrams` 后重新构建。",
    },
    "en": {
        # Pages (book/render): provenance labels, notes, notebook links, problems
        "full": "full run",
        "quick": "quick run (reduced data and epochs)",
        "quick_unchanged": "quick mode, nothing reduced",
        "drift": "full run of an earlier d2lref, {commit}; quick re-run passed",
        "quick_note_title": "Some outputs on this page come from a reduced quick run",
        "quick_note": (
            "Outputs marked \u201cquick run\u201d come from quick mode: {facts}, so their "
            "accuracies and speeds are far from those of the full settings. To see full "
            "results, run this page's code blocks (or the notebook downloaded above) on a "
            "machine with a GPU: with D2LREF_MODE unset, the code trains at full settings."
        ),
        # What quick mode ran (book/render/quick_note.py), from d2lref's reports
        "quick_facts_steps": (
            "{steps} optimizer steps on {examples} training examples ({epochs} of "
            "{requested} epochs)"
        ),
        "quick_facts_epochs": "{epochs} of {requested} epochs",
        "quick_facts_subset": "{kept} of {total} training examples",
        "quick_facts_test": "tested on {kept} of {total} test examples",
        "quick_facts_join": ", ",
        "quick_facts_default": "a small subset of the data and at most 2 epochs",
        "missing": "This cell has no stored output yet",
        "stale": "This cell's stored output is stale (its code or d2lref changed)",
        "rerun": "Re-run with:",
        "download": "Download this page as a Jupyter notebook",
        "view": "View as a notebook",
        "figure": "Figure",
        # Notebooks (book/notebooks.py)
        "exercise_pointer": (
            "*The answers are in the \u201cAnswers\u201d section at the end of this "
            "notebook: try first.*"
        ),
        "answers_heading": "## Answers",
        "answer_heading": "### Exercise {number}",
        "diagram_note": "*(The diagram is shown on the web page.)*\n",
        # Hooks: the Colab link, a diagram without its stored SVG
        "colab": "Open in Colab",
        "diagram_missing": (
            "Diagram not rendered (new or edited): run `make diagrams`, then build again."
        ),
    },
}


def strings(lang: str) -> dict[str, str]:
    """The interface strings of ``lang`` (``zh``, ``zh-Hans``, ... are Chinese; else English)."""
    return STRINGS["zh" if lang.startswith("zh") else "en"]
