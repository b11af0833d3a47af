"""Snippet parsing: named cells in jupytext's percent format, with clear errors."""

import re

import pytest

from book.cells import SnippetError, load_snippet, parse_snippet
from book.cli import main
from book.render.page import parse_page


def test_cells_are_named_in_file_order():
    snippet = parse_snippet("# %% first\na = 1\n\n# %% second-cell\nb = a + 1\nb\n", "ch/p.py")
    assert snippet.names == ["first", "second-cell"]
    assert snippet.cell("second-cell").source == "b = a + 1\nb"
    assert [c.index for c in snippet.cells] == [0, 1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = 1\n", "outside a named cell"),
        ("# %% Bad_Name\na = 1\n", "kebab-case"),
        ("# %% same\na = 1\n# %% same\nb = 2\n", "used twice"),
        ("# %% empty\n\n# %% full\na = 1\n", "is empty"),
    ],
)
def test_format_errors_name_the_problem(text, message):
    with pytest.raises(SnippetError, match=message):
        parse_snippet(text, "ch/p.py")


def test_unknown_cell_lists_the_known_names():
    snippet = parse_snippet("# %% alpha\na = 1\n", "ch/p.py")
    with pytest.raises(SnippetError, match="Its cells are: alpha"):
        snippet.cell("beta")


# --- Snippet files that cannot be read: errors name the file and the fix -----------------

GOOD = b"# %% a\nx = 1\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xef\xbb\xbf" + GOOD, r"starts with a byte-order mark \(BOM\): save it as UTF-8 "
                                 "without BOM"),
        (GOOD + b'y = "\xff"\n', r"is not UTF-8 text: line 3 holds the byte b'\\xff'.*Save "
                                 "the file as UTF-8"),
    ],    ids=["bom", "invalid-utf-8"],
)
def test_unreadable_text_names_the_file_and_the_fix(tmp_path, content, message, capsys):
    snippets = tmp_path / "snippets"
    path = snippets / "ch" / "p.py"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(SnippetError, match=f"^{re.escape(str(path))} {message}"):
        load_snippet(path, snippets)
    for command in (["status"], ["run"], ["prune"]):
        assert main(["--snippets-dir", str(snippets), *command]) == 2
        err = capsys.readouterr().err
        assert re.match(f"error: {re.escape(str(path))} {message}", err), (command, err)


def test_a_link_to_a_file_outside_the_snippets_folder_is_refused_by_name(tmp_path, capsys):
    snippets = tmp_path / "snippets"
    outside = tmp_path / "elsewhere" / "p.py"
    outside.parent.mkdir()
    outside.write_bytes(GOOD)
    link = snippets / "ch" / "p.py"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    expected = (f"snippet {link} is a link to {outside}, outside the snippets folder "
                f"{snippets}: a snippet's outputs are stored beside it, so it must live there. "
                "Move the file into the folder in place of the link.")
    with pytest.raises(SnippetError) as info:
        load_snippet(link, snippets)
    assert str(info.value) == expected
    for command in (["status"], ["run"], ["shard", "1/1"], ["prune"], ["run", str(link)]):
        assert main(["--snippets-dir", str(snippets), *command]) == 2
        assert capsys.readouterr().err == f"error: {expected}\n", command
    # The site build: the hooks turn a SnippetError into a build error with this message.
    page = tmp_path / "docs" / "zh" / "ch" / "p.md"
    page.parent.mkdir(parents=True)
    page.write_text("# P\n\n!cell a\n", encoding="utf-8")
    with pytest.raises(SnippetError, match="is a link to"):
        parse_page(page.read_text(encoding="utf-8"), "ch/p.md", tmp_path)
