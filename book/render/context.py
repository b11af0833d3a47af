"""What the site renderer needs to know and what it collects on the way, and the words it
writes in each language."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

LABELS = {
    "zh": {
        "full": "完整运行",
        "quick": "快速运行（缩减数据与轮数）",
        "quick_note_title": "本页部分输出来自缩减的快速运行",
        "quick_note": (
            "标有“快速运行”的输出来自 quick 模式：只用一小部分数据、最多训练 2 个迭代周期，"
            "所以准确率和速度与书中的完整设置相差很远。想看完整结果，请把本页的代码块"
            "（或上面下载的 notebook）放到有 GPU 的机器上运行：不设置 D2LREF_MODE 时，"
            "代码就按完整设置训练。"
        ),
        "missing": "这个单元还没有运行输出",
        "stale": "这个单元的输出已过期（代码或 d2lref 改过）",
        "rerun": "重新运行：",
        "download": "下载本页的 Jupyter notebook",
        "view": "以 notebook 形式查看",
        "figure": "图",
    },
    "en": {
        "full": "full run",
        "quick": "quick run (reduced data and epochs)",
        "quick_note_title": "Some outputs on this page come from a reduced quick run",
        "quick_note": (
            "Outputs marked \u201cquick run\u201d come from quick mode: a small subset of the "
            "data and at most 2 epochs, so their accuracies and speeds are far from those of "
            "the full settings. To see full results, run this page's code blocks (or the "
            "notebook downloaded above) on a machine with a GPU: with D2LREF_MODE unset, the "
            "code trains at full settings."
        ),
        "missing": "This cell has no stored output yet",
        "stale": "This cell's stored output is stale (its code or d2lref changed)",
        "rerun": "Re-run with:",
        "download": "Download this page as a Jupyter notebook",
        "view": "View as a notebook",
        "figure": "Figure",
    },
}


@dataclass
class RenderContext:
    """Where things are, and what the site renderer collected on the way."""

    repo_dir: Path
    lang: str = "zh"
    asset_prefix: str = ""  # relative URL from the page to the site root
    figures: dict[str, bytes] = field(default_factory=dict)  # site path -> file content
    problems: list[str] = field(default_factory=list)
    # Output HTML kept out of Markdown: the Markdown holds a token, replaced after conversion
    # by ``fill_outputs`` so printed text is never read as Markdown (fences, tables, HTML).
    outputs_html: dict[str, str] = field(default_factory=dict)

    def hold(self, block: str) -> str:
        """A token standing for ``block`` in the Markdown (letters and digits only)."""
        digest = hashlib.sha256(block.encode()).hexdigest()[:12]
        token = f"D2LOUTPUT{len(self.outputs_html):05d}X{digest}"
        self.outputs_html[token] = block
        return token

    @property
    def snippets_dir(self) -> Path:
        return self.repo_dir / "snippets"

    @property
    def labels(self) -> dict[str, str]:
        return LABELS["zh" if self.lang.startswith("zh") else "en"]

