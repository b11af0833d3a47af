"""A page's ``!cell`` and ``!source`` directives: parsing a page into text and directives,
checking them against its snippet, and the source a ``!source`` directive shows."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from book.cells import Cell, Snippet, SnippetError, load_snippet

CELL_DIRECTIVE = re.compile(r'^!cell\s+(?P<name>\S+)(?:\s+hl="(?P<hl>[0-9 \-]*)")?\s*$')
SOURCE_DIRECTIVE = re.compile(
    r'^!source\s+(?P<path>[^\s#]+)#(?P<name>[A-Za-z_][A-Za-z0-9_]*)'
    r'(?:\s+hl="(?P<hl>[0-9 \-]*)")?\s*$'
)
# MkDocs' YAML front matter: a first line "---", the settings, and a closing "---" line.
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?^---[ \t]*(?:\n|\Z)", re.S | re.M)
# Where '!source' may read: the reader's library, and the benchmark the Performance page shows.
SOURCE_FOLDERS = ("d2lref/", "book/bench/")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")


class PageError(ValueError):
    """A page whose directives do not match its snippet or d2lref's source."""


@dataclass(frozen=True)
class CellRef:
    name: str
    hl: str | None
    line: int
    indent: str = ""  # a directive inside an admonition or list item keeps its indentation


@dataclass(frozen=True)
class SourceRef:
    path: str
    name: str
    hl: str | None
    line: int
    indent: str = ""


Segment = str | CellRef | SourceRef


@dataclass
class Page:
    """A page split into Markdown text and directives, with its snippet (if any)."""

    relpath: str  # e.g. "preliminaries/ndarray.md"
    segments: list[Segment]
    snippet: Snippet | None

    @property
    def snippet_relpath(self) -> str:
        return self.relpath[: -len(".md")] + ".py"

    def cell(self, name: str) -> Cell:
        """The snippet cell a ``!cell`` directive names (``parse_page`` checked that it is
        there)."""
        if self.snippet is None:
            raise PageError(f"{self.relpath}: '!cell {name}' but the page has no snippet")
        return self.snippet.cell(name)


def parse_page(markdown: str, relpath: str, repo_dir: Path) -> Page:
    """Split ``markdown`` into text and directives (directives inside fences are text).

    A page's YAML front matter (settings for MkDocs, such as ``search: boost``) is not text.
    """
    front_matter = FRONT_MATTER.match(markdown)
    first_line = 1
    if front_matter:
        first_line += front_matter.group(0).count("\n")
        markdown = markdown[front_matter.end() :]
    segments = split_segments(markdown, relpath, first_line)
    snippet = _page_snippet(segments, relpath, repo_dir)
    page = Page(relpath=relpath, segments=segments, snippet=snippet)
    check_cells_complete(page)
    return page


def split_segments(markdown: str, relpath: str, first_line: int = 1) -> list[Segment]:
    """The page's text and its directives in page order; a fenced directive is text."""
    segments: list[Segment] = []
    text: list[str] = []
    open_fence: str | None = None
    for number, line in enumerate(markdown.splitlines(keepends=True), start=first_line):
        fence = FENCE.match(line)
        if fence:
            marker = fence.group("fence")
            if open_fence is None:
                open_fence = marker
            elif marker[0] == open_fence[0] and len(marker) >= len(open_fence):
                open_fence = None
        directive = None
        if open_fence is None and not fence:
            directive = _directive(line, relpath, number)
        if directive is None:
            text.append(line)
            continue
        if text:
            segments.append("".join(text))
            text = []
        segments.append(directive)
    if text:
        segments.append("".join(text))
    return segments


