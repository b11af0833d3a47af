"""What the site renderer needs to know and what it collects on the way."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from book.strings import strings


@dataclass
class RenderContext:
    """Where things are, and what the site renderer collected on the way."""

    repo_dir: Path
    lang: str = "zh"
    asset_prefix: str = ""  # relative URL from the page to the site root
    figures: dict[str, bytes] = field(default_factory=dict)  # site path -> file content
    figure_alt: dict[str, str] = field(default_factory=dict)  # site path -> its alt text
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
        return strings(self.lang)

