"""How the book is made: the snippet runner, the output store, the page renderer, the
notebooks, the MkDocs hooks (``book/hooks/``), the benchmarks and the GPU runs.

It sits beside ``d2lref`` (what readers install and import) and is not part of d2lref's wheel:
it is used from a clone of the repository, with the environment ``make`` creates
(``requirements/``). ``d2lref`` never imports it. Command line: ``python -m book --help``;
benchmarks: ``python -m book.bench --help``.
"""
