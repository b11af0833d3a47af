"""What the site's search reads: the book's dictionary for Chinese words, and clean index text.

Material's search plugin splits Chinese text into words with jieba at build time (joined by
U+200B); the browser splits a query by longest match against the words of that index
(``docs/assets/javascripts/search-worker.js``), so both sides use the words this dictionary
made. jieba alone cuts the book's terms apart (学习率 as 学习|率, 过拟合 as 过|拟合, 交叉熵
as 交叉|熵): :func:`book_dictionary` lists the words that must stay whole, from the glossary
(its Chinese and English columns) and the page titles.

:func:`clean_text` turns an index field into the plain text a result preview shows: no
markup, formulas as readable text (``\\eta`` as η, ``\\frac{a}{b}`` as (a)/(b)) instead of holes.
"""

from __future__ import annotations

import html
import keyword
import re
from pathlib import Path

GLOSSARY_PAGE = "glossary.md"
HAN = re.compile(r"[\u3400-\u9fff]+")
# A glossary table row: | 中文 | English | note | forms not to use |
TABLE_ROW = re.compile(r"^\|(?P<zh>[^|]+)\|(?P<en>[^|]+)\|")
# Title pieces: split at punctuation, spaces and the particles that join two terms (的, 和, 与).
TITLE_SEPARATORS = re.compile(r"[\s、，：:（）()·—\-]+|[的和与]")
MIN_WORD, MIN_HEAD, MAX_TITLE_WORD = 2, 3, 5
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
TITLE = re.compile(r"^#\s+(?P<title>.+?)(?:\s*\{[^}]*\})?\s*$", re.M)


def glossary_terms(glossary: Path) -> list[tuple[str, str]]:
    """``(chinese, english)`` of every row of the glossary table (header rows skipped)."""
    terms = []
    lines = glossary.read_text(encoding="utf-8").splitlines()
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        row = TABLE_ROW.match(line)
        if row and HAN.search(row["zh"]) and not following.startswith("|-"):
            terms.append((row["zh"].strip(), row["en"].strip()))
    return terms


def _jieba():
    import jieba

    jieba.setLogLevel(30)  # its "Building prefix dict" lines are not build problems
    return jieba


def _cut(text: str) -> list[str]:
    return _jieba().lcut(text, HMM=False)


def term_words(term: str) -> list[str]:
    """The Chinese words of a glossary term that must stay whole.

    Each Han run of each alternative (``过拟合 / 欠拟合``) is a word. A run that follows a
    letter or digit drops a one-character first word (the classifier of ``K 折交叉验证``). A
    run also gives its head without its last word when that head has three or more characters
    (交叉熵 from 交叉熵损失), since the pages use the head alone too.
    """
    words = []
    for match in HAN.finditer(term):
        run = match.group()
        before = term[: match.start()].rstrip()
        if before and before[-1].isalnum() and not HAN.match(before[-1]):
            first = _cut(run)[0]
            if len(first) == 1 and len(run) > MIN_WORD:
                run = run[1:]
        if len(run) >= MIN_WORD:
            words.append(run)
        parts = _cut(run)
        head = run[: -len(parts[-1])]
        if len(parts) > 1 and len(head) >= MIN_HEAD:
            words.append(head)
    return words


def title_words(title: str) -> list[str]:
    """Pieces of a page title that are words of their own (2 to 5 Chinese characters)."""
    return [
        piece for piece in TITLE_SEPARATORS.split(title)
        if MIN_WORD <= len(piece) <= MAX_TITLE_WORD and HAN.fullmatch(piece)
    ]


def page_title(page: Path) -> str | None:
    """The first ``# Title`` of a page, after its front matter."""
    text = FRONT_MATTER.sub("", page.read_text(encoding="utf-8"), count=1)
    match = TITLE.search(text)
    return match["title"] if match else None


def book_dictionary(docs_dir: Path) -> list[str]:
    """The words jieba must keep whole for the pages of ``docs_dir`` (sorted, unique)."""
    words: set[str] = set()
    glossary = docs_dir / GLOSSARY_PAGE
    if glossary.is_file():
        for chinese, english in glossary_terms(glossary):
            for term in (chinese, english):
                for alternative in term.split("/"):
                    words.update(term_words(alternative))
    for page in docs_dir.rglob("*.md"):
        if "notebooks" in page.relative_to(docs_dir).parts:
            continue
        title = page_title(page)
        if title:
            words.update(title_words(title))
    return sorted(words)


def load_dictionary(words: list[str]) -> None:
    """Make jieba (Material's segmenter, one per process) keep each word whole."""
    jieba = _jieba()
    for word in words:
        jieba.suggest_freq(word, tune=True)


