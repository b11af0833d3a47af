"""d2lref: the tested helper library behind the bilingual d2l notes book.

Readers use it exactly like the book's ``d2l`` package::

    from d2lref import torch as d2l

The package is made of small modules by concept (``data``, ``training``, ``plotting``,
``devices``, ``ops``, ``models``, ``viz``); ``d2lref.torch`` re-exports the book's names.
"""

__version__ = "0.1.0"
