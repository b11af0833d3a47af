"""The book's execution pipeline: run snippets, store outputs, render them into pages.

Not needed by readers of the book; installed with ``pip install "d2lref[book]"``.
Command line: ``python -m d2lref.book --help``.
"""

from importlib.util import find_spec

# The base install (what readers get) leaves the pipeline's packages out: say so plainly
# instead of failing deep inside the first module that imports one of them. (The site build
# needs these two; only running snippets needs nbclient too, which the book extra brings.)
_missing = [name for name in ("jupytext", "nbformat") if find_spec(name) is None]
if _missing:
    raise ModuleNotFoundError(
        f"d2lref.book (the book's snippet runner and page builder) needs "
        f"{', '.join(_missing)}, which d2lref's base install leaves out: "
        'pip install "d2lref[book]"',
        name=_missing[0],
    )
