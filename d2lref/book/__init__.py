"""The book's execution pipeline: run snippets, store outputs, render them into pages.

Not needed by readers of the book; installed with ``pip install "d2lref[book]"``.
Command line: ``python -m d2lref.book --help``.
"""
