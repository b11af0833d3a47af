"""Snippet parsing: named cells in jupytext's percent format, with clear errors."""

import pytest

from book.cells import SnippetError, parse_snippet


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
