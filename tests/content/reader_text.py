"""Every text a reader sees, gathered from where it lives, and the rules it follows.

A reader sees more than the pages' prose: the comments and strings of the code blocks
(snippets), the d2lref source a page unfolds with ``!source``, the printed outputs and the
text of the stored figures (titles, axis labels, legends). ``READER_TEXT_SOURCES`` lists
them; each source yields ``Text`` pieces in one language. A new kind of reader-visible text
is one more entry there, and the glossary and spelling tests of ``test_reader_text.py`` then
cover it too.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from book.cells import load_snippet
from book.render.page import extract_source
from book.store.files import store_path
from book.store.publishing import published_outputs

REPO = Path(__file__).resolve().parents[2]
SNIPPETS = REPO / "snippets"
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """One piece of reader-visible text: where it comes from, its language, the text."""

    where: str
    lang: str
    text: str


# --- the pages --------------------------------------------------------------------------


def pages(lang: str) -> list[Path]:
    """Every Markdown page of one language."""
    return sorted(p for p in (REPO / "docs" / lang).rglob("*.md") if "notebooks" not in p.parts)


def prose(text: str) -> str:
    """The page without fenced blocks, inline code and directive lines."""
    text = re.sub(r"^(\s*)(```|~~~).*?^\1\2", "", text, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]+`", "", text)
    return re.sub(r"^\s*!(cell|source)\b.*$", "", text, flags=re.M)


def page_prose(lang: str) -> Iterator[Text]:
    """The prose of every page (exercise answers included), the glossary page excepted."""
    for page in pages(lang):
        if page.name != "glossary.md":
            yield Text(page.relative_to(REPO).as_posix(), lang,
                       prose(page.read_text(encoding="utf-8")))


# --- code a reader reads ------------------------------------------------------------------


def python_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment and string literal (docstrings included) in ``source``:
    the English a reader reads inside a code block, its printed labels and plot titles."""
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.string.lstrip("#").strip()))
        elif token.type == tokenize.STRING:
            found.append((token.start[0], token.string))
        elif token.type == getattr(tokenize, "FSTRING_MIDDLE", None):
            found.append((token.start[0], token.string))
    return found


def snippet_code_text() -> Iterator[Text]:
    """Comments and strings of every snippet cell: the code blocks of the pages."""
    for path in sorted(SNIPPETS.rglob("*.py")):
        relpath = path.relative_to(REPO).as_posix()
        for line, text in python_text(path.read_text(encoding="utf-8")):
            yield Text(f"{relpath}:{line}", "en", text)


SOURCE_DIRECTIVE = re.compile(r"^\s*!source\s+(\S+)#(\S+)", re.M)


def source_directives() -> list[tuple[str, str]]:
    """(path, name) of every ``!source`` block of any page."""
    return sorted({match.groups() for lang in LANGS for page in pages(lang)
                   for match in SOURCE_DIRECTIVE.finditer(page.read_text(encoding="utf-8"))})


def library_source_text() -> Iterator[Text]:
    """Comments and docstrings of the library code the pages unfold with ``!source``."""
    for path, name in source_directives():
        source = extract_source(REPO, path, name)
        for line, text in python_text(source):
            yield Text(f"{path}#{name} (line {line} of the block)", "en", text)


# --- what the code printed and drew ---------------------------------------------------------

# matplotlib writes each text of a figure as an XML comment before its glyphs; the model
# diagrams of d2lref.viz use <text> and <title> elements.
SVG_TEXT = re.compile(r"<!--(.*?)-->|<text\b[^>]*>(.*?)</text>|<title>(.*?)</title>", re.S)


def svg_text(svg: str) -> list[str]:
    """The words an SVG figure shows (titles, axis labels, legends, box labels)."""
    return [next(group for group in match.groups() if group is not None).strip()
            for match in SVG_TEXT.finditer(svg)]


def published_records() -> Iterator[tuple[str, dict]]:
    """(snippet#cell, output record) of every output a page shows."""
    for path in sorted(SNIPPETS.rglob("*.py")):
        snippet = load_snippet(path, SNIPPETS)
        outputs = published_outputs(snippet, store_path(SNIPPETS, snippet.relpath))
        for name, output in outputs.items():
            for record in (output.record or {}).get("outputs", []):
                yield f"{snippet.relpath}#{name} ({output.mode})", record


def stored_text_outputs() -> Iterator[Text]:
    """What the cells printed or displayed as text (English: the code prints English)."""
    for where, record in published_records():
        if record["type"] in ("text", "stream", "html", "markdown", "latex"):
            value = record.get("text", record.get("data"))
            yield Text(where, "en", value if isinstance(value, str) else json.dumps(value))


def figure_text() -> Iterator[Text]:
    """Titles, axis labels, legends and box labels of the stored figures."""
    for where, record in published_records():
        if record["type"] == "svg":
            for text in svg_text(record["data"]):
                yield Text(where, "en", text)


