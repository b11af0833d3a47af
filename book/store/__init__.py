"""Stored outputs of snippet runs, keyed by a hash of everything each cell depends on.

One JSON file per snippet, beside it: ``snippets/<chapter>/<page>.outputs.json``. It holds
the latest complete run of each mode (``quick`` and ``full``).

* ``book.store.keys``: each cell's key (library source, earlier cells, declared inputs);
* ``book.store.schema``: the file's schema and the digests sealing each cell record;
* ``book.store.files``: reading, and writing atomically under a lock;
* ``book.store.publishing``: which run's output each cell publishes.
"""