# --- Formulas as text ---------------------------------------------------------------------

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "phi": "φ", "tau": "τ",
    "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "infty": "∞",
    "times": "×", "cdot": "·", "odot": "⊙", "circ": "∘", "star": "⋆", "top": "⊤",
    "in": "∈", "subseteq": "⊆", "cap": "∩", "bigcup": "∪", "emptyset": "∅", "perp": "⊥",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "approx": "≈", "sim": "~",
    "leftarrow": "←", "rightarrow": "→", "to": "→", "mid": "|", "lvert": "|", "rvert": "|",
    "lVert": "‖", "rVert": "‖", "|": "‖", "langle": "⟨", "rangle": "⟩", "lfloor": "⌊",
    "rfloor": "⌋", "ldots": "…", "cdots": "⋯", "dots": "…", "vdots": "⋮", "ddots": "⋱",
    "sqrt": "√", "not": "¬",
}
# Commands that only style their argument: dropped, argument kept.
STYLED = re.compile(
    r"\\(?:math(?:bf|rm|cal|bb|sf|it)|boldsymbol|operatorname|text(?:rm|bf)?|hat|bar|tilde"
    r"|underbrace)\s*\{(?P<body>[^{}]*)\}"
)
# Commands that only size or space: dropped.
SIZING = re.compile(
    r"\\(?:left|right|big|Big|bigg|Bigg|displaystyle|quad|qquad)\b|\\(?:begin|end)\{\w+\*?\}"
)
FRACTION = re.compile(r"\\[dt]?frac\s*\{(?P<top>[^{}]*)\}\s*\{(?P<bottom>[^{}]*)\}")
SCRIPT = re.compile(r"(?P<mark>[\^_])\{(?P<body>[^{}]*)\}")
COMMAND = re.compile(r"\\(?P<name>[A-Za-z]+|\|)")
SPACING = re.compile(r"\\[,;:! ]")


def _script(match: re.Match) -> str:
    body = match["body"]
    simple = len(body) == 1 or (body.startswith("(") and body.endswith(")"))
    return match["mark"] + (body if simple else f"({body})")


def tex_to_text(tex: str) -> str:
    """A formula's TeX as plain text a reader can read in a search result."""
    text = SIZING.sub("", SPACING.sub(" ", tex))
    previous = None
    while previous != text:  # innermost groups first
        previous = text
        text = STYLED.sub(lambda m: m["body"], text)
        text = FRACTION.sub(lambda m: f"({m['top']})/({m['bottom']})", text)
        text = SCRIPT.sub(_script, text)
    text = COMMAND.sub(lambda m: SYMBOLS.get(m["name"], m["name"]), text)
    text = text.replace("{", "").replace("}", "").replace("&", " ").replace("\\", " ")
    return re.sub(r"\s+", " ", text).strip()


# Inline \( \) and display \[ \] math as arithmatex leaves it in the text the plugin indexed.
LATEX = re.compile(r"\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\]|\$\$(?P<dollars>.*?)\$\$",
                   re.S)
TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
NOISE = re.compile(r"¶|Copied!|复制成功|\u00a0")
SPACES = re.compile(r"[ \t\r\f\v\n]+")


CODE_BLOCK = re.compile(r"<pre>(?P<code>.*?)</pre>", re.S)
CODE_NAME = re.compile(r"[A-Za-z_][\w.]*[\w]")


# Python's own words: in every code block, searched for in none.
COMMON_NAMES = frozenset(keyword.kwlist) | frozenset(
    "print len range list dict tuple set int float str bool self super isinstance zip "
    "enumerate sum min max abs round sorted type".split()
)


def code_names(code: str, seen: set[str]) -> str:
    """A code block as the names it uses that ``seen`` does not hold yet, in order: what a
    reader searches for (``arange``, ``train_ch3``, ``nn.Linear``), at a fraction of the
    code's size. ``seen`` gains them."""
    names = []
    for name in CODE_NAME.findall(html.unescape(TAGS.sub(" ", code))):
        if name not in seen and name not in COMMON_NAMES:
            seen.add(name)
            names.append(name)
    return " ".join(names)


def clean_text(value: str, seen: set[str] | None = None) -> str:
    """Plain text of an index field, with Material's zero-width word breaks kept.

    Code blocks become the names they use that ``seen`` (the names the page's earlier
    sections gave already) does not hold.
    """
    seen = set() if seen is None else seen
    value = CODE_BLOCK.sub(
        lambda m: " " + html.escape(code_names(m["code"], seen)) + " ", value
    )
    value = TAGS.sub(" ", value)
    value = html.unescape(value)
    value = LATEX.sub(lambda m: " " + tex_to_text(next(g for g in m.groups() if g is not None))
                      + " ", value)
    value = NOISE.sub(" ", value)
    # Escape again: Material inserts the field into result previews as HTML.
    value = html.escape(value, quote=False)
    return SPACES.sub(" ", value).strip()