def _directive(line: str, relpath: str, number: int) -> CellRef | SourceRef | None:
    """The directive ``line`` holds, if any; a line that looks like one but is not fails."""
    stripped = line.strip()
    cell = CELL_DIRECTIVE.match(stripped)
    source = SOURCE_DIRECTIVE.match(stripped)
    if stripped.startswith(("!cell", "!source")) and not (cell or source):
        raise PageError(
            f"{relpath}:{number}: cannot read the directive {stripped!r}. Write "
            '\'!cell NAME [hl="1 3-4"]\' or \'!source d2lref/FILE.py#NAME\'.'
        )
    indent = line[: len(line) - len(line.lstrip())]
    if cell:
        return CellRef(cell.group("name"), cell.group("hl"), number, indent)
    if source:
        return SourceRef(source.group("path"), source.group("name"), source.group("hl"),
                         number, indent)
    return None


def _page_snippet(segments: list[Segment], relpath: str, repo_dir: Path) -> Snippet | None:
    """The page's snippet file, which a page with ``!cell`` directives must have."""
    snippet_path = repo_dir / "snippets" / (relpath[: -len(".md")] + ".py")
    refs = [s for s in segments if isinstance(s, CellRef)]
    if snippet_path.exists():
        return load_snippet(snippet_path, repo_dir / "snippets")
    if refs:
        raise PageError(
            f"{relpath}:{refs[0].line}: '!cell {refs[0].name}' but the page has no snippet "
            f"file snippets/{relpath[:-3]}.py. Create it with '# %% {refs[0].name}'."
        )
    return None


def check_cells_complete(page: Page) -> None:
    """Every snippet cell appears exactly once, in file order (so the page runs as a script)."""
    if page.snippet is None:
        return
    refs = [s for s in page.segments if isinstance(s, CellRef)]
    for ref in refs:
        try:
            page.snippet.cell(ref.name)
        except SnippetError as err:
            raise PageError(f"{page.relpath}:{ref.line}: {err}") from None
    included = [ref.name for ref in refs]
    expected = page.snippet.names
    if included != expected:
        missing = [name for name in expected if name not in included]
        repeated = sorted({name for name in included if included.count(name) > 1})
        detail = []
        if missing:
            detail.append("missing: " + ", ".join(missing))
        if repeated:
            detail.append("included more than once: " + ", ".join(repeated))
        if not detail:
            detail.append("order differs: the snippet has " + ", ".join(expected))
        raise PageError(
            f"{page.relpath} must include every cell of snippets/{page.snippet_relpath} exactly "
            f"once, in file order ({'; '.join(detail)}). Add or reorder its '!cell' lines."
        )


def extract_source(repo_dir: Path, path: str, name: str) -> str:
    """The source of the top-level function or class ``name`` in a file of d2lref (what
    readers import) or of the benchmark (``book/bench/``, which the Performance page shows)."""
    file = (repo_dir / path).resolve()
    if not path.startswith(SOURCE_FOLDERS) or ".." in Path(path).parts or not file.is_file():
        raise PageError(
            f"'!source {path}#{name}': {path} is not a file of the d2lref package or of the "
            "benchmark (book/bench/). Use a path such as d2lref/training/loops.py."
        )
    text = file.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(file))
    nodes = [
        node for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    for node in nodes:
        if node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines = text.splitlines()[first - 1 : node.end_lineno]
            return "\n".join(lines)
    known = ", ".join(node.name for node in nodes) or "(none)"
    raise PageError(
        f"'!source {path}#{name}': no top-level function or class {name!r} in {path}. "
        f"It defines: {known}."
    )


def fenced_code(code: str, info: str, char: str = "`") -> str:
    """``code`` in a fence longer than any fence inside it, with ``info`` after the opening."""
    longest = max((len(m) for m in re.findall(r"`{3,}|~{3,}", code)), default=0)
    marker = char * max(3, longest + 1)
    return f"{marker}{info}\n{code}\n{marker}\n"


def indented(block: str, indent: str) -> str:
    """``block`` with every non-empty line indented (a directive nested in an admonition)."""
    if not indent:
        return block
    return "".join(
        indent + line if line.strip() else line for line in block.splitlines(keepends=True)
    )


