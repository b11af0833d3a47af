import sys
from importlib.util import find_spec

# Running snippets and building pages needs the environment of requirements/ (make creates
# it): say so plainly instead of failing deep inside the first module that imports one.
_missing = [name for name in ("jupytext", "nbformat") if find_spec(name) is None]
if _missing:
    sys.exit(
        f"python -m book (the book's snippet runner and page builder) needs "
        f"{', '.join(_missing)}: run it in the environment make creates (.venv), or "
        "pip install -r requirements/ci.txt"
    )

from book.cli import main  # noqa: E402

sys.exit(main())
