"""MkDocs hook: compile nbconvert's Jinja templates once per build, not once per notebook.

mkdocs-jupyter converts every notebook view with a new nbconvert exporter (an HTML one for
the page, a Markdown one for its table of contents), and every new exporter builds a new
Jinja environment that parses and compiles the same templates again. On this book that
compiling was about half of each cold build's time.

This hook gives every environment nbconvert creates one shared, in-memory Jinja bytecode
cache. Jinja keys it by template name and file and checks each template's source checksum,
so an edited template is compiled again, and the rendered pages are byte for byte the same:
only the compiling is skipped. It wraps ``TemplateExporter._create_environment``, a private
method of nbconvert; if a new nbconvert renames it or stops returning a Jinja environment,
the build stops with an error that says so, instead of silently getting slow again.
"""

from __future__ import annotations

import logging

import jinja2
from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.notebook_templates")

# Marks the wrapped method, so that a second load of this hook (mkdocs serve) wraps it once.
_WRAPPED_MARK = "_d2l_shared_bytecode_cache"


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for the life of the process (one build, or serve)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}
        self.hits = 0

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.compiled.get(bucket.key)
        if data is not None:
            # The bucket drops the code again if the template's source checksum changed.
            bucket.bytecode_from_string(data)
            self.hits += bucket.code is not None

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


# One cache per Jinja configuration that changes the compiled code (async, extensions).
_CACHES: dict[tuple, MemoryBytecodeCache] = {}


def shared_cache_for(environment: jinja2.Environment) -> MemoryBytecodeCache:
    """The shared bytecode cache for environments configured like this one."""
    key = (environment.is_async, tuple(sorted(environment.extensions)))
    return _CACHES.setdefault(key, MemoryBytecodeCache())


def install() -> None:
    """Wrap nbconvert's environment factory so every environment uses a shared cache.

    Raises PluginError if nbconvert no longer has the method this relies on.
    """
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = getattr(TemplateExporter, "_create_environment", None)
    if not callable(create):
        raise PluginError(
            "docs/hooks/notebook_templates.py: nbconvert's TemplateExporter has no "
            "_create_environment any more; update this hook for the installed nbconvert "
            "(or remove it from mkdocs.yml, which makes cold builds slower)."
        )
    if getattr(create, _WRAPPED_MARK, False):
        return

    def create_environment_with_shared_cache(self):
        environment = create(self)
        if not isinstance(environment, jinja2.Environment):
            raise PluginError(
                "docs/hooks/notebook_templates.py: nbconvert's _create_environment returned "
                f"{type(environment).__name__}, not a Jinja environment; update this hook "
                "for the installed nbconvert."
            )
        environment.bytecode_cache = shared_cache_for(environment)
        return environment

    setattr(create_environment_with_shared_cache, _WRAPPED_MARK, True)
    create_environment_with_shared_cache.__doc__ = create.__doc__
    TemplateExporter._create_environment = create_environment_with_shared_cache


def on_config(config, **kwargs):
    install()
    return config


def on_post_build(config, **kwargs) -> None:
    hits = sum(cache.hits for cache in _CACHES.values())
    log.debug("nbconvert templates: %d loaded from the shared compiled cache", hits)
