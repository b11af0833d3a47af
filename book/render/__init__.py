"""Expand a page's ``!cell`` and ``!source`` directives into code blocks and stored outputs.

One parser (``book.render.page``), three renderings of the same page:

* ``book.render.site``: what MkDocs shows, with the outputs' HTML from
  ``book.render.output_html``;
* ``book.render.codeblocks``: the page as a reader copies it, for pytest-codeblocks;
* the notebook builder (``book.notebooks``).
"""
