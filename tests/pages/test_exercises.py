"""Every content page ends with exercises whose answers are checked, executed snippet cells.

The format is described in CONTRIBUTING.md ("Exercises"): the last section of the page is
``## 练习 { #exercises }`` / ``## Exercises { #exercises }``, a numbered list of 3–5 exercises,
each holding one collapsed answer block (``??? success "答案"`` / ``??? success "Answer"``)
whose code comes from ``!cell exercise-<n>[-<part>]`` cells at the end of the page's snippet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from book.cells import load_snippet
from book.nav import content_pages
from book.store.files import store_path
from book.store.publishing import published_outputs
from tests.paths import LANGUAGES, REPO_DIR, SNIPPETS_DIR

LANGS = LANGUAGES

# Every content page of the book, from the one page list (mkdocs.yml's nav, which a site test
# checks against the files): all pages except the home page, the chapter indexes, the
# glossary and the Performance page. A page without exercises fails here.
CONTENT_PAGES = content_pages()

HEADINGS = {"zh": "练习", "en": "Exercises"}
ANSWER_TITLES = {"zh": "答案", "en": "Answer"}
SECTION_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{\s*#(?P<anchor>[a-z0-9-]+)\s*\}\s*$")
ITEM = re.compile(r"^(?P<number>\d+)\.\s+\S")
ANSWER = re.compile(r'^(?P<indent>\s+)\?\?\?\s+success\s+"(?P<title>[^"]*)"\s*$')
CELL = re.compile(r"^\s+!cell\s+(?P<name>\S+)")
ANSWER_CELL = re.compile(r"^exercise-(?P<number>\d+)(?:-[a-z0-9]+)*$")


@dataclass
class Exercise:
    number: int
    question: list[str] = field(default_factory=list)
    answer_titles: list[str] = field(default_factory=list)
    answer_lines: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)


def read_exercises(lang: str, relpath: str) -> tuple[str, str, list[Exercise]]:
    """The exercises section of a page: its heading title, anchor and exercises."""
    text = (REPO_DIR / "docs" / lang / relpath).read_text(encoding="utf-8")
    lines = text.splitlines()
    sections = [(i, SECTION_HEADING.match(line)) for i, line in enumerate(lines)]
    sections = [(i, m) for i, m in sections if m]
    assert sections, f"docs/{lang}/{relpath} has no '## ... {{ #anchor }}' section at all"
    start, heading = sections[-1]
    exercises: list[Exercise] = []
    in_answer = False
    for line in lines[start + 1 :]:
        item = ITEM.match(line)
        answer = ANSWER.match(line)
        if item:
            exercises.append(Exercise(number=int(item.group("number")), question=[line]))
            in_answer = False
        elif not exercises:
            continue
        elif answer:
            exercises[-1].answer_titles.append(answer.group("title"))
            in_answer = True
        elif in_answer:
            exercises[-1].answer_lines.append(line)
            cell = CELL.match(line)
            if cell:
                exercises[-1].cells.append(cell.group("name"))
        else:
            exercises[-1].question.append(line)
    return heading.group("title"), heading.group("anchor"), exercises


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("relpath", CONTENT_PAGES)
def test_page_ends_with_answered_exercises(relpath: str, lang: str):
    title, anchor, exercises = read_exercises(lang, relpath)
    where = f"docs/{lang}/{relpath}"
    assert anchor == "exercises" and title == HEADINGS[lang], (
        f"{where}: the last section must be '## {HEADINGS[lang]} {{ #exercises }}', "
        f"found '{title} {{ #{anchor} }}'"
    )
    assert 3 <= len(exercises) <= 5, f"{where}: {len(exercises)} exercises, expected 3 to 5"
    assert [e.number for e in exercises] == list(range(1, len(exercises) + 1)), (
        f"{where}: exercises must be numbered 1, 2, 3, ..."
    )
    for exercise in exercises:
        label = f"{where}, exercise {exercise.number}"
        assert exercise.answer_titles == [ANSWER_TITLES[lang]], (
            f"{label}: needs exactly one '??? success \"{ANSWER_TITLES[lang]}\"' block"
        )
        prose = [line for line in exercise.answer_lines if line.strip() and not CELL.match(line)]
        assert prose, f"{label}: the answer block has no explanation"
        for name in exercise.cells:
            match = ANSWER_CELL.match(name)
            assert match and int(match.group("number")) == exercise.number, (
                f"{label}: answer cell {name!r} must be named 'exercise-{exercise.number}' "
                f"or 'exercise-{exercise.number}-<part>'"
            )


@pytest.mark.parametrize("relpath", CONTENT_PAGES)
def test_languages_have_the_same_exercises(relpath: str):
    zh = read_exercises("zh", relpath)[2]
    en = read_exercises("en", relpath)[2]
    assert [(e.number, e.cells) for e in zh] == [(e.number, e.cells) for e in en], (
        f"{relpath}: the Chinese and English exercises differ (numbers or answer cells)"
    )


@pytest.mark.parametrize("relpath", CONTENT_PAGES)
def test_answer_cells_have_fresh_outputs(relpath: str):
    cells = [name for e in read_exercises("zh", relpath)[2] for name in e.cells]
    snippet = load_snippet(SNIPPETS_DIR / (relpath[: -len(".md")] + ".py"), SNIPPETS_DIR)
    outputs = published_outputs(snippet, store_path(SNIPPETS_DIR, snippet.relpath))
    status = {name: outputs[name].status if name in outputs else "missing" for name in cells}
    bad = {name: state for name, state in status.items() if state != "ok"}
    assert not bad, (
        f"answer cells with stale or missing outputs {bad}: run "
        f"'python -m book run snippets/{snippet.relpath} --mode full'"
    )