# Every source of reader-visible text. Add a source here and the glossary and spelling
# tests check it as well.
def interface_strings() -> Iterator[Text]:
    """The words the book's machinery writes into pages and notebooks (``book/strings.py``)."""
    from book.strings import STRINGS

    for lang, table in STRINGS.items():
        for key, value in table.items():
            yield Text(f"book/strings.py: {lang}.{key}", lang, value)


READER_TEXT_SOURCES: dict[str, Callable[[], Iterator[Text]]] = {
    "page prose (zh)": lambda: page_prose("zh"),
    "page prose (en)": lambda: page_prose("en"),
    "snippet comments and strings": snippet_code_text,
    "library source shown on pages": library_source_text,
    "stored text outputs": stored_text_outputs,
    "figure text": figure_text,
    "interface strings": interface_strings,
}


# --- the glossary ---------------------------------------------------------------------------


def glossary_rows(lang: str) -> list[list[str]]:
    """The cells of every term row of the glossary table of ``lang``."""
    rows = []
    for line in (REPO / "docs" / lang / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("中文", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append(cells)
    return rows


def glossary_avoided(lang: str) -> dict[str, str]:
    """{avoided form: preferred term} from the last column of the glossary table."""
    avoided = {}
    for cells in glossary_rows(lang):
        preferred = cells[0] if lang == "zh" else cells[1]
        for form in re.split(r"[、,]\s*", cells[3]):
            if form:
                avoided[form] = preferred
    return avoided


# An avoided form is fine where the text names it as another name ("也叫池化") or quotes
# the original notes ("“... 3 轮训练”").
ALLOWED_BEFORE = re.compile(r"(也叫|又叫|又称|also called|“[^”]*)$")
# 轮 alone is a word only as a count ("10 轮", "每轮"); 轮流 (in turn) is another word.
# 周期 is avoided on its own, not inside the preferred 迭代周期.
SPECIAL = {"轮": r"(?:[\d一二三几每多]\s*轮(?!流)|轮次|轮数)", "周期": r"(?<!迭代)周期"}


def avoided_forms_in(text: str, lang: str) -> list[tuple[str, str]]:
    """(form found, preferred term) for every avoided glossary form in ``text``."""
    found = []
    for form, preferred in glossary_avoided(lang).items():
        pattern = SPECIAL.get(form, re.escape(form))
        for match in re.finditer(pattern, text, 0 if lang == "zh" else re.I):
            if not ALLOWED_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
                found.append((match.group(), preferred))
    return found


# --- American spelling ----------------------------------------------------------------------

# Words that end in -ise (or -ised, -ising, ...) in American English too.
ISE_WORDS = frozenset(
    "advertise advise apprise arise bruise chastise comprise compromise concise crise cruise"
    " demise denoise despise devise disguise enterprise excise exercise expertise franchise"
    " guise improvise incise merchandise noise otherwise paradise poise praise precise"
    " premise promise raise reprise revise rise supervise surmise surprise televise"
    " treatise vise".split()
)
ISE_FAMILY = re.compile(
    r"\b(?P<stem>[a-z]+?)is(?P<suffix>e|ed|es|ing|ation|ations|er|ers)\b", re.I)
BRITISH = re.compile(
    r"\b(?:colou?r(?<=colour)\w*|neighbour\w*|behaviour\w*|favour\w*|honour\w*|labour\w*|"
    r"humour\w*|rumour\w*|vapour\w*|flavour\w*|harbour\w*|odour\w*|rigour\w*|vigour\w*|"
    r"armour\w*|endeavour\w*|cheques?|analys(?:e|ed|ing)|paralys(?:e|ed|es|ing)|"
    r"catalys(?:e|ed|es|ing)|\w*centr(?:e|es|ed|ing)|met(?:re|res)|lit(?:re|res)|"
    r"fib(?:re|res)|theatre|calibre|(?:label|model|travel|cancel|signal|channel|fuel|"
    r"total|level|tunnel|counsel|marshal|jewel|quarrel|dial|pedal|funnel|rival|panel|"
    r"parcel|pencil|spiral|unravel|bevel|chisel|duel|enamel|kernel)l(?:ed|ing|er|ers)|"
    r"catalogue|licence|defence|offence|pretence|grey|whilst|amongst|programmes?|"
    r"practis(?:e|ed|es|ing)|aluminium|judgement|ageing|artefacts?|learnt|spelt|"
    r"fulfil|enrol|skilful|wilful)\b",
    re.I,
)


def british_spellings(text: str) -> list[str]:
    """The British spellings in ``text`` (colour, initialise, recentred, labelled, ...)."""
    found = [match.group() for match in BRITISH.finditer(text)]
    for match in ISE_FAMILY.finditer(text):
        base = match.group("stem").lower() + "ise"
        if base not in ISE_WORDS and not base.endswith("wise"):
            found.append(match.group())
    return found
