"""Every interface string of the site, in each language: the one place to change or translate
the words the book's machinery writes into pages, notebooks and notebook views.

``strings(lang)`` gives a language's table; both tables have the same keys (a test checks).
"""

from __future__ import annotations

from typing import Any

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
        "omitted": "输出未显示",
        # Notebooks (book/notebooks.py)
        "exercise_pointer": "*答案在本 notebook 末尾的“答案”一节：先自己试一试。*",
        "answers_heading": "## 答案",
        "answer_heading": "### 练习 {number}",
        "diagram_note": "*（此处的示意图见网页版。）*\n",
        # Hooks: the Colab link, the original book's section, a diagram without its SVG
        "colab": "在 Colab 中打开",
        "original_section": "原书对应章节",
        # Site chrome: heading anchors, wall-clock marks, notebook views' buttons
        "permalink": "本节链接",
        "measurement": "计时结果：每次运行都不同",
        "copy": "复制到剪贴板",
        "back_to_page": "回到本页的网页版",
        # The 404 page (book/theme/404.html)
        "not_found_title": "找不到这一页",
        "not_found_text": "这个地址没有页面：可能是链接写错了，或者页面已经改名。",
        "not_found_home": "回到首页，从目录中找",
        "not_found_glossary": "术语表",
        "diagram_alt": "示意图：{labels}",
        "list_separator": "；",
        "scroll_hint": "← 左右滑动查看全部 →",
        "search_dialog": "搜索",
        "diagram_missing": "图未渲染（新的或修改过的图）：运行 `make diagrams` 后重新构建。",
        # Installing d2lref (book/addresses.py, book/notebooks_setup.py): the pages'
        # !install-d2lref block and the notebooks' setup cell
        "install_site": (
            "从本书网站安装构建本书时用的那个 d2lref wheel（pip 会核对它的 SHA-256，"
            "缺少的依赖从你平常用的包索引或镜像安装）："
        ),
        "install_index": (
            "网站同时提供 pip 的包索引 `{index}`：在 requirements 文件里写 "
            "`{requirement}`，再给 pip 加上 `--extra-index-url {index}`，"
            "安装的也是同一个文件。\n"
        ),
        "install_git": "也可以用 git 从本书的仓库安装最新的代码：",
        "install_local": (
            "这一版网站是在本地构建的，没有发布 d2lref：在本书仓库的克隆里，"
            "以可编辑模式安装它："
        ),
        "setup_site": (
            "准备工作：本 notebook 用 d2lref {version}（本书的辅助库）运行。\n"
            "缺少 d2lref 或版本不同时，这一格从本书网站安装构建本书时用的那个 wheel，\n"
            "pip 会核对它的 SHA-256；d2lref 依赖的其他包缺少时，从你平常用的包索引\n"
            "（或镜像）安装，已经装好的包（例如 PyTorch）不会改动。安装失败时这一格会报错，\n"
            "“全部运行”就停在这里，错误信息给出手动安装的命令。"
        ),
        "setup_git": (
            "准备工作：本 notebook 需要 d2lref {version}（本书的辅助库）。\n"
            "缺少它或版本不同时，这一格会报错，并给出从本书仓库安装的命令。"
        ),
        "setup_local": (
            "准备工作：本 notebook 需要 d2lref {version}（本书的辅助库）。这一版网站是在本地\n"
            "构建的，没有发布 d2lref：缺少它或版本不同时，这一格会报错，\n"
            "请在本书仓库的克隆里安装它。"
        ),
        "setup_failed": (
            "没能安装 d2lref {version}（pip 的信息见上方）。请手动运行下面的命令，"
            "然后重启内核：{by_hand}"
        ),
        "setup_restart": (
            "d2lref {version} 已经装好，但这个内核之前导入了另一个版本：请重启内核，"
            "再从头运行本 notebook。"
        ),
        "setup_missing_git": (
            "本 notebook 需要 d2lref {version}（现在是：{found}）。请手动安装，"
            "然后重启内核：{by_hand}"
        ),
        "setup_missing_local": (
            "本 notebook 需要 d2lref {version}（现在是：{found}）。请在本书仓库的克隆里"
            "运行下面的命令，然后重启内核：{by_hand}"
        ),
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
        "omitted": "Output not shown",
        # Notebooks (book/notebooks.py)
        "exercise_pointer": (
            "*The answers are in the \u201cAnswers\u201d section at the end of this "
            "notebook: try first.*"
        ),
        "answers_heading": "## Answers",
        "answer_heading": "### Exercise {number}",
        "diagram_note": "*(The diagram is shown on the web page.)*\n",
        # Hooks: the Colab link, the original book's section, a diagram without its SVG
        "colab": "Open in Colab",
        "original_section": "This section of the original book",
        # Site chrome: heading anchors, wall-clock marks, notebook views' buttons
        "permalink": "Permanent link",
        "measurement": "wall-clock measurement: differs between runs",
        "copy": "Copy to clipboard",
        "back_to_page": "Back to the web page",
        # The 404 page (book/theme/404.html)
        "not_found_title": "Page not found",
        "not_found_text": (
            "There is no page at this address: the link may be mistyped, or the page renamed."
        ),
        "not_found_home": "Go to the home page and pick a chapter",
        "not_found_glossary": "Glossary",
        "diagram_alt": "Diagram: {labels}",
        "list_separator": "; ",
        "scroll_hint": "← scroll sideways to see all of it →",
        "search_dialog": "Search",
        "diagram_missing": (
            "Diagram not rendered (new or edited): run `make diagrams`, then build again."
        ),
        # Installing d2lref (book/addresses.py, book/notebooks_setup.py): the pages'
        # !install-d2lref block and the notebooks' setup cell
        "install_site": (
            "Install the d2lref wheel the book was built with from this site (pip checks "
            "its SHA-256; missing dependencies come from your usual package index or mirror):"
        ),
        "install_index": (
            "The site is also a package index for pip, `{index}`: a requirements file line "
            "`{requirement}` with pip's `--extra-index-url {index}` "
            "installs the same file.\n"
        ),
        "install_git": "Or install the latest code from the book's repository with git:",
        "install_local": (
            "This copy of the site was built locally and publishes no d2lref: install it "
            "from your clone of the book's repository, in editable mode:"
        ),
        "setup_site": (
            "Setup: this notebook runs with d2lref {version}, the book's helper library.\n"
            "Where d2lref is missing or has another version, this cell installs the wheel the\n"
            "book was built with from the book's site, and pip checks its SHA-256. Packages\n"
            "d2lref needs that are missing come from your usual package index (or mirror);\n"
            "installed ones (PyTorch, say) are left alone. If the install fails, the cell\n"
            "raises an error, which stops Run All, and the error says what to run by hand."
        ),
        "setup_git": (
            "Setup: this notebook needs d2lref {version}, the book's helper library.\n"
            "Where it is missing or has another version, this cell raises an error with the\n"
            "command that installs it from the book's repository."
        ),
        "setup_local": (
            "Setup: this notebook needs d2lref {version}, the book's helper library. This\n"
            "copy of the book was built locally and publishes no d2lref: where it is missing\n"
            "or has another version, this cell raises an error; install it from your clone."
        ),
        "setup_failed": (
            "d2lref {version} could not be installed (pip's messages are above). Run this "
            "by hand, then restart the kernel: {by_hand}"
        ),
        "setup_restart": (
            "d2lref {version} is installed, but this kernel imported another version "
            "before: restart the kernel, then run the notebook again from the top."
        ),
        "setup_missing_git": (
            "This notebook needs d2lref {version} (found: {found}). Install it by hand, "
            "then restart the kernel: {by_hand}"
        ),
        "setup_missing_local": (
            "This notebook needs d2lref {version} (found: {found}). In your clone of the "
            "book's repository run this, then restart the kernel: {by_hand}"
        ),
    },
}


def strings(lang: str) -> dict[str, str]:
    """The interface strings of ``lang`` (``zh``, ``zh-Hans``, ... are Chinese; else English)."""
    return STRINGS["zh" if lang.startswith("zh") else "en"]


def site_language(config: Any) -> str:
    """The language of the MkDocs build ``config`` describes (its theme's ``language``; the
    Chinese build, the default, when unset)."""
    return str(config["theme"].get("language") or "zh")
