"""Expand a page's ``!cell`` and ``!source`` directives into code blocks and stored outputs.

One parser (``book.render.page``), two renderings of the same page:

* ``book.render.site``: what MkDocs shows, with the outputs' HTML from
  ``book.render.output_html``;
* the notebook builder (``book.notebooks``).
"""
